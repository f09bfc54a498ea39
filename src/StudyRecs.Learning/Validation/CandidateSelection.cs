using System.Diagnostics;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Metrics;

namespace StudyRecs.Learning.Validation;

/// <summary>One learner's cross-validation: its out-of-fold predictions and metrics.</summary>
/// <param name="Learner">The learner evaluated.</param>
/// <param name="OutOfFold">
/// Held-out predictions laid out like the data set's rows: the value per row (regression) or the class
/// probabilities per row (row-major, rows × classes). Rows no evaluated fold held out are NaN.
/// </param>
/// <param name="Predicted">Which rows a fold predicted (every row for k-fold CV; only the test part for a hold-out split).</param>
/// <param name="FoldMetrics">Per metric, its spread over the evaluated folds: rmse, mae, r2 or accuracy, weighted_f1, log_loss.</param>
/// <param name="Regression">Metrics of all out-of-fold predictions pooled (regression), or null.</param>
/// <param name="Classification">Metrics of all out-of-fold probabilities pooled (classification), or null.</param>
/// <param name="Seconds">Wall time of its fits and predictions.</param>
public sealed record CrossValidatedCandidate(
    ILearner Learner,
    double[] OutOfFold,
    bool[] Predicted,
    IReadOnlyDictionary<string, MetricSummary> FoldMetrics,
    RegressionMetrics? Regression,
    ClassificationMetrics? Classification,
    double Seconds)
{
    /// <summary>True when at least one fold could be trained and predicted.</summary>
    public bool Evaluated => Regression is not null || Classification is not null;
}

/// <summary>Every candidate's cross-validation and the index of the one <see cref="CandidateSelection"/> chose.</summary>
/// <param name="Candidates">In the order given.</param>
/// <param name="Best">Index of the chosen candidate.</param>
public sealed record SelectionResult(IReadOnlyList<CrossValidatedCandidate> Candidates, int Best)
{
    /// <summary>The chosen candidate.</summary>
    public CrossValidatedCandidate Winner => Candidates[Best];
}

/// <summary>
/// Chooses among learners by cross-validation, the one way the portal's training and `studyrecs learn --algorithm auto`
/// select: every candidate is fitted on each split's training rows and predicts its held-out rows; the held-out
/// predictions are pooled and the rule is applied to the pooled metrics (pooling weighs every row once, so folds of
/// unequal size, as grouped folds are, count by their rows). The rule: regression, lowest RMSE, then lowest MAE;
/// classification, highest weighted F1, then lowest log loss; the earlier candidate wins a full tie.
/// </summary>
public sealed class CandidateSelection
{
    /// <summary>Above this many training rows a fold gets every thread; below, folds run in parallel one thread each.</summary>
    public const int ParallelFoldRowLimit = 50_000;

    private readonly LearningTask _task;
    private readonly int _threads;

