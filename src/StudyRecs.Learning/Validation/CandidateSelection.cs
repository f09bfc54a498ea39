using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
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
/// <param name="Seconds">Time of its fits and predictions, summed over its folds.</param>
/// <param name="Stopped">
/// Null when the candidate ran every fold; otherwise why racing stopped it early, in plain words (its metrics then
/// cover only the folds it ran, and it is never chosen).
/// </param>
public sealed record CrossValidatedCandidate(
    ILearner Learner,
    double[] OutOfFold,
    bool[] Predicted,
    IReadOnlyDictionary<string, MetricSummary> FoldMetrics,
    RegressionMetrics? Regression,
    ClassificationMetrics? Classification,
    double Seconds,
    string? Stopped = null)
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
/// classification, highest weighted F1, then lowest log loss; the earlier candidate wins a full tie. The first
/// candidate's library is preferred (<see cref="Choose"/>): a candidate of another library is chosen only when it beats
/// the best of the first library by more than one standard error of their paired per-row difference (squared error, or
/// misclassification), so a near-tie between the families, which the noise of a small data set decides either way,
/// goes to the first (the one-standard-error rule applied to the family).
/// With <see cref="RacingStandardErrors"/> set, candidates race over the folds (see there).
/// </summary>
public sealed class CandidateSelection
{
    /// <summary>Above this many training rows a fold gets every thread; below, folds run in parallel one thread each.</summary>
    public const int ParallelFoldRowLimit = 50_000;

    /// <summary>Racing stops no candidate before the rows compared hold this many groups (students, or rows without groups).</summary>
    public const int MinimumGroupsToStop = 30;

    /// <summary>
    /// The racing margin the portal and `learn --algorithm auto` use: 2.576 standard errors, so dropping a candidate that
    /// is in fact no worse than the leader is a one-in-200 event per test.
    /// </summary>
    public const double StandardRacingMargin = 2.576;

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

    /// <summary>
    /// Racing over the folds (null: every candidate runs every fold). Every candidate runs the first fold, then the
    /// second; after each of these a candidate stops when its mean per-row loss on the rows held out so far (squared
    /// error, or misclassification) exceeds the current leader's by more than this many standard errors of the paired
    /// difference (groups of <see cref="RowGroups"/> as units, at least <see cref="MinimumGroupsToStop"/> of them); the
    /// rest run the remaining folds. Every candidate sees the same folds; a stopped one keeps its partial metrics and a
    /// note, and is never chosen. See <see cref="StandardRacingMargin"/>.
    /// </summary>
    public double? RacingStandardErrors { get; init; }

    /// <summary>
    /// The group of each row (e.g. its student), so the standard errors of racing and of the family rule count a group's
    /// correlated rows as one unit; null treats every row as its own unit.
    /// </summary>
    public IReadOnlyList<string>? RowGroups { get; init; }

    /// <summary>The primary metric of the rule: "rmse" (lower is better) or "weighted_f1" (higher is better).</summary>
    public string PrimaryMetric => _task == LearningTask.Regression ? "rmse" : "weighted_f1";

    /// <summary>
    /// Cross-validates every learner on <paramref name="splits"/> of <paramref name="data"/> and chooses one.
    /// <paramref name="onCandidate"/> is told the index of each candidate, in order, when it starts (for progress). A
    /// binary split whose training rows hold one class is skipped.
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

        if (RowGroups is not null && RowGroups.Count != data.Rows)
        {
            throw new ArgumentException($"{RowGroups.Count} row groups for {data.Rows} rows.");
        }

        var width = _task == LearningTask.Regression ? 1 : ClassCount(data);
        var parts = splits.Select(s => (Train: data.SelectRows(s.Train), Test: data.SelectRows(s.Test))).ToArray();
        var usable = Enumerable.Range(0, splits.Count)
            .Where(f => _task != LearningTask.BinaryClassification || parts[f].Train.Labels.Distinct().Count() > 1).ToArray();
        var parallelFolds = parts.All(p => p.Train.Rows <= ParallelFoldRowLimit);
        var units = RowUnits.Of(RowGroups, data.Rows);
        var runs = learners.Select(l => new CandidateRun(l, data.Rows, width, splits.Count)).ToArray();

