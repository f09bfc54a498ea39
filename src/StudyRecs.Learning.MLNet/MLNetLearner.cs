using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using StudyRecs.Learning.Data;

namespace StudyRecs.Learning.MLNet;

/// <summary>
/// An ML.NET tree trainer (FastTree, FastForest, LightGbm) behind the <see cref="ILearner"/> interface. Missing cells are
/// imputed and flagged before training (<see cref="MissingValueImputer"/>), so the trainer sees every row it is given;
/// ML.NET's warnings and errors go to the logger. Multiclass runs one-versus-all FastTree / FastForest, or LightGbm's
/// own multiclass objective. Ranking (LambdaMART over query groups) runs FastTree's ranking trainer.
/// </summary>
public sealed partial class MLNetLearner : ILearner
{
    /// <summary>The <see cref="Library"/> name of ML.NET learners.</summary>
    public const string LibraryName = "ml.net";

    private readonly ILogger _logger;

    /// <summary>A learner with <paramref name="options"/>; <paramref name="name"/> defaults to the main settings.</summary>
    public MLNetLearner(MLNetTreeOptions options, string? name = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        Name = name ?? (options.Trainer == MLNetTrainer.FastForest
            ? string.Create(CultureInfo.InvariantCulture, $"{options.Algorithm} leaves={options.NumberOfLeaves} trees={options.NumberOfTrees} min-leaf={options.MinimumExampleCountPerLeaf}")
            : string.Create(CultureInfo.InvariantCulture, $"{options.Algorithm} leaves={options.NumberOfLeaves} lr={options.LearningRate} trees={options.NumberOfTrees} min-leaf={options.MinimumExampleCountPerLeaf}"));
    }

    /// <summary>
    /// FastTree's LambdaMART with the settings of an engine ranker's <paramref name="boosting"/> (trees, leaves, learning
    /// rate, minimum leaf), so the two rankers differ in the library alone.
    /// </summary>
    public static MLNetLearner RankerLike(Boosting.GradientBoostingOptions boosting, int seed, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(boosting);
        return new(new MLNetTreeOptions
        {
            Trainer = MLNetTrainer.FastTree,
            NumberOfTrees = boosting.NumberOfTrees,
            NumberOfLeaves = boosting.NumberOfLeaves,
            LearningRate = boosting.LearningRate,
            MinimumExampleCountPerLeaf = boosting.MinimumExampleCountPerLeaf,
            Seed = seed,
        }, logger: logger);
    }

    /// <summary>The trainer and its settings.</summary>
    public MLNetTreeOptions Options { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Algorithm => Options.Algorithm;

    /// <inheritdoc/>
    public string Library => LibraryName;

    /// <inheritdoc/>
    public object Settings => Options;

    /// <inheritdoc/>
    public string DescribeSettings() => Options.Trainer == MLNetTrainer.FastForest
        ? string.Create(CultureInfo.InvariantCulture, $"trees {Options.NumberOfTrees}, leaves {Options.NumberOfLeaves}, min leaf {Options.MinimumExampleCountPerLeaf}")
        : string.Create(CultureInfo.InvariantCulture, $"trees {Options.NumberOfTrees}, leaves {Options.NumberOfLeaves}, learning rate {Options.LearningRate}, min leaf {Options.MinimumExampleCountPerLeaf}");

    /// <inheritdoc/>
    public IModel Fit(LearningTask task, TrainingSet train, int threads)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Rows == 0)
        {
            throw new ArgumentException("Cannot train on an empty data set.", nameof(train));
        }

        if (task == LearningTask.Ranking && Options.Trainer != MLNetTrainer.FastTree)
        {
            throw new ArgumentException($"ML.NET ranking here is FastTree's LambdaMART; {Options.Algorithm} does not rank.", nameof(task));
        }

        var classes = task switch
        {
            LearningTask.Regression or LearningTask.Ranking => 0,
            LearningTask.BinaryClassification => 2,
            _ => train.ClassCount ?? ((int)train.Labels.Max() + 1),
        };
        CheckLabels(task, train.Labels, classes);
        var context = CreateContext(Options.Seed, _logger);
        var imputer = MissingValueImputer.Fit(train.Features);
        var (groups, groupCount) = task == LearningTask.Ranking ? GroupKeys(train) : (null, 1);
        var rows = TrainerRows(train, imputer, groups);
        var data = context.Data.LoadFromEnumerable(rows, LabelledRow.Schema(imputer.OutputCount, classes, groupCount));
        if (task == LearningTask.MulticlassClassification)
        {
            // One-versus-all reads the rows once per class: cached columns spare a pass over the row objects each time.
            data = context.Data.Cache(data);
        }

