using StudyRecs.Learning.Data;

namespace StudyRecs.Learning.Tests;

/// <summary>Small reproducible data sets with known structure.</summary>
internal static class SyntheticData
{
    /// <summary>y = 3·sin(x0) + x1·x2 + 2·[x3 &gt; 0.5] + noise, with 5 features.</summary>
    public static TrainingSet Regression(int rows, int seed, double noise = 0.1)
    {
        var (x, f) = Features(rows, seed);
        var random = new Random(seed + 1000);
        var labels = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            labels[i] = (float)(f[i] + (noise * Gaussian(random)));
        }

        return new TrainingSet(x, labels);
    }

    /// <summary>Class 1 when the regression signal plus logistic noise exceeds its median.</summary>
    public static TrainingSet Binary(int rows, int seed, double noise = 0.3)
    {
        var (x, f) = Features(rows, seed);
        var random = new Random(seed + 2000);
        var sorted = f.ToArray();
        Array.Sort(sorted);
        var median = sorted[rows / 2];
        var labels = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            labels[i] = f[i] + (noise * Gaussian(random)) > median ? 1 : 0;
        }

        return new TrainingSet(x, labels);
    }

    /// <summary>Three classes from terciles of the regression signal.</summary>
    public static TrainingSet Multiclass(int rows, int seed, int classes = 3, double noise = 0.3)
    {
        var (x, f) = Features(rows, seed);
        var random = new Random(seed + 3000);
        var noisy = f.Select(v => v + (noise * Gaussian(random))).ToArray();
        var sorted = noisy.ToArray();
        Array.Sort(sorted);
        var labels = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            var c = 0;
            for (var k = 1; k < classes; k++)
            {
                if (noisy[i] > sorted[k * rows / classes])
                {
                    c = k;
                }
            }

            labels[i] = c;
        }

        return new TrainingSet(x, labels);
    }

    /// <summary>Query groups of 10 documents; relevance 0..3 grows with x0 + x1.</summary>
    public static TrainingSet Ranking(int groups, int seed)
    {
        var rows = groups * 10;
        var (x, _) = Features(rows, seed);
        var random = new Random(seed + 4000);
        var labels = new float[rows];
        var ids = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            var s = x[i, 0] + x[i, 1] + (0.3 * Gaussian(random));
            labels[i] = s > 1.5 ? 3 : s > 0.5 ? 2 : s > -0.5 ? 1 : 0;
            ids[i] = i / 10;
        }

        return new TrainingSet(x, labels, ids);
    }

    private static (DenseMatrix X, double[] Signal) Features(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new DenseMatrix(rows, 5);
        var f = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < 5; j++)
            {
                x[i, j] = (float)Gaussian(random);
            }

            f[i] = (3 * Math.Sin(x[i, 0])) + (x[i, 1] * x[i, 2]) + (x[i, 3] > 0.5 ? 2 : 0);
        }

        return (x, f);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