    /// <summary>Selects for <paramref name="task"/> (regression, binary or multiclass) with up to <paramref name="threads"/> threads.</summary>
    public CandidateSelection(LearningTask task, int threads)
    {
        if (task == LearningTask.Ranking)
        {
            throw new ArgumentException("Selection by cross-validation covers regression and classification.", nameof(task));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _task = task;
        _threads = threads;
    }

    /// <summary>The primary metric of the rule: "rmse" (lower is better) or "weighted_f1" (higher is better).</summary>
    public string PrimaryMetric => _task == LearningTask.Regression ? "rmse" : "weighted_f1";

    /// <summary>
    /// Cross-validates every learner on <paramref name="splits"/> of <paramref name="data"/> and chooses one.
    /// <paramref name="onCandidate"/> is told the index of each candidate before it starts (for progress). A binary
    /// split whose training rows hold one class is skipped.
    /// </summary>
    public async Task<SelectionResult> SelectAsync(
        IReadOnlyList<ILearner> learners,
        TrainingSet data,
        IReadOnlyList<DataSplit> splits,
        Func<int, CancellationToken, Task>? onCandidate = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(learners);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(splits);
        if (learners.Count == 0 || splits.Count == 0)
        {
            throw new ArgumentException("Need at least one learner and one split.");
        }

        var classes = ClassCount(data);
        var width = _task == LearningTask.Regression ? 1 : classes;
        var parts = splits.Select(s => (Train: data.SelectRows(s.Train), Test: data.SelectRows(s.Test))).ToArray();
        var usable = parts.Select(p => _task != LearningTask.BinaryClassification || p.Train.Labels.Distinct().Count() > 1).ToArray();
        var parallelFolds = parts.All(p => p.Train.Rows <= ParallelFoldRowLimit);
        var candidates = new CrossValidatedCandidate[learners.Count];
        for (var c = 0; c < learners.Count; c++)
        {
            if (onCandidate is not null)
            {
                await onCandidate(c, cancellationToken).ConfigureAwait(false);
            }

            candidates[c] = Evaluate(learners[c], data, splits, parts, usable, width, parallelFolds, cancellationToken);
        }

        return new SelectionResult(candidates, Best(candidates));
    }

    /// <summary>The index the rule chooses; candidates no fold evaluated are never chosen before one that was.</summary>
    public static int Best(IReadOnlyList<CrossValidatedCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var best = 0;
        var bestScore = (Primary: double.PositiveInfinity, Secondary: double.PositiveInfinity);
        for (var c = 0; c < candidates.Count; c++)
        {
            var score = Score(candidates[c]);
            if (score.CompareTo(bestScore) < 0)
            {
                best = c;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>The rule as a pair compared in order, lower first (F1 negated).</summary>
    private static (double Primary, double Secondary) Score(CrossValidatedCandidate candidate) => candidate switch
    {
        { Regression: { } r } => (r.Rmse, r.Mae),
        { Classification: { } m } => (-m.WeightedF1, m.LogLoss),
        _ => (double.PositiveInfinity, double.PositiveInfinity),
    };

    private CrossValidatedCandidate Evaluate(
        ILearner learner, TrainingSet data, IReadOnlyList<DataSplit> splits, (TrainingSet Train, TrainingSet Test)[] parts, bool[] usable,
        int width, bool parallelFolds, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var outOfFold = new double[data.Rows * width];
        Array.Fill(outOfFold, double.NaN);
        var predicted = new bool[data.Rows];
        var foldMetrics = new Dictionary<string, double>?[splits.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelFolds ? _threads : 1, CancellationToken = cancellationToken };
        Parallel.For(0, splits.Count, options, f =>
        {
            if (!usable[f])
            {
                return;
            }

            var (train, test) = parts[f];
            var fitThreads = parallelFolds ? 1 : _threads;
            var model = learner.Fit(_task, train, fitThreads);
            var values = width == 1 ? model.PredictBatch(test.Features, fitThreads) : model.PredictProbabilitiesBatch(test.Features, fitThreads);
            var rows = splits[f].Test;
            for (var i = 0; i < rows.Length; i++)
            {
                values.AsSpan(i * width, width).CopyTo(outOfFold.AsSpan(rows[i] * width, width));
                predicted[rows[i]] = true;
            }

            foldMetrics[f] = FoldMetrics(values, test.Labels, width);
        });

        var evaluated = foldMetrics.Where(m => m is not null).Select(m => m!).ToArray();
        var summaries = evaluated.Length == 0
            ? new Dictionary<string, MetricSummary>(StringComparer.Ordinal)
            : evaluated[0].Keys.ToDictionary(k => k, k => MetricSummary.FromValues(evaluated.Select(m => m[k]).ToArray()), StringComparer.Ordinal);
        RegressionMetrics? regression = null;
        ClassificationMetrics? classification = null;
        if (evaluated.Length > 0)
        {
            var (values, labels) = Pooled(outOfFold, predicted, data.Labels, width);
            if (width == 1)
            {
                regression = RegressionMetrics.Compute(values, labels);
            }
            else
            {
                classification = ClassificationMetrics.Compute(values, labels, width);
            }
        }

        return new CrossValidatedCandidate(learner, outOfFold, predicted, summaries, regression, classification, clock.Elapsed.TotalSeconds);
    }

    private static (double[] Values, float[] Labels) Pooled(double[] outOfFold, bool[] predicted, float[] labels, int width)
    {
        if (predicted.All(p => p))
        {
            return (outOfFold, labels);
        }

        var rows = Enumerable.Range(0, predicted.Length).Where(i => predicted[i]).ToArray();
        var values = new double[rows.Length * width];
        for (var i = 0; i < rows.Length; i++)
        {
            outOfFold.AsSpan(rows[i] * width, width).CopyTo(values.AsSpan(i * width, width));
        }

        return (values, rows.Select(i => labels[i]).ToArray());
    }

    private static Dictionary<string, double> FoldMetrics(double[] predicted, float[] labels, int width)
    {
        if (width == 1)
        {
            var r = RegressionMetrics.Compute(predicted, labels);
            return new(StringComparer.Ordinal) { ["rmse"] = r.Rmse, ["mae"] = r.Mae, ["r2"] = r.R2 };
        }

        var c = ClassificationMetrics.Compute(predicted, labels, width);
        return new(StringComparer.Ordinal) { ["accuracy"] = c.Accuracy, ["weighted_f1"] = c.WeightedF1, ["log_loss"] = c.LogLoss };
    }

    private int ClassCount(TrainingSet data) => _task switch
    {
        LearningTask.Regression => 0,
        LearningTask.BinaryClassification => 2,
        _ => data.ClassCount ?? ((int)data.Labels.Max() + 1),
    };
}
