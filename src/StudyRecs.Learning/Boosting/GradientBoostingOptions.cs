using System.Globalization;

namespace StudyRecs.Learning.Boosting;

/// <summary>
/// Gradient boosting settings. Names and defaults follow ML.NET's FastTree trainers
/// (100 trees, 20 leaves, at least 10 examples per leaf, learning rate 0.2, 255 bins).
/// </summary>
public sealed record GradientBoostingOptions
{
    /// <summary>Boosting rounds (for multiclass, one tree per class per round).</summary>
    public int NumberOfTrees { get; init; } = 100;

    /// <summary>Maximum leaves per tree (growth is leaf-wise).</summary>
    public int NumberOfLeaves { get; init; } = 20;

    /// <summary>Minimum training rows in a leaf.</summary>
    public int MinimumExampleCountPerLeaf { get; init; } = 10;

    /// <summary>Shrinkage applied to every tree's output.</summary>
    public double LearningRate { get; init; } = 0.2;

    /// <summary>Maximum value bins per feature (2..255); missing values have their own extra bin.</summary>
    public int MaximumBinCountPerFeature { get; init; } = 255;

    /// <summary>Fraction of features each tree may use (drawn per tree).</summary>
    public double FeatureFraction { get; init; } = 1.0;

    /// <summary>Redraw the row bag every this many rounds; 0 disables bagging.</summary>
    public int BaggingSize { get; init; }

    /// <summary>Fraction of rows in each bag when <see cref="BaggingSize"/> is positive.</summary>
    public double BaggingExampleFraction { get; init; } = 0.7;

    /// <summary>L2 regularisation λ of leaf outputs, −G/(H+λ).</summary>
    public double L2Regularization { get; init; }

    /// <summary>Smallest gain a split must exceed.</summary>
    public double MinimumSplitGain { get; init; }

    /// <summary>Smallest hessian sum in a leaf.</summary>
    public double MinimumHessianPerLeaf { get; init; } = 1e-3;

    /// <summary>Bound on a leaf's unshrunk output, as FastTree's MaximumTreeOutput.</summary>
    public double MaximumTreeOutput { get; init; } = 100;

    /// <summary>Stop when the validation metric has not improved for this many rounds; 0 disables.</summary>
    public int EarlyStoppingRounds { get; init; }

    /// <summary>NDCG truncation k for the ranking objective and its early-stopping metric.</summary>
    public int NdcgTruncationLevel { get; init; } = 10;

    /// <summary>Seed for bagging and feature sampling.</summary>
    public int Seed { get; init; }

    /// <summary>Worker threads; null uses every core. Results do not depend on it.</summary>
    public int? NumberOfThreads { get; init; }

    internal void Validate()
    {
        Require(NumberOfTrees >= 1, "NumberOfTrees must be at least 1.");
        Require(NumberOfLeaves >= 2, "NumberOfLeaves must be at least 2.");
        Require(MinimumExampleCountPerLeaf >= 1, "MinimumExampleCountPerLeaf must be at least 1.");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "LearningRate must be positive.");
        Require(MaximumBinCountPerFeature is >= 2 and <= 255, "MaximumBinCountPerFeature must be between 2 and 255.");
        Require(FeatureFraction is > 0 and <= 1, "FeatureFraction must be in (0, 1].");
        Require(BaggingSize >= 0, "BaggingSize must not be negative.");
        Require(BaggingExampleFraction is > 0 and <= 1, "BaggingExampleFraction must be in (0, 1].");
        Require(L2Regularization >= 0, "L2Regularization must not be negative.");
        Require(MinimumHessianPerLeaf >= 0, "MinimumHessianPerLeaf must not be negative.");
        Require(MaximumTreeOutput > 0, "MaximumTreeOutput must be positive.");
        Require(EarlyStoppingRounds >= 0, "EarlyStoppingRounds must not be negative.");
        Require(NdcgTruncationLevel >= 1, "NdcgTruncationLevel must be at least 1.");
        Require(NumberOfThreads is null or >= 1, "NumberOfThreads must be at least 1.");
    }

    internal Dictionary<string, string> ToDictionary() => new(StringComparer.Ordinal)
    {
        [nameof(NumberOfTrees)] = Text(NumberOfTrees),
        [nameof(NumberOfLeaves)] = Text(NumberOfLeaves),
        [nameof(MinimumExampleCountPerLeaf)] = Text(MinimumExampleCountPerLeaf),
        [nameof(LearningRate)] = Text(LearningRate),
        [nameof(MaximumBinCountPerFeature)] = Text(MaximumBinCountPerFeature),
        [nameof(FeatureFraction)] = Text(FeatureFraction),
        [nameof(BaggingSize)] = Text(BaggingSize),
        [nameof(BaggingExampleFraction)] = Text(BaggingExampleFraction),
        [nameof(L2Regularization)] = Text(L2Regularization),
        [nameof(MinimumSplitGain)] = Text(MinimumSplitGain),
        [nameof(MinimumHessianPerLeaf)] = Text(MinimumHessianPerLeaf),
        [nameof(MaximumTreeOutput)] = Text(MaximumTreeOutput),
        [nameof(EarlyStoppingRounds)] = Text(EarlyStoppingRounds),
        [nameof(NdcgTruncationLevel)] = Text(NdcgTruncationLevel),
        [nameof(Seed)] = Text(Seed),
    };

    internal static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
