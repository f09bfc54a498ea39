using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace StudyRecs.Core.Monitoring;

/// <summary>The daily monitoring: drift of the serving version, then realised accuracy, with the configured settings.</summary>
[DisallowConcurrentExecution]
public sealed partial class MonitoringJob(DriftMonitor drift, RealisedAccuracy feedback, ILogger<MonitoringJob> logger) : IJob
{
    public static readonly JobKey Key = new("monitor-models", "monitoring");

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

/// <summary>Makes sure the monitoring job and its daily trigger exist with the configured cron (<c>Monitoring:Cron</c>).</summary>
public sealed class MonitoringScheduleBootstrapper(ISchedulerFactory schedulers, IOptions<MonitoringOptions> options) : IHostedService
{
    public static readonly TriggerKey DailyTrigger = new("daily-monitoring", "monitoring");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (await scheduler.GetJobDetail(MonitoringJob.Key, cancellationToken) is null)
        {
            var job = JobBuilder.Create<MonitoringJob>()
                .WithIdentity(MonitoringJob.Key)
                .WithDescription("Check the serving models for drift and realised accuracy; raise alerts, retrain when configured")
                .StoreDurably(true)
                .DisallowConcurrentExecution(true)
                .Build();
            await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);
        }

        var cron = options.Value.Cron;
        if (await scheduler.GetTrigger(DailyTrigger, cancellationToken) is not ICronTrigger current || current.CronExpressionString != cron)
        {
            var trigger = TriggerBuilder.Create()
                .WithIdentity(DailyTrigger)
                .ForJob(MonitoringJob.Key)
                .WithDescription("Daily drift and realised-accuracy check")
                .WithSchedule(CronScheduleBuilder.Create(cron))
                .Build();
            await scheduler.ScheduleJob(trigger, ScheduleJobOptions.Replacing, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
