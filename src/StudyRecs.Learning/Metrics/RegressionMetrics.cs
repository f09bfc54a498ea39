namespace StudyRecs.Learning.Metrics;

/// <summary>RMSE, MAE and R² of predictions against actual values.</summary>
public sealed record RegressionMetrics(double Rmse, double Mae, double R2)
{
    /// <summary>Computes the metrics; R² is 1 − SSE/SST; with constant actual values it is 1 for exact predictions, else 0.</summary>
    public static RegressionMetrics Compute(ReadOnlySpan<double> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length || actual.IsEmpty)
        {
            throw new ArgumentException("Need one prediction per actual value and at least one row.");
        }

        double mean = 0;
        foreach (var y in actual)
        {
            mean += y;
        }

        mean /= actual.Length;
        double sse = 0, sae = 0, sst = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var e = predicted[i] - actual[i];
            sse += e * e;
            sae += Math.Abs(e);
            var d = actual[i] - mean;
            sst += d * d;
        }

        var r2 = sst > 0 ? 1 - (sse / sst) : (sse == 0 ? 1 : 0);
        return new RegressionMetrics(Math.Sqrt(sse / actual.Length), sae / actual.Length, r2);
    }
}
