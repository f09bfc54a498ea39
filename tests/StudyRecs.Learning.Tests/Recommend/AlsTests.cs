using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class AlsTests
{
    [Fact]
    public void Training_loss_decreases_over_iterations()
    {
        var losses = new List<double>();
        AlsRecommender.Fit(RecommendTestData.TwoCommunities(), new AlsOptions { Factors = 6, Iterations = 6, Regularization = 0.1f, Alpha = 3 },
            (_, loss) => losses.Add(loss));
        Assert.Equal(6, losses.Count);
        Assert.True(losses[^1] < losses[0] * 0.9, $"loss went from {losses[0]} to {losses[^1]}");
        for (var i = 1; i < losses.Count; i++)
        {
            Assert.True(losses[i] <= losses[i - 1] * 1.001, $"iteration {i + 1} raised the loss: {losses[i - 1]} -> {losses[i]}");
        }
    }

    [Fact]
    public void Conjugate_gradient_matches_a_direct_solve_of_the_confidence_system()
    {
        const int k = 5;
        var random = new Random(11);
        var factors = Enumerable.Range(0, 8 * k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var gram = new float[k * k];
        for (var r = 0; r < 8; r++)
        {
            for (var a = 0; a < k; a++)
            {
                for (var b = 0; b < k; b++)
                {
                    gram[(a * k) + b] += factors[(r * k) + a] * factors[(r * k) + b];
                }
            }
        }

        for (var a = 0; a < k; a++)
        {
            gram[(a * k) + a] += 0.1f;
        }

        int[] items = [1, 4, 6];
        float[] weights = [1f, 3f, 2f];
        const float alpha = 2f;
        var system = new ConfidenceSystem(gram, factors, k, items, weights, alpha);
        var rhs = new float[k];
        system.RightHandSide(rhs);
        var x = new float[k];
        ConjugateGradient.Solve(ref system, rhs, x, k, new float[3 * k]);

        // Direct: build A explicitly and solve by Gaussian elimination in double.
        var a2 = new double[k, k + 1];
        for (var a = 0; a < k; a++)
        {
            for (var b = 0; b < k; b++)
            {
                a2[a, b] = gram[(a * k) + b];
                for (var t = 0; t < items.Length; t++)
                {
                    a2[a, b] += alpha * weights[t] * factors[(items[t] * k) + a] * factors[(items[t] * k) + b];
                }
            }

            a2[a, k] = rhs[a];
        }

        for (var c = 0; c < k; c++)
        {
            for (var r = c + 1; r < k; r++)
            {
                var f = a2[r, c] / a2[c, c];
                for (var j = c; j <= k; j++)
                {
                    a2[r, j] -= f * a2[c, j];
                }
            }
        }

        var direct = new double[k];
        for (var r = k - 1; r >= 0; r--)
        {
            var s = a2[r, k];
            for (var j = r + 1; j < k; j++)
            {
                s -= a2[r, j] * direct[j];
            }

            direct[r] = s / a2[r, r];
        }

        for (var a = 0; a < k; a++)
        {
            Assert.Equal(direct[a], x[a], 3);
        }
    }

    [Fact]
    public void Same_seed_gives_identical_factors_whatever_the_thread_count()
    {
        var data = RecommendTestData.TwoCommunities();
        var one = AlsRecommender.Fit(data, new AlsOptions { Factors = 4, Iterations = 3, Seed = 7, MaxDegreeOfParallelism = 1 });
        var two = AlsRecommender.Fit(data, new AlsOptions { Factors = 4, Iterations = 3, Seed = 7, MaxDegreeOfParallelism = 2 });
        var other = AlsRecommender.Fit(data, new AlsOptions { Factors = 4, Iterations = 3, Seed = 8, MaxDegreeOfParallelism = 2 });
        for (var i = 0; i < data.ItemCount; i++)
        {
            Assert.Equal(one.ItemFactors(i).ToArray(), two.ItemFactors(i).ToArray());
        }

        Assert.NotEqual(one.ItemFactors(0).ToArray(), other.ItemFactors(0).ToArray());
    }

    [Fact]
    public void Empty_history_folds_in_to_a_zero_factor()
    {
        var model = AlsRecommender.Fit(RecommendTestData.TwoCommunities(), new AlsOptions { Factors = 4, Iterations = 2 });
        var user = new float[4];
        model.FoldIn([], [], user);
        Assert.All(user, v => Assert.Equal(0f, v));
    }
}
