using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// Retrains the recommender from the logged events (hourly by default; skipped when no event arrived since the latest
/// version). One at a time, across nodes too (the job disallows concurrent execution); transient failures are retried
/// with back-off. Each retraining that trains is a <see cref="Training.TrainingRun"/> of kind
/// <see cref="Training.TrainingRunKind.Recommendations"/>, which the jobs page lists.
/// </summary>
[RetryPolicy(3, "00:00:30", 2.0)]
public sealed partial class TrainRecommenderJob(RecommenderTraining training, ILogger<TrainRecommenderJob> logger) : IJob
{
    public static readonly JobKey Key = new("train-recommender", "recommendation");

    /// <summary>Job data flag: train even when no event arrived (the jobs page's Run now, the reindex endpoint).</summary>
    public const string ForceKey = "force";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var forced = context.MergedJobDataMap.TryGetValue(ForceKey, out var f) && string.Equals(f?.ToString(), "true", StringComparison.OrdinalIgnoreCase);
        var outcome = await training.TrainAsync(forced ? "run now" : "job", forced, cancellationToken);
        LogOutcome(logger, outcome.Message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recommender retraining: {Outcome}")]
    private static partial void LogOutcome(ILogger logger, string outcome);
}

/// <summary>At start-up: makes sure the recommender job and its trigger exist with the configured cron (idempotent).</summary>
public sealed class RecommendationScheduleBootstrapper(ISchedulerFactory schedulers, IOptions<RecommendationOptions> options) : IHostedService
{
    public static readonly TriggerKey RetrainTrigger = new("hourly-retrain", "recommendation");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await EnsureJobAsync(scheduler, cancellationToken);
        var cron = options.Value.RetrainCron;
        var existing = await scheduler.GetTrigger(RetrainTrigger, cancellationToken);
        if (existing is not ICronTrigger current || current.CronExpressionString != cron)
        {
            var trigger = TriggerBuilder.Create()
                .WithIdentity(RetrainTrigger)
                .ForJob(TrainRecommenderJob.Key)
                .WithDescription("Retrain the recommender when events arrived since the last version")
                .WithSchedule(CronScheduleBuilder.Create(cron))
                .Build();
            await scheduler.ScheduleJob(trigger, ScheduleJobOptions.Replacing, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The durable, recoverable recommender job (added once).</summary>
    public static async Task EnsureJobAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        if (await scheduler.GetJobDetail(TrainRecommenderJob.Key, cancellationToken) is not null)
        {
            return;
        }

        var job = JobBuilder.Create<TrainRecommenderJob>()
            .WithIdentity(TrainRecommenderJob.Key)
            .WithDescription("Retrain the resource recommender from the logged events")
            .StoreDurably(true)
            .RequestRecovery(true)
            .DisallowConcurrentExecution(true)
            .Build();
        await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);
    }
}
