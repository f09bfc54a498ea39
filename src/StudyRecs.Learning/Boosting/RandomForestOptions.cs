namespace StudyRecs.Learning.Boosting;

/// <summary>
/// Random forest settings, named as ML.NET's FastForest: bagged trees on the same leaf-wise learner,
/// each split choosing among a random subset of features; outputs are averaged.
/// </summary>
public sealed record RandomForestOptions
{
    /// <summary>Trees (for multiclass, one per class per round).</summary>
    public int NumberOfTrees { get; init; } = 100;

    /// <summary>Maximum leaves per tree.</summary>
    public int NumberOfLeaves { get; init; } = 20;

    /// <summary>Minimum training rows in a leaf.</summary>
    public int MinimumExampleCountPerLeaf { get; init; } = 10;

    /// <summary>Maximum value bins per feature (2..255).</summary>
    public int MaximumBinCountPerFeature { get; init; } = 255;

    /// <summary>Fraction of features each tree may use.</summary>
    public double FeatureFraction { get; init; } = 1.0;

    /// <summary>Fraction of the tree's features each split may choose from.</summary>
    public double FeatureFractionPerSplit { get; init; } = 0.7;

    /// <summary>Fraction of rows drawn (without replacement) for each tree.</summary>
    public double BaggingExampleFraction { get; init; } = 0.7;

    /// <summary>Seed for bagging and feature sampling.</summary>
    public int Seed { get; init; }

    /// <summary>Worker threads; null uses every core. Results do not depend on it.</summary>
    public int? NumberOfThreads { get; init; }

    internal void Validate()
    {
        GradientBoostingOptions.Require(NumberOfTrees >= 1, "NumberOfTrees must be at least 1.");
        GradientBoostingOptions.Require(NumberOfLeaves >= 2, "NumberOfLeaves must be at least 2.");
        GradientBoostingOptions.Require(MinimumExampleCountPerLeaf >= 1, "MinimumExampleCountPerLeaf must be at least 1.");
        GradientBoostingOptions.Require(MaximumBinCountPerFeature is >= 2 and <= 255, "MaximumBinCountPerFeature must be between 2 and 255.");
        GradientBoostingOptions.Require(FeatureFraction is > 0 and <= 1, "FeatureFraction must be in (0, 1].");
        GradientBoostingOptions.Require(FeatureFractionPerSplit is > 0 and <= 1, "FeatureFractionPerSplit must be in (0, 1].");
        GradientBoostingOptions.Require(BaggingExampleFraction is > 0 and <= 1, "BaggingExampleFraction must be in (0, 1].");
        GradientBoostingOptions.Require(NumberOfThreads is null or >= 1, "NumberOfThreads must be at least 1.");
    }

    internal Dictionary<string, string> ToDictionary() => new(StringComparer.Ordinal)
    {
        [nameof(NumberOfTrees)] = GradientBoostingOptions.Text(NumberOfTrees),
        [nameof(NumberOfLeaves)] = GradientBoostingOptions.Text(NumberOfLeaves),
        [nameof(MinimumExampleCountPerLeaf)] = GradientBoostingOptions.Text(MinimumExampleCountPerLeaf),
        [nameof(MaximumBinCountPerFeature)] = GradientBoostingOptions.Text(MaximumBinCountPerFeature),
        [nameof(FeatureFraction)] = GradientBoostingOptions.Text(FeatureFraction),
        [nameof(FeatureFractionPerSplit)] = GradientBoostingOptions.Text(FeatureFractionPerSplit),
        [nameof(BaggingExampleFraction)] = GradientBoostingOptions.Text(BaggingExampleFraction),
        [nameof(Seed)] = GradientBoostingOptions.Text(Seed),
    };
}
