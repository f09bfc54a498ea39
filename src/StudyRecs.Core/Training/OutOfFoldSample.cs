using StudyRecs.Learning.Validation;

namespace StudyRecs.Core.Training;

/// <summary>Draws the <see cref="PredictedAgainstActual"/> sample from a cross-validated regression candidate.</summary>
public static class OutOfFoldSample
{
    /// <summary>Enough dots to show the spread without hiding it under overlap; a few kilobytes of JSON.</summary>
    public const int MaximumPoints = 400;

    /// <summary>
    /// The rows a fold held out (finite forecasts only), all of them when they are at most <paramref name="maximum"/>,
    /// otherwise <paramref name="maximum"/> of them drawn without replacement by <paramref name="seed"/> (the same data
    /// and seed give the same points); in row order.
    /// </summary>
    public static PredictedAgainstActual Draw(CrossValidatedCandidate candidate, IReadOnlyList<float> labels, int seed, int maximum = MaximumPoints)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegative(maximum);
        var rows = Enumerable.Range(0, labels.Count)
            .Where(i => candidate.Predicted[i] && double.IsFinite(candidate.OutOfFold[i]))
            .ToArray();
        var chosen = rows;
        if (rows.Length > maximum)
        {
            // A partial Fisher-Yates shuffle: the first `maximum` places hold a uniform sample.
            var random = new Random(seed);
            chosen = (int[])rows.Clone();
            for (var i = 0; i < maximum; i++)
            {
                var j = random.Next(i, chosen.Length);
                (chosen[i], chosen[j]) = (chosen[j], chosen[i]);
            }

            chosen = chosen[..maximum];
            Array.Sort(chosen);
        }

        var points = chosen.Select(i => new MarksPair(Math.Round((double)labels[i], 2), Math.Round(candidate.OutOfFold[i], 2))).ToArray();
        return new PredictedAgainstActual(rows.Length, points);
    }
}
