using System.Text.Json.Serialization;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Monitoring;

/// <summary>The training data's per-feature distributions (<see cref="TrainingProfile"/>) of one model version.</summary>
public class ModelTrainingProfile
{
    public long Id { get; set; }

    public long TrainedModelId { get; set; }

    public TrainedModel? Model { get; set; }

    public long Rows { get; set; }

    /// <summary>The <see cref="TrainingProfile"/> as JSON.</summary>
    public required string ProfileJson { get; set; }
}

/// <summary>
/// A forecast as a student or an API caller saw it, kept once per student, semester, subject and model versions, so
/// its outcome can be compared with it when a later upload brings the final marks, and its input counts as what the
/// models were asked to score.
/// </summary>
public class ForecastSnapshot
{
    public long Id { get; set; }

    public required string StudentId { get; set; }

    public int Semester { get; set; }

    public required string Subject { get; set; }

    public required string RegressionVersion { get; set; }

    public required string ClassificationVersion { get; set; }

    public double PredictedMarks { get; set; }

    public double IntervalLow { get; set; }

    public double IntervalHigh { get; set; }

    /// <summary>The interval's nominal coverage (0.9: the true marks fall inside 9 times out of 10 on held-out students).</summary>
    public double IntervalLevel { get; set; }

    public required string PredictedGrade { get; set; }

    /// <summary>Grade → probability, as a JSON object in the scale's order.</summary>
    public required string GradeProbabilitiesJson { get; set; }

    public double? AssignmentMarks { get; set; }

    public double? QuizMarks { get; set; }

    public double? AttendancePercentage { get; set; }

    public double? MidtermMarks { get; set; }

    public double? PreviousCgpa { get; set; }

    /// <summary>Where it was shown: <c>api</c> or <c>portal</c>.</summary>
    public required string Source { get; set; }

    public DateTime AtUtc { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<MonitoringAlertKind>))]
public enum MonitoringAlertKind
{
    /// <summary>A feature's PSI reached the drift threshold.</summary>
    Drift,

    /// <summary>A version's realised error is worse than its cross-validated estimate beyond the margin.</summary>
    Feedback,
}

[JsonConverter(typeof(JsonStringEnumConverter<MonitoringAlertState>))]
public enum MonitoringAlertState
{
    Open,
    Acknowledged,

    /// <summary>A newer version of the task became active (<see cref="MonitoringAlert.ResolvedByVersion"/>).</summary>
    Resolved,
}

/// <summary>
/// A drift or feedback alert about one model version: raised once per version and feature (or metric), kept open until
/// acknowledged or until another version of its task serves.
/// </summary>
public class MonitoringAlert
{
    public long Id { get; set; }

    public MonitoringAlertKind Kind { get; set; }

    public ModelTask Task { get; set; }

    public required string ModelVersion { get; set; }

    /// <summary>The drifted feature (<c>attendance_percentage</c>) or the realised metric (<c>rmse</c>, <c>accuracy</c>).</summary>
    public required string Subject { get; set; }

    public double Value { get; set; }

    public double Threshold { get; set; }

    public required string Message { get; set; }

    public MonitoringAlertState State { get; set; }

    public DateTime RaisedAtUtc { get; set; }

    public DateTime? AcknowledgedAtUtc { get; set; }

    public string? AcknowledgedBy { get; set; }

    public DateTime? ResolvedAtUtc { get; set; }

    public string? ResolvedByVersion { get; set; }

    /// <summary>The training auto-retrain queued for this alert, if any.</summary>
    public long? TrainingRunId { get; set; }
}

/// <summary>One feature's drift as one monitoring run measured it: the history the monitoring page charts.</summary>
public class DriftMeasurement
{
    public long Id { get; set; }

    public DateTime AtUtc { get; set; }

    public ModelTask Task { get; set; }

    public required string ModelVersion { get; set; }

    public required string Feature { get; set; }

    public double Psi { get; set; }

    public double OutOfRangeShare { get; set; }

    public long Samples { get; set; }

    public bool Drifted { get; set; }
}
