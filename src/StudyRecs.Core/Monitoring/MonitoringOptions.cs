using System.ComponentModel.DataAnnotations;

namespace StudyRecs.Core.Monitoring;

/// <summary>Settings of drift monitoring, realised accuracy and automatic retraining (section <c>Monitoring</c>).</summary>
public sealed class MonitoringOptions : IValidatableObject
{
    public const string SectionName = "Monitoring";

    /// <summary>Quartz cron of the monitoring job (drift, then realised accuracy); daily at 03:30 by default.</summary>
    [Required]
    public string Cron { get; set; } = "0 30 3 * * ?";

    /// <summary>Days of uploads and forecasts the drift check compares with the training data.</summary>
    [Range(1, 3650)]
    public int LookbackDays { get; set; } = 30;

    /// <summary>Fewer samples than this give "not enough data", not a verdict.</summary>
    [Range(1, 100_000_000)]
    public int MinSamples { get; set; } = 50;

    /// <summary>A feature whose PSI reaches this has drifted (0.1 is a small shift, 0.25 a large one by common practice).</summary>
    [Range(0.001, 100)]
    public double DriftThreshold { get; set; } = 0.25;

    /// <summary>Queue a training (trigger "drift" or "feedback") once per new alert.</summary>
    public bool AutoRetrain { get; set; }

    /// <summary>Days of forecast snapshots the realised-accuracy check matches with later outcomes.</summary>
    [Range(1, 3650)]
    public int FeedbackLookbackDays { get; set; } = 180;

    /// <summary>Matched outcomes a version needs before its realised metrics are judged.</summary>
    [Range(1, 100_000_000)]
    public int FeedbackMinSamples { get; set; } = 30;

    /// <summary>
    /// Relative margin: a version alerts when its realised RMSE exceeds its cross-validated RMSE by more than this share
    /// (regression), or its realised accuracy falls below its cross-validated accuracy by more than this share (grades).
    /// </summary>
    [Range(0, 10)]
    public double FeedbackMargin { get; set; } = 0.2;

    /// <summary>Forecast snapshots kept in memory for the writer before requests wait for it.</summary>
    [Range(100, 1_000_000)]
    public int SnapshotQueueCapacity { get; set; } = 50_000;

    /// <summary>Largest batch of snapshots stored in one transaction.</summary>
    [Range(1, 10_000)]
    public int SnapshotBatchSize { get; set; } = 500;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? problem = null;
        try
        {
            _ = new Quartz.CronExpression(Cron ?? "");
        }
        catch (FormatException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return new ValidationResult($"'{Cron}' is not a Quartz cron expression (e.g. \"0 30 3 * * ?\" for daily at 03:30): {problem}", [nameof(Cron)]);
        }
    }
}
