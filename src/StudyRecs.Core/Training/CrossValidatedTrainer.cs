using System.Globalization;
using StudyRecs.Learning;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Metrics;
using StudyRecs.Learning.Validation;

namespace StudyRecs.Core.Training;

/// <summary>Where a run is; saved so other requests can poll it.</summary>
internal interface ITrainingProgress
{
    /// <summary>Candidate <paramref name="index"/> (from 0) of <paramref name="task"/>'s grid starts cross-validating.</summary>
    Task CandidateAsync(ModelTask task, int index, int count, CancellationToken cancellationToken);

    Task StepAsync(string step, CancellationToken cancellationToken);
}

/// <summary>The rows of one task: features and labels, the student of each row, and where they came from.</summary>
internal sealed record TaskData(TrainingSet Set, IReadOnlyList<string> Students, IReadOnlyList<long> DatasetIds, string DataHash);

/// <summary>A grid candidate's cross-validated metrics.</summary>
/// <param name="Note">Why racing stopped it before the last fold (its metrics cover the folds it ran), or null.</param>
internal sealed record CandidateEvaluation(TrainingCandidate Candidate, IReadOnlyDictionary<string, MetricSummary> Metrics, double Seconds, bool Selected, string? Note = null)
{
    public CandidateResult ToResult() => new(Candidate.Name, Candidate.Algorithm, Metrics, Seconds, Selected, Candidate.Library, Note);
}

/// <summary>The model of one task: refitted winner, its report as JSON, and every candidate tried.</summary>
internal sealed record TaskTrainingResult(
    IModel Model,
    TrainingCandidate Winner,
    string MetricsJson,
    string SelectionMetric,
    double SelectionScore,
    IReadOnlyList<CandidateEvaluation> Candidates,
    int RowsUsed,
    double DurationSeconds);

/// <summary>
/// Chooses and fits one task's model: cross-validates every grid candidate on folds grouped by student (no student in
/// train and test at once), racing over the folds (a candidate clearly worse than the leader after the first or second
/// fold stops there, listed with its partial metrics and why), and picks one by <see cref="CandidateSelection"/>'s rule on the pooled out-of-fold
/// predictions (the rule `studyrecs learn` uses too), refits it on all rows, calibrates classifiers on the out-of-fold
/// probabilities, and reports metrics of the out-of-fold predictions (and, for regression, a sample of them beside the
/// actual marks).
/// </summary>
internal sealed class CrossValidatedTrainer(int folds, int seed, int threads, Func<ModelTask, IReadOnlyList<TrainingCandidate>> grid, TimeProvider time)
{
    public const string RegressionSelectionMetric = "cv_rmse";
    public const string ClassificationSelectionMetric = "cv_weighted_f1";

    private const double RareGradeShare = 0.05;

    /// <summary>Student-grouped folds; fewer than requested when there are fewer students.</summary>
    public static IReadOnlyList<DataSplit> StudentFolds(IReadOnlyList<string> students, int folds, int seed)
    {
        var distinct = students.Distinct(StringComparer.Ordinal).Count();
        if (distinct < 2)
        {
            throw new TrainingDataException($"Cross-validation grouped by student needs rows of at least 2 students; the data has {distinct}.");
        }

        return CrossValidation.GroupKFold(students, Math.Min(folds, distinct), seed);
    }

