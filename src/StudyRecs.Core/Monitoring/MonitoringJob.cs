using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Scheduling;

namespace StudyRecs.Core.Monitoring;

/// <summary>The daily monitoring: drift of the serving version, then realised accuracy, with the configured settings.</summary>
[DisallowConcurrentExecution]
public sealed partial class MonitoringJob(DriftMonitor drift, RealisedAccuracy feedback, ILogger<MonitoringJob> logger) : IJob
{
    public static readonly JobKey Key = new("monitor-models", "monitoring");

    /// <summary>The daily check of the serving models (<c>Monitoring:Cron</c>); a missed check waits for the next day.</summary>
    public static readonly RecurringJob Recurring = new(Key, typeof(MonitoringJob), "Check the serving models for drift and realised accuracy; raise alerts, retrain when configured", false,
        new TriggerKey("daily-monitoring", "monitoring"), "Daily drift and realised-accuracy check",
        sp => sp.GetRequiredService<IOptions<MonitoringOptions>>().Value.Cron);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var driftReport = await drift.CheckAsync(cancellationToken);
        LogDrift(logger, driftReport.ModelVersion, driftReport.Samples, driftReport.Message, driftReport.RetrainQueued);
        var feedbackReport = await feedback.EvaluateAsync(cancellationToken);
        LogFeedback(logger, feedbackReport.Matched, feedbackReport.Versions.Count(v => v.WorseThanCv), feedbackReport.RetrainQueued);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Drift check of version {Version} over {Samples} samples: {Message} Retrain queued: {Queued}.")]
    private static partial void LogDrift(ILogger logger, string? version, long samples, string message, bool queued);

    [LoggerMessage(Level = LogLevel.Information, Message = "Realised accuracy over {Matched} matched outcomes: {Worse} version(s) worse than cross-validated. Retrain queued: {Queued}.")]
    private static partial void LogFeedback(ILogger logger, int matched, int worse, bool queued);
}
