using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class EaseTests
{
    [Fact]
    public void Matches_a_hand_computed_example_with_zero_diagonal()
    {
        // X rows {0,1}, {1,2}, {0,1,2}: XᵀX + I = [[3,2,1],[2,4,2],[1,2,3]], its inverse is
        // [[.5,-.25,0],[-.25,.5,-.25],[0,-.25,.5]], so B = [[0,.5,0],[.5,0,.5],[0,.5,0]].
        Interaction[] events =
        [
            new(0, 0, 1, 1, InteractionKind.View), new(0, 1, 1, 1, InteractionKind.View),
            new(1, 1, 1, 1, InteractionKind.View), new(1, 2, 1, 1, InteractionKind.View),
            new(2, 0, 1, 1, InteractionKind.View), new(2, 1, 1, 1, InteractionKind.View), new(2, 2, 1, 1, InteractionKind.View),
        ];
        var model = EaseRecommender.Fit(InteractionMatrix.Build(3, 3, events), new EaseOptions { Regularization = 1 });
        float[][] expected = [[0f, 0.5f, 0f], [0.5f, 0f, 0.5f], [0f, 0.5f, 0f]];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(expected[i][j], model.Weights(i)[j], 5);
            }
        }

        var scores = new float[3];
        model.Score([0, 2], [1f, 1f], scores);
        Assert.Equal([0f, 1f, 0f], scores.Select(s => MathF.Round(s, 5)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(150)]
    public void Blocked_inverse_matches_a_double_precision_reference(int n)
    {
        // A random Gram matrix plus ridge, the shape EASE inverts; 150 exercises full and partial blocks.
        var random = new Random(n);
        var rows = n + 20;
        var x = new double[rows, n];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < n; c++)
            {
                x[r, c] = random.NextDouble() < 0.3 ? 1 : 0;
            }
        }

        var a = new double[n, n];
        var matrix = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = i == j ? 2.0 : 0.0;
                for (var r = 0; r < rows; r++)
                {
                    sum += x[r, i] * x[r, j];
                }

                a[i, j] = sum;
                // Only the upper triangle is read: poison the lower one to prove it.
                matrix[(i * n) + j] = j >= i ? (float)sum : float.NaN;
            }
        }

        SymmetricInverse.InvertInPlace(matrix, n, 2);
        var reference = Invert(a);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                Assert.True(Math.Abs(reference[i, j] - matrix[(i * n) + j]) < 1e-4, $"({i},{j}): {reference[i, j]} vs {matrix[(i * n) + j]}");
            }
        }
    }

    [Fact]
    public void Refuses_a_matrix_that_is_not_positive_definite()
    {
        float[] matrix = [1, 2, 2, 1];
        Assert.Throws<ArgumentException>(() => SymmetricInverse.InvertInPlace(matrix, 2, 1));
    }

    [Fact]
    public void Refuses_catalogs_beyond_the_configured_limit()
    {
        var data = InteractionMatrix.Build(1, 50, [new Interaction(0, 0, 1, 1, InteractionKind.View)]);
        Assert.Throws<ArgumentException>(() => EaseRecommender.Fit(data, new EaseOptions { MaxItems = 10 }));
    }

    // Gauss-Jordan with partial pivoting, in double: the reference.
    private static double[,] Invert(double[,] a)
    {
        var n = a.GetLength(0);
        var m = new double[n, 2 * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i, j] = a[i, j];
            }

            m[i, n + i] = 1;
        }

        for (var c = 0; c < n; c++)
        {
            var pivot = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(m[r, c]));
            for (var j = 0; j < 2 * n; j++)
            {
                (m[c, j], m[pivot, j]) = (m[pivot, j], m[c, j]);
            }

            var p = m[c, c];
            for (var j = 0; j < 2 * n; j++)
            {
                m[c, j] /= p;
            }

            for (var r = 0; r < n; r++)
            {
                if (r != c && m[r, c] != 0)
                {
                    var f = m[r, c];
                    for (var j = 0; j < 2 * n; j++)
                    {
                        m[r, j] -= f * m[c, j];
                    }
                }
            }
        }

        var inverse = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                inverse[i, j] = m[i, n + j];
            }
        }

        return inverse;
    }
}
