using System.Diagnostics;
using StudyRecs.Learning;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Metrics;
using StudyRecs.Learning.Validation;

namespace StudyRecs.Cli.Learning;

/// <summary>
/// Trains and evaluates for `studyrecs learn`: a hold-out split in file order, or repeated
/// (stratified / grouped) k-fold with metrics pooled over every held-out prediction. With
/// `--algorithm auto` each training part picks its learner by inner cross-validation on that
/// part alone, so test rows never influence the choice.
/// </summary>
internal static class LearnRunner
{
    /// <summary>Above this many training rows `auto` selects on one inner hold-out instead of inner 3-fold CV.</summary>
    private const int InnerCrossValidationLimit = 50_000;

    public static LearnResult Run(LearnSettings s, LearningDataset data)
    {
        var task = s.Task;
        var classes = data.Classes.Length;
        var set = new TrainingSet(data.Features, data.Labels)
        {
            FeatureNames = data.FeatureNames,
            ClassLabels = data.Classes,
            ClassCount = task == LearningTask.MulticlassClassification ? classes : null,
        };

        IReadOnlyList<DataSplit> splits;
        if (s.Folds > 0)
        {
            if (s.Folds > set.Rows)
            {
                throw new LearnInputException($"--cv {s.Folds} needs at least {s.Folds} rows; the file has {set.Rows}.");
            }

            if (data.Groups is not null && data.Groups.Distinct(StringComparer.Ordinal).Count() < s.Folds)
            {
                throw new LearnInputException($"--cv {s.Folds} with --group {s.Group} needs at least {s.Folds} distinct groups.");
            }

            splits = CrossValidation.Repeated(s.Repeats, s.Seed, (seed, repeat) => OuterFolds(s, set, data.Groups, seed, repeat));
        }
        else
        {
            var test = (int)Math.Round(s.TestFraction * set.Rows, MidpointRounding.ToEven);
            if (test < 1 || test >= set.Rows)
            {
                throw new LearnInputException($"--test-fraction {s.TestFraction} leaves no rows to train or to test among {set.Rows}.");
            }

            splits = [CrossValidation.TemporalSplit(set.Rows, s.TestFraction)];
        }

        var outputs = task == LearningTask.Regression ? 1 : classes;
        var pooledLabels = new List<float>();
        var pooled = new List<double>();
        var perFold = new List<double>();
        var choices = new List<string>();
        var libraries = new SortedSet<string>(StringComparer.Ordinal);
        double fitSeconds = 0, predictSeconds = 0;
        long predicted = 0;
        foreach (var split in splits)
        {
            var train = set.SelectRows(split.Train);
            var test = set.SelectRows(split.Test);
            var groups = data.Groups is null ? null : split.Train.Select(i => data.Groups[i]).ToArray();
            var clock = Stopwatch.StartNew();
            var candidate = s.Algorithm == "auto" ? Choose(s, train, groups) : LearnCandidates.ForAlgorithm(s);
            var model = candidate.Fit(task, EnsureBothClasses(task, train), s.Threads);
            fitSeconds += clock.Elapsed.TotalSeconds;
            choices.Add(LearnCandidates.Describe(candidate));
            libraries.Add(candidate.Library);

            clock.Restart();
            var predictions = task == LearningTask.Regression
                ? model.PredictBatch(test.Features, s.Threads)
                : model.PredictProbabilitiesBatch(test.Features, s.Threads);
            predictSeconds += clock.Elapsed.TotalSeconds;
            predicted += test.Rows;
            pooled.AddRange(predictions);
            pooledLabels.AddRange(test.Labels);
            perFold.Add(task == LearningTask.Regression
                ? RegressionMetrics.Compute(predictions, test.Labels).Rmse
                : ClassificationMetrics.Compute(predictions, test.Labels, outputs).Accuracy);
        }

        var labels = pooledLabels.ToArray();
        var all = pooled.ToArray();
        return new LearnResult(
            s,
            set.Rows,
            set.Features.Columns,
            fitSeconds,
            predictSeconds,
            predicted,
            task == LearningTask.Regression ? RegressionMetrics.Compute(all, labels) : null,
            task == LearningTask.Regression ? null : ClassificationMetrics.Compute(all, labels, outputs),
            splits.Count > 1 ? MetricSummary.FromValues(perFold) : null,
            choices.GroupBy(c => c, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g => (g.Key, g.Count())).ToList(),
            [.. libraries],
            data.Classes);
    }

    private static IReadOnlyList<DataSplit> OuterFolds(LearnSettings s, TrainingSet set, string[]? groups, int seed, int repeat)
    {
        if (groups is not null)
        {
            return CrossValidation.GroupKFold(groups, s.Folds, seed, repeat);
        }

        return s.Task == LearningTask.Regression
            ? CrossValidation.KFold(set.Rows, s.Folds, seed, repeat)
            : CrossValidation.StratifiedKFold(set.Labels, s.Folds, seed, repeat);
    }

    /// <summary>A training part lacking a class cannot train a binary model: say so clearly.</summary>
    private static TrainingSet EnsureBothClasses(LearningTask task, TrainingSet train)
    {
        if (task == LearningTask.BinaryClassification && train.Labels.Distinct().Count() < 2)
        {
            throw new LearnInputException("A training part holds only one class; use fewer folds or a smaller test fraction.");
        }

        return train;
    }

    /// <summary>Picks the grid candidate <see cref="CandidateSelection"/> chooses by inner validation on <paramref name="train"/> only.</summary>
    private static ILearner Choose(LearnSettings s, TrainingSet train, string[]? groups)
    {
        var classes = s.Task == LearningTask.Regression ? 1 : train.ClassCount ?? (int)train.Labels.Max() + 1;
        var grid = LearnCandidates.Grid(s, train.Rows, train.Features.Columns, classes, s.Task);
        IReadOnlyList<DataSplit> inner;
        if (train.Rows > InnerCrossValidationLimit)
        {
            inner = [CrossValidation.TemporalSplit(train.Rows, 0.2)];
        }
        else if (groups is not null && groups.Distinct(StringComparer.Ordinal).Count() >= 3)
        {
            inner = CrossValidation.GroupKFold(groups, 3, s.Seed);
        }
        else
        {
            inner = s.Task == LearningTask.Regression ? CrossValidation.KFold(train.Rows, 5, s.Seed) : CrossValidation.StratifiedKFold(train.Labels, 5, s.Seed);
        }

        // No progress to report and no synchronisation context here: the selection completes on this thread's wait.
        var racing = new CandidateSelection(s.Task, s.Threads) { RacingStandardErrors = CandidateSelection.StandardRacingMargin, RowGroups = groups };
        var selection = racing.SelectAsync(grid, train, inner).GetAwaiter().GetResult();
        return selection.Winner.Learner;
    }
}

/// <summary>Everything `learn` reports.</summary>
internal sealed record LearnResult(
    LearnSettings Settings,
    int Rows,
    int Features,
    double FitSeconds,
    double PredictSeconds,
    long PredictedRows,
    RegressionMetrics? Regression,
    ClassificationMetrics? Classification,
    MetricSummary? FoldSpread,
    IReadOnlyList<(string Choice, int Count)> Choices,
    IReadOnlyList<string> Libraries,
    IReadOnlyList<string> Classes);