        // Racing: the first fold, the second, then the rest; without it, all folds at once.
        int[][] rungs = RacingStandardErrors is null || usable.Length < 3
            ? [usable]
            : [[usable[0]], [usable[1]], usable[2..]];
        var announced = new bool[runs.Length];
        for (var r = 0; r < rungs.Length; r++)
        {
            var work = runs.Select((run, c) => (run, c)).Where(x => x.run.Stopped is null)
                .SelectMany(x => rungs[r].Select(f => (Candidate: x.c, Fold: f))).ToArray();
            if (r > 0 && parallelFolds)
            {
                // Longest first: the folds of the slowest candidates so far start first, so the short ones fill the other
                // threads instead of one slow fold running alone at the end. Every fold's fit is the same whatever the
                // order; only the waiting changes. (The first rung keeps the grid order: candidates are announced as
                // their first fold starts, in order, and nothing is timed yet.)
                work = [.. work.OrderByDescending(w => runs[w.Candidate].SecondsPerFold)];
            }

            await RunAsync(work, runs, splits, parts, parallelFolds, announced, onCandidate, cancellationToken).ConfigureAwait(false);
            if (r < rungs.Length - 1)
            {
                StopClearlyWorse(runs, data.Labels, width, units, rungs.Take(r + 1).Sum(g => g.Length), usable.Length);
            }
        }