    public async Task<TaskTrainingResult> TrainRegressionAsync(TaskData data, ITrainingProgress progress, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var (splits, evaluations, selection) = await CrossValidateAsync(ModelTask.Regression, LearningTask.Regression, data, progress, cancellationToken);
        var best = selection.Best;
        var outOfFold = selection.Winner.OutOfFold;
        var winner = evaluations[best].Candidate;
        var labels = data.Set.Labels;

        await progress.StepAsync("Refitting regression model", cancellationToken);
        var model = winner.Learner.Fit(LearningTask.Regression, data.Set, threads);
        var pooled = selection.Winner.Regression!;
        var training = RegressionMetrics.Compute(model.PredictBatch(data.Set.Features, threads), labels);
        var residuals = new double[labels.Length];
        for (var i = 0; i < residuals.Length; i++)
        {
            residuals[i] = labels[i] - outOfFold[i];
        }

        var chosen = Mark(evaluations, best);
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        var report = new RegressionReport(
            winner.Name, winner.Algorithm, pooled.Rmse, pooled.Mae, pooled.R2,
            chosen[best].Metrics["rmse"], chosen[best].Metrics["mae"], chosen[best].Metrics["r2"], training,
            Spread(residuals), Importance(model), chosen.Select(c => c.ToResult()).ToArray(),
            Summary(data, seconds, splits.Count), winner.Library, OutOfFoldSample.Draw(selection.Winner, labels, seed));
        return new TaskTrainingResult(model, winner, ModelMetricsJson.Write(report), RegressionSelectionMetric, report.CvRmse.Mean, chosen, labels.Length, seconds);
    }

    public async Task<TaskTrainingResult> TrainClassificationAsync(TaskData data, ITrainingProgress progress, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var classes = data.Set.ClassCount!.Value;
        var (splits, evaluations, selection) = await CrossValidateAsync(ModelTask.Classification, LearningTask.MulticlassClassification, data, progress, cancellationToken);
        var best = selection.Best;
        var outOfFold = selection.Winner.OutOfFold;
        var winner = evaluations[best].Candidate;
        var labels = data.Set.Labels;

        await progress.StepAsync("Refitting classification model", cancellationToken);
        var refit = winner.Learner.Fit(LearningTask.MulticlassClassification, data.Set, threads);

        await progress.StepAsync("Calibrating", cancellationToken);
        var calibrator = TemperatureCalibrator.Fit(outOfFold, labels, classes);
        var model = new CalibratedModel(refit, calibrator);
        var probabilities = (double[])outOfFold.Clone();
        for (var i = 0; i < labels.Length; i++)
        {
            calibrator.Calibrate(probabilities.AsSpan(i * classes, classes));
        }

        var metrics = ClassificationMetrics.Compute(probabilities, labels, classes);
        var names = data.Set.ClassLabels!;
        var confusion = Enumerable.Range(0, classes).Select(a => Enumerable.Range(0, classes).Select(p => metrics.Confusion(a, p)).ToArray()).ToArray();
        var perClass = metrics.PerClass.Select(c => new GradeReport(names[c.Class], c.Precision, c.Recall, c.F1, c.Support, c.Brier)).ToArray();
        var chosen = Mark(evaluations, best);
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        var report = new ClassificationReport(
            winner.Name, winner.Algorithm, names, metrics.Accuracy, metrics.WeightedF1, metrics.MacroF1, metrics.LogLoss, metrics.BrierMacro,
            chosen[best].Metrics["accuracy"], chosen[best].Metrics["weighted_f1"], confusion, perClass,
            string.Create(CultureInfo.InvariantCulture, $"temperature {calibrator.Temperature:0.###}"),
            ConfidenceCurve(probabilities, labels, classes), GradeCurves(probabilities, labels, names),
            Balance(labels, names), Importance(model), chosen.Select(c => c.ToResult()).ToArray(),
            Summary(data, seconds, splits.Count), winner.Library);
        return new TaskTrainingResult(model, winner, ModelMetricsJson.Write(report), ClassificationSelectionMetric, report.CvWeightedF1.Mean, chosen, labels.Length, seconds);
    }

    /// <summary>Cross-validates every candidate on the student folds; returns the folds, each candidate's fold metrics and the selection.</summary>
    private async Task<(IReadOnlyList<DataSplit> Splits, CandidateEvaluation[] Evaluations, SelectionResult Selection)> CrossValidateAsync(
        ModelTask task, LearningTask learningTask, TaskData data, ITrainingProgress progress, CancellationToken cancellationToken)
    {
        var splits = StudentFolds(data.Students, folds, seed);
        var candidates = grid(task);
        var racing = new CandidateSelection(learningTask, threads) { RacingStandardErrors = CandidateSelection.StandardRacingMargin, RowGroups = data.Students };
        var selection = await racing.SelectAsync(
            candidates.Select(c => c.Learner).ToArray(), data.Set, splits,
            (index, ct) => progress.CandidateAsync(task, index, candidates.Count, ct), cancellationToken);
        var evaluations = selection.Candidates
            .Select((c, i) => new CandidateEvaluation(candidates[i], c.FoldMetrics, c.Seconds, Selected: false, c.Stopped)).ToArray();
        return (splits, evaluations, selection);
    }

