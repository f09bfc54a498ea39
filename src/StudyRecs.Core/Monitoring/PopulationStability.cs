namespace StudyRecs.Core.Monitoring;

/// <summary>How far one feature moved from its training distribution.</summary>
/// <param name="Psi">Population stability index over the training bins (missing values and unseen categories included).</param>
/// <param name="OutOfRangeShare">Share of the samples outside what training saw: present values below its minimum or
/// above its maximum, or categories it never saw.</param>
/// <param name="Drifted">The PSI reached the threshold.</param>
public sealed record FeatureDrift(string Feature, double Psi, double OutOfRangeShare, long Samples, bool Drifted);

/// <summary>
/// Counts of recent samples in one feature's training bins, filled one value at a time so millions of samples are
/// binned without being held in memory.
/// </summary>
public sealed class FeatureSampleCounts(FeatureDistribution training)
{
    private readonly long[] _slots = new long[training.Shares.Length];

    public FeatureDistribution Training { get; } = training;

    /// <summary>Position of a numeric feature in <see cref="TrainingProfile.NumericFeatures"/>; -1 for the subject.</summary>
    public int NumericIndex { get; } = Array.IndexOf(TrainingProfile.NumericFeatures, training.Feature);

    public long Samples { get; private set; }

    public long OutOfRange { get; private set; }

    public void Add(double? value)
    {
        _slots[Training.SlotOf(value)]++;
        Samples++;
        if (value is { } v && !double.IsNaN(v) && Training.IsOutOfRange(v))
        {
            OutOfRange++;
        }
    }

    public void AddCategory(string category)
    {
        var slot = Training.SlotOf(category);
        _slots[slot]++;
        Samples++;
        if (slot == Training.Categories.Length)
        {
            OutOfRange++;
        }
    }

    /// <summary>The share of the samples in each slot, in the training distribution's slot order.</summary>
    public double[] Shares() => Samples == 0 ? new double[_slots.Length] : _slots.Select(c => (double)c / Samples).ToArray();

    public FeatureDrift Compare(double threshold)
    {
        var psi = PopulationStability.Index(Training.Shares, Shares());
        return new FeatureDrift(Training.Feature, psi, Samples == 0 ? 0 : (double)OutOfRange / Samples, Samples, psi >= threshold);
    }
}

/// <summary>The population stability index: sum over bins of (actual − expected) · ln(actual / expected).</summary>
public static class PopulationStability
{
    /// <summary>
    /// Shares below this count as this, so an empty bin (a category training never saw, a bin nobody reaches any more)
    /// adds a large but finite term instead of an infinite one.
    /// </summary>
    public const double ShareFloor = 1e-4;

    public static double Index(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException("Both distributions need the same bins.", nameof(actual));
        }

        double psi = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = Math.Max(expected[i], ShareFloor);
            var a = Math.Max(actual[i], ShareFloor);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }

    /// <summary>The drift of every feature of <paramref name="profile"/> over <paramref name="samples"/>.</summary>
    public static IReadOnlyList<FeatureDrift> Measure(TrainingProfile profile, IEnumerable<MonitoredInput> samples, double threshold)
    {
        var counts = Counters(profile);
        foreach (var sample in samples)
        {
            Add(counts, sample);
        }

        return counts.Select(c => c.Compare(threshold)).ToArray();
    }

    /// <summary>One counter per feature of the profile, in its order.</summary>
    public static FeatureSampleCounts[] Counters(TrainingProfile profile) => profile.Features.Select(f => new FeatureSampleCounts(f)).ToArray();

    public static void Add(FeatureSampleCounts[] counters, in MonitoredInput sample)
    {
        foreach (var counter in counters)
        {
            if (counter.Training.Kind == FeatureDistributionKind.Categorical)
            {
                counter.AddCategory(sample.Subject);
            }
            else
            {
                counter.Add(TrainingProfile.NumericValue(sample, counter.NumericIndex));
            }
        }
    }
}