        var candidates = runs.Select(run => run.Result(data.Labels, width)).ToArray();
        return new SelectionResult(candidates, Choose(candidates, data.Labels, RowGroups));
    }

    /// <summary>
    /// The index the plain rule chooses (no family preference); candidates no fold evaluated, and candidates racing
    /// stopped, are never chosen before one that ran every fold.
    /// </summary>
    public static int Best(IReadOnlyList<CrossValidatedCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return Best(candidates, Enumerable.Range(0, candidates.Count));
    }

    private static int Best(IReadOnlyList<CrossValidatedCandidate> candidates, IEnumerable<int> among)
    {
        var best = -1;
        var bestScore = (Stopped: true, Primary: double.PositiveInfinity, Secondary: double.PositiveInfinity);
        foreach (var c in among)
        {
            var (primary, secondary) = Score(candidates[c]);
            var score = (Stopped: candidates[c].Stopped is not null, primary, secondary);
            if (best < 0 || score.CompareTo(bestScore) < 0)
            {
                best = c;
                bestScore = score;
            }
        }

        return Math.Max(best, 0);
    }

    /// <summary>
    /// The index the full rule chooses: <see cref="Best(IReadOnlyList{CrossValidatedCandidate})"/>, except that a winner of
    /// another library than the first candidate's gives way to the first library's best unless it beats it by more than
    /// one standard error of their paired per-row difference on <paramref name="labels"/> (each group of
    /// <paramref name="groups"/> one unit; null: each row).
    /// </summary>
    public static int Choose(IReadOnlyList<CrossValidatedCandidate> candidates, float[] labels, IReadOnlyList<string>? groups = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(labels);
        var best = Best(candidates);
        var winner = candidates[best];
        var family = candidates[0].Learner.Library;
        if (winner.Learner.Library == family || winner.Stopped is not null || !winner.Evaluated)
        {
            return best;
        }

        var incumbent = Best(candidates, Enumerable.Range(0, candidates.Count).Where(c => candidates[c].Learner.Library == family));
        var preferred = candidates[incumbent];
        if (preferred.Stopped is not null || !preferred.Evaluated)
        {
            return best;
        }

        var width = winner.Regression is not null ? 1 : winner.OutOfFold.Length / labels.Length;
        var (mean, error) = PairedDifference(preferred, winner, labels, width, RowUnits.Of(groups, labels.Length));
        return mean > error ? best : incumbent;
    }

    /// <summary>The rule as a pair compared in order, lower first (F1 negated).</summary>
    private static (double Primary, double Secondary) Score(CrossValidatedCandidate candidate) => candidate switch
    {
        { Regression: { } r } => (r.Rmse, r.Mae),
        { Classification: { } m } => (-m.WeightedF1, m.LogLoss),
        _ => (double.PositiveInfinity, double.PositiveInfinity),
    };

    /// <summary>After a rung: stops every running candidate clearly worse than the leader on the rows held out so far.</summary>
    private void StopClearlyWorse(CandidateRun[] runs, float[] labels, int width, RowUnits units, int foldsDone, int folds)
    {
        var running = Enumerable.Range(0, runs.Length).Where(c => runs[c].Stopped is null).ToArray();
        if (running.Length < 2)
        {
            return;
        }

        var results = runs.Select(r => r.Result(labels, width)).ToArray();
        if (units.Count(results[running[0]].Predicted) < MinimumGroupsToStop)
        {
            return;
        }

        var leader = Best(results, running);
        foreach (var c in running.Where(c => c != leader))
        {
            var (mean, error) = PairedDifference(results[c], results[leader], labels, width, units);
            if (mean > 0 && mean > RacingStandardErrors!.Value * error)
            {
                runs[c].Stopped = string.Create(CultureInfo.InvariantCulture,
                    $"stopped after {foldsDone} of {folds} folds: clearly worse than {results[leader].Learner.Name} on the same held-out rows ({Describe(results[c])} against {Describe(results[leader])}; {(error > 0 ? mean / error : double.PositiveInfinity):0.0} standard errors)");
            }
        }
    }

    private static string Describe(CrossValidatedCandidate candidate) => candidate switch
    {
        { Regression: { } r } => string.Create(CultureInfo.InvariantCulture, $"RMSE {r.Rmse:0.####}"),
        { Classification: { } m } => string.Create(CultureInfo.InvariantCulture, $"accuracy {m.Accuracy:0.####}"),
        _ => "not evaluated",
    };

    /// <summary>
    /// Mean per-row loss of <paramref name="a"/> minus that of <paramref name="b"/> over the rows both predicted, and its
    /// standard error with each group of rows as one unit (a cluster-robust standard error of the mean).
    /// </summary>
    private static (double Mean, double StandardError) PairedDifference(CrossValidatedCandidate a, CrossValidatedCandidate b, float[] labels, int width, RowUnits units)
    {
        var sums = new double[units.Count()];
        var sizes = new int[sums.Length];
        double total = 0;
        var rows = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (!a.Predicted[i] || !b.Predicted[i])
            {
                continue;
            }

            var d = Loss(a.OutOfFold, labels, i, width) - Loss(b.OutOfFold, labels, i, width);
            sums[units.Index[i]] += d;
            sizes[units.Index[i]]++;
            total += d;
            rows++;
        }

        if (rows == 0)
        {
            return (0, 0);
        }

        var mean = total / rows;
        double squares = 0;
        var groups = 0;
        for (var g = 0; g < sums.Length; g++)
        {
            if (sizes[g] > 0)
            {
                var deviation = sums[g] - (sizes[g] * mean);
                squares += deviation * deviation;
                groups++;
            }
        }

        return groups < 2 ? (mean, double.PositiveInfinity) : (mean, Math.Sqrt(squares * groups / (groups - 1)) / rows);
    }

    /// <summary>Squared error (regression) or misclassification (the most probable class is not the label).</summary>
    private static double Loss(double[] outOfFold, float[] labels, int row, int width)
    {
        if (width == 1)
        {
            var e = outOfFold[row] - labels[row];
            return e * e;
        }

        var p = outOfFold.AsSpan(row * width, width);
        var predicted = 0;
        for (var k = 1; k < width; k++)
        {
            predicted = p[k] > p[predicted] ? k : predicted;
        }

        return predicted == (int)labels[row] ? 0 : 1;
    }

    /// <summary>
    /// Runs the (candidate, fold) pairs of a rung: in parallel one thread each on small folds, one at a time with every
    /// thread on large ones. Candidates are announced in order as their first fold starts.
    /// </summary>
    private async Task RunAsync(
        (int Candidate, int Fold)[] work, CandidateRun[] runs, IReadOnlyList<DataSplit> splits, (TrainingSet Train, TrainingSet Test)[] parts,
        bool parallelFolds, bool[] announced, Func<int, CancellationToken, Task>? onCandidate, CancellationToken cancellationToken)
    {
        var started = Channel.CreateUnbounded<int>();
        var next = -1;
        var gate = new object();
        var fitThreads = parallelFolds ? 1 : _threads;
        void Worker()
        {
            while (true)
            {
                int item;
                lock (gate)
                {
                    item = ++next;
                    if (item >= work.Length)
                    {
                        return;
                    }

                    var candidate = work[item].Candidate;
                    if (!announced[candidate])
                    {
                        announced[candidate] = true;
                        started.Writer.TryWrite(candidate);
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                var (c, f) = work[item];
                runs[c].RunFold(_task, splits[f], parts[f], f, fitThreads);
            }
        }

        var workers = Enumerable.Range(0, parallelFolds ? Math.Min(_threads, Math.Max(1, work.Length)) : 1)
            .Select(_ => Task.Factory.StartNew(Worker, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var all = Task.Run(async () =>
        {
            try
            {
                await Task.WhenAll(workers).ConfigureAwait(false);
            }
            finally
            {
                started.Writer.Complete();
            }
        }, CancellationToken.None);
        await foreach (var candidate in started.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (onCandidate is not null)
            {
                await onCandidate(candidate, cancellationToken).ConfigureAwait(false);
            }
        }

        await all.ConfigureAwait(false);
    }

    private int ClassCount(TrainingSet data) => _task switch
    {
        LearningTask.BinaryClassification => 2,
        _ => data.ClassCount ?? ((int)data.Labels.Max() + 1),
    };

    /// <summary>Each row's unit for standard errors (its group's index) and the number of units.</summary>
    private sealed record RowUnits(int[] Index, int Total)
    {
        public static RowUnits Of(IReadOnlyList<string>? groups, int rows)
        {
            if (groups is null)
            {
                return new RowUnits(Enumerable.Range(0, rows).ToArray(), rows);
            }

            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var of = new int[rows];
            for (var i = 0; i < rows; i++)
            {
                if (!index.TryGetValue(groups[i], out var g))
                {
                    index[groups[i]] = g = index.Count;
                }

                of[i] = g;
            }

            return new RowUnits(of, index.Count);
        }

        public int Count() => Total;

        /// <summary>Units among the rows marked.</summary>
        public int Count(bool[] rows) => Enumerable.Range(0, rows.Length).Where(i => rows[i]).Select(i => Index[i]).Distinct().Count();
    }

    /// <summary>One candidate's folds as they complete (folds may run on several threads at once).</summary>
    private sealed class CandidateRun(ILearner learner, int rows, int width, int folds)
    {
        private readonly double[] _outOfFold = Filled(rows * width);
        private readonly bool[] _predicted = new bool[rows];
        private readonly Dictionary<string, double>?[] _foldMetrics = new Dictionary<string, double>?[folds];
        private long _ticks;

        public string? Stopped { get; set; }

        /// <summary>Mean time of a fold so far (0 before the first).</summary>
        public double SecondsPerFold
        {
            get
            {
                var done = _foldMetrics.Count(m => m is not null);
                return done == 0 ? 0 : TimeSpan.FromTicks(Interlocked.Read(ref _ticks)).TotalSeconds / done;
            }
        }

        public void RunFold(LearningTask task, DataSplit split, (TrainingSet Train, TrainingSet Test) part, int fold, int threads)
        {
            var clock = Stopwatch.StartNew();
            var (train, test) = part;
            var model = learner.Fit(task, train, threads);
            var values = width == 1 ? model.PredictBatch(test.Features, threads) : model.PredictProbabilitiesBatch(test.Features, threads);
            var held = split.Test;
            for (var i = 0; i < held.Length; i++)
            {
                values.AsSpan(i * width, width).CopyTo(_outOfFold.AsSpan(held[i] * width, width));
                _predicted[held[i]] = true;
            }

            _foldMetrics[fold] = FoldMetrics(values, test.Labels, width);
            Interlocked.Add(ref _ticks, clock.Elapsed.Ticks);
        }

        public CrossValidatedCandidate Result(float[] labels, int width)
        {
            var evaluated = _foldMetrics.Where(m => m is not null).Select(m => m!).ToArray();
            var summaries = evaluated.Length == 0
                ? new Dictionary<string, MetricSummary>(StringComparer.Ordinal)
                : evaluated[0].Keys.ToDictionary(k => k, k => MetricSummary.FromValues(evaluated.Select(m => m[k]).ToArray()), StringComparer.Ordinal);
            RegressionMetrics? regression = null;
            ClassificationMetrics? classification = null;
            if (evaluated.Length > 0)
            {
                var (values, pooledLabels) = Pooled(_outOfFold, _predicted, labels, width);
                if (width == 1)
                {
                    regression = RegressionMetrics.Compute(values, pooledLabels);
                }
                else
                {
                    classification = ClassificationMetrics.Compute(values, pooledLabels, width);
                }
            }

            return new CrossValidatedCandidate(learner, (double[])_outOfFold.Clone(), (bool[])_predicted.Clone(), summaries, regression, classification,
                TimeSpan.FromTicks(Interlocked.Read(ref _ticks)).TotalSeconds, Stopped);
        }

        private static double[] Filled(int length)
        {
            var values = new double[length];
            Array.Fill(values, double.NaN);
            return values;
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
    }
}
