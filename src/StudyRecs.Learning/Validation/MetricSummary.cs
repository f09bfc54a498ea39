namespace StudyRecs.Learning.Validation;

/// <summary>Mean and spread of one metric over repeated evaluations (e.g. repeated cross-validation folds).</summary>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StandardDeviation">Sample standard deviation (0 for a single value).</param>
/// <param name="Minimum">Smallest value.</param>
/// <param name="Maximum">Largest value.</param>
/// <param name="Count">Number of values.</param>
public sealed record MetricSummary(double Mean, double StandardDeviation, double Minimum, double Maximum, int Count)
{
    /// <summary>Summarises a non-empty list of values.</summary>
    public static MetricSummary FromValues(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("Need at least one value.", nameof(values));
        }

        var mean = values.Average();
        double squares = 0;
        foreach (var v in values)
        {
            squares += (v - mean) * (v - mean);
        }

        var sd = values.Count > 1 ? Math.Sqrt(squares / (values.Count - 1)) : 0;
        return new MetricSummary(mean, sd, values.Min(), values.Max(), values.Count);
    }
}
