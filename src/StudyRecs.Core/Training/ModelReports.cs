using StudyRecs.Learning.Metrics;
using StudyRecs.Learning.Validation;

namespace StudyRecs.Core.Training;

/// <summary>Where a model's training data came from and what training cost.</summary>
/// <param name="RowsUsed">Labelled rows of the task.</param>
/// <param name="DatasetIds">Datasets whose rows were used.</param>
/// <param name="DataHash">SHA-256 over the training rows in canonical order.</param>
/// <param name="DurationSeconds">Wall time of the task's cross-validation, refit and calibration.</param>
/// <param name="CvFolds">Folds of the cross-validation, grouped by student.</param>
/// <param name="Students">Distinct students in the rows (the groups of the cross-validation).</param>
public sealed record TrainingDataSummary(int RowsUsed, IReadOnlyList<long> DatasetIds, string DataHash, double DurationSeconds, int CvFolds, int Students);

/// <summary>One candidate of the grid with its cross-validated metrics (the CV results table).</summary>
/// <param name="Metrics">Mean and spread over the folds, by metric name (<c>rmse</c>, <c>mae</c>, <c>r2</c>; <c>accuracy</c>, <c>weighted_f1</c>, <c>log_loss</c>).</param>
/// <param name="Library">The learner library (<c>studyrecs</c> or <c>ml.net</c>); null in reports written before ML.NET joined (all the engine's).</param>
/// <param name="Note">Why racing stopped the candidate before its last fold (its metrics then cover only the folds it ran); null when it ran every fold.</param>
public sealed record CandidateResult(string Candidate, string Algorithm, IReadOnlyDictionary<string, MetricSummary> Metrics, double DurationSeconds, bool Selected, string? Library = null, string? Note = null);

/// <summary>Share of the total split gain of one feature (shares of all features sum to 1).</summary>
public sealed record FeatureImportance(string Feature, double Gain);

/// <summary>
/// Spread of cross-validated residuals (actual − predicted): a forecast interval of a new prediction p is
/// [p + Quantile05, p + Quantile95] for 90 %.
/// </summary>
public sealed record ResidualSpread(double Mean, double StandardDeviation, double Quantile05, double Quantile10, double Quantile25, double Median, double Quantile75, double Quantile90, double Quantile95);

/// <summary>
/// Metrics of a final-marks model. <see cref="Rmse"/>, <see cref="Mae"/> and <see cref="R2"/> are computed over the
/// pooled out-of-fold predictions of the student-grouped cross-validation (every row predicted by a model that never
/// saw its student); <see cref="CvRmse"/> and the others summarise the folds; <see cref="Training"/> is the refitted
/// model on its own training rows (optimistic, for comparison only); <see cref="PredictedAgainstActual"/> is a sample of
/// those out-of-fold predictions beside the rows' actual marks.
/// </summary>
/// <param name="PredictedAgainstActual">Null in reports written before the sample was kept.</param>
public sealed record RegressionReport(
    string Candidate,
    string Algorithm,
    double Rmse,
    double Mae,
    double R2,
    MetricSummary CvRmse,
    MetricSummary CvMae,
    MetricSummary CvR2,
    RegressionMetrics Training,
    ResidualSpread Residuals,
    IReadOnlyList<FeatureImportance> Importance,
    IReadOnlyList<CandidateResult> Candidates,
    TrainingDataSummary Data,
    string? Library = null,
    PredictedAgainstActual? PredictedAgainstActual = null);

/// <summary>
/// A bounded, reproducible sample of the winning candidate's out-of-fold forecasts of final marks, each beside the row's
/// actual marks (both rounded to 0.01 marks): what the predicted-against-actual scatter draws.
/// </summary>
/// <param name="Total">Rows the cross-validation forecast (the population the points were drawn from).</param>
/// <param name="Points">At most <see cref="OutOfFoldSample.MaximumPoints"/>, in the rows' training order.</param>
public sealed record PredictedAgainstActual(int Total, IReadOnlyList<MarksPair> Points);

/// <summary>One student-subject row: its actual final marks and the marks a model that never saw its student forecast.</summary>
public sealed record MarksPair(double Actual, double Predicted);

/// <summary>One grade's row of the per-class table (out-of-fold, calibrated probabilities).</summary>
public sealed record GradeReport(string Grade, double Precision, double Recall, double F1, int Support, double Brier);

/// <summary>Reliability curve of one grade's calibrated probability.</summary>
public sealed record GradeCalibration(string Grade, IReadOnlyList<CalibrationBin> Bins);

/// <summary>How the grades are spread over the training rows.</summary>
/// <param name="Counts">Rows per grade, in class order.</param>
/// <param name="ImbalanceRatio">Rows of the most frequent grade over rows of the rarest one.</param>
/// <param name="MajorityShare">Share of the most frequent grade: the accuracy of always guessing it.</param>
/// <param name="Warnings">One line per grade with under 5 % of the rows.</param>
public sealed record ClassBalance(IReadOnlyDictionary<string, int> Counts, double ImbalanceRatio, double MajorityShare, IReadOnlyList<string> Warnings);

/// <summary>
/// Metrics of a final-grade model. Headline metrics, confusion matrix, per-grade table and calibration curves come
/// from the pooled out-of-fold probabilities of the student-grouped cross-validation after calibration;
/// <see cref="CvAccuracy"/> and <see cref="CvWeightedF1"/> summarise the folds (before calibration).
/// </summary>
/// <param name="Classes">Grades in class order (best first, as on the grade scale).</param>
/// <param name="ConfusionMatrix">Rows: actual grade; columns: predicted grade; both in class order.</param>
/// <param name="Calibration">How probabilities were calibrated, e.g. "temperature 1.31".</param>
/// <param name="ConfidenceCurve">Reliability of the top grade's probability (is a 70 % prediction right 70 % of the time).</param>
public sealed record ClassificationReport(
    string Candidate,
    string Algorithm,
    IReadOnlyList<string> Classes,
    double Accuracy,
    double WeightedF1,
    double MacroF1,
    double LogLoss,
    double BrierMacro,
    MetricSummary CvAccuracy,
    MetricSummary CvWeightedF1,
    int[][] ConfusionMatrix,
    IReadOnlyList<GradeReport> PerClass,
    string Calibration,
    IReadOnlyList<CalibrationBin> ConfidenceCurve,
    IReadOnlyList<GradeCalibration> CalibrationCurves,
    ClassBalance Balance,
    IReadOnlyList<FeatureImportance> Importance,
    IReadOnlyList<CandidateResult> Candidates,
    TrainingDataSummary Data,
    string? Library = null);
