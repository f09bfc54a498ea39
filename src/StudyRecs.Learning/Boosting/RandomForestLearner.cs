using System.Globalization;
using StudyRecs.Learning.Data;

namespace StudyRecs.Learning.Boosting;

/// <summary>The engine's random forest behind the <see cref="ILearner"/> interface.</summary>
public sealed class RandomForestLearner : ILearner
{
    /// <summary>A learner with <paramref name="options"/>; <paramref name="name"/> defaults to the main settings, e.g. "forest leaves=32 trees=100 min-leaf=5 split-features=0.5".</summary>
    public RandomForestLearner(RandomForestOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Name = name ?? string.Create(CultureInfo.InvariantCulture,
            $"forest leaves={options.NumberOfLeaves} trees={options.NumberOfTrees} min-leaf={options.MinimumExampleCountPerLeaf} split-features={options.FeatureFractionPerSplit}");
    }

    /// <summary>The forest's settings (its thread count is replaced by the one <see cref="Fit"/> is given).</summary>
    public RandomForestOptions Options { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Algorithm => "forest";

    /// <inheritdoc/>
    public string Library => EngineInfo.Library;

    /// <inheritdoc/>
    public object Settings => Options;

    /// <inheritdoc/>
    public string DescribeSettings() => string.Create(CultureInfo.InvariantCulture,
        $"trees {Options.NumberOfTrees}, leaves {Options.NumberOfLeaves}, min leaf {Options.MinimumExampleCountPerLeaf}, split features {Options.FeatureFractionPerSplit:0.##}");

    /// <inheritdoc/>
    public IModel Fit(LearningTask task, TrainingSet train, int threads) =>
        new RandomForestTrainer(Options with { NumberOfThreads = threads }).Fit(task, train);
}