        var transformer = Estimator(context, task, threads).Fit(data);
        var featureNames = train.FeatureNames ?? Enumerable.Range(0, train.Features.Columns).Select(f => $"f{f}").ToArray();

        // A ranker orders candidates and is not explained to anyone; routing its (large) training set for covers is skipped.
        var explainer = task is LearningTask.MulticlassClassification or LearningTask.Ranking
            ? null
            : MLNetTreeExplainer.Build(transformer, imputer, train.Features, Options.Algorithm);
        return MLNetModel.Create(context, transformer, imputer, task, Options.Algorithm, featureNames, train.ClassLabels ?? [], classes,
            explainer, new Dictionary<string, string>(StringComparer.Ordinal));
    }

    /// <summary>An ML.NET context whose warnings and errors go to <paramref name="logger"/>.</summary>
    internal static MLContext CreateContext(int seed, ILogger logger)
    {
        var context = new MLContext(seed);
        context.Log += (_, e) =>
        {
            if (e.Kind is ChannelMessageKind.Warning or ChannelMessageKind.Error)
            {
                LogMLNet(logger, e.Source, e.RawMessage);
            }
        };
        return context;
    }

    private static LabelledRow[] TrainerRows(TrainingSet train, MissingValueImputer imputer, uint[]? groups)
    {
        var rows = new LabelledRow[train.Rows];
        for (var i = 0; i < rows.Length; i++)
        {
            var features = new float[imputer.OutputCount];
            imputer.Transform(train.Features.Row(i), features);
            var label = train.Labels[i];
            rows[i] = new LabelledRow { Features = features, Value = label, Flag = label > 0.5f, Key = (uint)label, Group = groups?[i] ?? 0 };
        }

        return rows;
    }

    /// <summary>
    /// The query groups numbered 0, 1, ... in row order. The trainer reads a group as the run of rows with one value, so
    /// the rows of a group must be contiguous (as the engine requires too).
    /// </summary>
    private static (uint[] Keys, int Count) GroupKeys(TrainingSet train)
    {
        var groups = train.Groups ?? throw new ArgumentException("Ranking needs query groups.", nameof(train));
        var keys = new uint[groups.Length];
        var seen = new HashSet<int>();
        var count = 0;
        for (var i = 0; i < groups.Length; i++)
        {
            if (i == 0 || groups[i] != groups[i - 1])
            {
                if (!seen.Add(groups[i]))
                {
                    throw new ArgumentException($"The rows of query group {groups[i]} are not contiguous.", nameof(train));
                }

                count++;
            }

            keys[i] = (uint)(count - 1);
        }

        return (keys, count);
    }

    private static void CheckLabels(LearningTask task, float[] labels, int classes)
    {
        foreach (var label in labels)
        {
            var valid = task switch
            {
                LearningTask.Regression => float.IsFinite(label),
                LearningTask.Ranking => float.IsFinite(label) && label >= 0 && label == MathF.Floor(label),
                LearningTask.BinaryClassification => label is 0 or 1,
                _ => label >= 0 && label < classes && label == MathF.Floor(label),
            };
            if (!valid)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Label {label} does not fit a {task} task."), nameof(labels));
            }
        }
    }

    private IEstimator<ITransformer> Estimator(MLContext context, LearningTask task, int threads)
    {
        var o = Options;
        const string features = LabelledRow.FeaturesColumn;
        switch (task)
        {
            case LearningTask.Ranking:
                return context.Ranking.Trainers.FastTree(FastTree(new FastTreeRankingTrainer.Options { RowGroupColumnName = LabelledRow.GroupColumn }, LabelledRow.ValueColumn, threads));
            case LearningTask.Regression:
                return o.Trainer switch
                {
                    MLNetTrainer.FastTree => context.Regression.Trainers.FastTree(FastTree(new FastTreeRegressionTrainer.Options(), LabelledRow.ValueColumn, threads)),
                    MLNetTrainer.FastForest => context.Regression.Trainers.FastForest(new FastForestRegressionTrainer.Options
                    {
                        LabelColumnName = LabelledRow.ValueColumn,
                        FeatureColumnName = features,
                        NumberOfLeaves = o.NumberOfLeaves,
                        NumberOfTrees = o.NumberOfTrees,
                        MinimumExampleCountPerLeaf = o.MinimumExampleCountPerLeaf,
                        NumberOfThreads = threads,
                        Seed = o.Seed,
                    }),
                    _ => context.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
                    {
                        LabelColumnName = LabelledRow.ValueColumn,
                        FeatureColumnName = features,
                        NumberOfLeaves = o.NumberOfLeaves,
                        NumberOfIterations = o.NumberOfTrees,
                        LearningRate = o.LearningRate,
                        MinimumExampleCountPerLeaf = o.MinimumExampleCountPerLeaf,
                        NumberOfThreads = threads,
                        Seed = o.Seed,
                        Verbose = false,
                    }),
                };
            case LearningTask.BinaryClassification:
                return o.Trainer switch
                {
                    MLNetTrainer.FastTree => context.BinaryClassification.Trainers.FastTree(FastTreeBinary(LabelledRow.FlagColumn, threads)),
                    // FastForest's score is not a probability: Platt scaling on the training rows makes one.
                    MLNetTrainer.FastForest => context.BinaryClassification.Trainers.FastForest(FastForestBinary(LabelledRow.FlagColumn, threads))
                        .Append(context.BinaryClassification.Calibrators.Platt(labelColumnName: LabelledRow.FlagColumn)),
                    _ => context.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
                    {
                        LabelColumnName = LabelledRow.FlagColumn,
                        FeatureColumnName = features,
                        NumberOfLeaves = o.NumberOfLeaves,
                        NumberOfIterations = o.NumberOfTrees,
                        LearningRate = o.LearningRate,
                        MinimumExampleCountPerLeaf = o.MinimumExampleCountPerLeaf,
                        NumberOfThreads = threads,
                        Seed = o.Seed,
                        Verbose = false,
                    }),
                };
            default:
                // One-versus-all gives its binary trainers the same (key) label column it is given.
                return o.Trainer switch
                {
                    MLNetTrainer.FastTree => context.MulticlassClassification.Trainers.OneVersusAll(
                        context.BinaryClassification.Trainers.FastTree(FastTreeBinary(LabelledRow.KeyColumn, threads)), LabelledRow.KeyColumn),
                    MLNetTrainer.FastForest => context.MulticlassClassification.Trainers.OneVersusAll(
                        context.BinaryClassification.Trainers.FastForest(FastForestBinary(LabelledRow.KeyColumn, threads)), LabelledRow.KeyColumn),
                    _ => context.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
                    {
                        LabelColumnName = LabelledRow.KeyColumn,
                        FeatureColumnName = features,
                        NumberOfLeaves = o.NumberOfLeaves,
                        NumberOfIterations = o.NumberOfTrees,
                        LearningRate = o.LearningRate,
                        MinimumExampleCountPerLeaf = o.MinimumExampleCountPerLeaf,
                        NumberOfThreads = threads,
                        Seed = o.Seed,
                        Verbose = false,
                    }),
                };
        }
    }

    private FastTreeBinaryTrainer.Options FastTreeBinary(string label, int threads) => FastTree(new FastTreeBinaryTrainer.Options(), label, threads);

    // The settings every FastTree task shares (regression, binary, ranking), on that task's options.
    private T FastTree<T>(T options, string label, int threads)
        where T : BoostedTreeOptions
    {
        options.LabelColumnName = label;
        options.FeatureColumnName = LabelledRow.FeaturesColumn;
        options.NumberOfLeaves = Options.NumberOfLeaves;
        options.NumberOfTrees = Options.NumberOfTrees;
        options.LearningRate = Options.LearningRate;
        options.MinimumExampleCountPerLeaf = Options.MinimumExampleCountPerLeaf;
        options.NumberOfThreads = threads;
        options.Seed = Options.Seed;
        return options;
    }

    private FastForestBinaryTrainer.Options FastForestBinary(string label, int threads) => new()
    {
        LabelColumnName = label,
        FeatureColumnName = LabelledRow.FeaturesColumn,
        NumberOfLeaves = Options.NumberOfLeaves,
        NumberOfTrees = Options.NumberOfTrees,
        MinimumExampleCountPerLeaf = Options.MinimumExampleCountPerLeaf,
        NumberOfThreads = threads,
        Seed = Options.Seed,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "ML.NET {Source}: {Message}")]
    private static partial void LogMLNet(ILogger logger, string source, string message);
}
