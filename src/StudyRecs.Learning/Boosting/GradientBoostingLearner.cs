using System.Globalization;
using StudyRecs.Learning.Data;

namespace StudyRecs.Learning.Boosting;

/// <summary>The engine's gradient boosting behind the <see cref="ILearner"/> interface.</summary>
public sealed class GradientBoostingLearner : ILearner
{
    /// <summary>A learner with <paramref name="options"/>; <paramref name="name"/> defaults to the main settings, e.g. "gbdt leaves=20 lr=0.2 trees=100 min-leaf=10".</summary>
    public GradientBoostingLearner(GradientBoostingOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Name = name ?? string.Create(CultureInfo.InvariantCulture,
            $"gbdt leaves={options.NumberOfLeaves} lr={options.LearningRate} trees={options.NumberOfTrees} min-leaf={options.MinimumExampleCountPerLeaf}");
    }

    /// <summary>The booster's settings (its thread count is replaced by the one <see cref="Fit"/> is given).</summary>
    public GradientBoostingOptions Options { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Algorithm => "gbdt";

    /// <inheritdoc/>
    public string Library => EngineInfo.Library;

    /// <inheritdoc/>
    public object Settings => Options;

    /// <inheritdoc/>
    public string DescribeSettings() => string.Create(CultureInfo.InvariantCulture,
        $"trees {Options.NumberOfTrees}, leaves {Options.NumberOfLeaves}, learning rate {Options.LearningRate}, min leaf {Options.MinimumExampleCountPerLeaf}");

    /// <inheritdoc/>
    public IModel Fit(LearningTask task, TrainingSet train, int threads) =>
        new GradientBoostingTrainer(Options with { NumberOfThreads = threads }).Fit(task, train);
}