    private static CandidateEvaluation[] Mark(CandidateEvaluation[] evaluations, int best) =>
        evaluations.Select((e, i) => e with { Selected = i == best }).ToArray();

    private static TrainingDataSummary Summary(TaskData data, double seconds, int foldCount) =>
        new(data.Set.Rows, data.DatasetIds, data.DataHash, seconds, foldCount, data.Students.Distinct(StringComparer.Ordinal).Count());

    /// <summary>Share of the total gain per feature, largest first; empty when the model cannot weigh its features.</summary>
    private static FeatureImportance[] Importance(IModel model)
    {
        if (model.As<IFeatureImportanceModel>() is not { } weighing)
        {
            return [];
        }

        var gains = weighing.FeatureImportance();
        var total = gains.Sum();
        return gains.Select((g, i) => new FeatureImportance(model.FeatureNames[i], total > 0 ? g / total : 0))
            .OrderByDescending(f => f.Gain).ThenBy(f => f.Feature, StringComparer.Ordinal).ToArray();
    }

    private static ResidualSpread Spread(double[] residuals)
    {
        var sorted = (double[])residuals.Clone();
        Array.Sort(sorted);
        var summary = MetricSummary.FromValues(sorted);
        return new ResidualSpread(summary.Mean, summary.StandardDeviation,
            Quantile(sorted, 0.05), Quantile(sorted, 0.10), Quantile(sorted, 0.25), Quantile(sorted, 0.5),
            Quantile(sorted, 0.75), Quantile(sorted, 0.90), Quantile(sorted, 0.95));
    }

    /// <summary>Linear interpolation between order statistics (the usual "type 7" quantile).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    private static IReadOnlyList<CalibrationBin> ConfidenceCurve(double[] probabilities, float[] labels, int classes)
    {
        var top = new double[labels.Length];
        var correct = new bool[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            var row = probabilities.AsSpan(i * classes, classes);
            var predicted = 0;
            for (var k = 1; k < classes; k++)
            {
                if (row[k] > row[predicted])
                {
                    predicted = k;
                }
            }

            top[i] = row[predicted];
            correct[i] = predicted == (int)labels[i];
        }

        return ClassificationMetrics.CalibrationCurve(top, correct);
    }

    private static GradeCalibration[] GradeCurves(double[] probabilities, float[] labels, IReadOnlyList<string> names)
    {
        var classes = names.Count;
        var curves = new GradeCalibration[classes];
        var column = new double[labels.Length];
        var positive = new bool[labels.Length];
        for (var k = 0; k < classes; k++)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                column[i] = probabilities[(i * classes) + k];
                positive[i] = (int)labels[i] == k;
            }

            curves[k] = new GradeCalibration(names[k], ClassificationMetrics.CalibrationCurve(column, positive));
        }

        return curves;
    }

    private static ClassBalance Balance(float[] labels, IReadOnlyList<string> names)
    {
        var counts = new int[names.Count];
        foreach (var label in labels)
        {
            counts[(int)label]++;
        }

        var warnings = new List<string>();
        for (var k = 0; k < counts.Length; k++)
        {
            var share = counts[k] / (double)labels.Length;
            if (share < RareGradeShare)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Grade {names[k]} has {counts[k]} of {labels.Length} rows ({share:P2}), under {RareGradeShare:P0}: its precision and recall rest on few examples."));
            }
        }

        return new ClassBalance(
            names.Select((n, k) => (n, k)).ToDictionary(x => x.n, x => counts[x.k], StringComparer.Ordinal),
            counts.Max() / (double)counts.Min(), counts.Max() / (double)labels.Length, warnings);
    }
}

/// <summary>The training data cannot produce a model (too few rows, students or grades); the message says why.</summary>
public sealed class TrainingDataException(string message) : Exception(message);
