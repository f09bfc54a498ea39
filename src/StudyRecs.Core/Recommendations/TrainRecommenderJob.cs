using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// Retrains the recommender from the logged events (hourly by default; skipped when no event arrived since the latest
/// version). One at a time, across nodes too (the job disallows concurrent execution); transient failures are retried
/// with back-off. It keeps no <see cref="Training.TrainingRun"/>: those belong to the grade models, whose nightly
/// "data changed" check reads them. The outcome of the latest run is kept as a setting for the jobs page.
/// </summary>
[RetryPolicy(3, "00:00:30", 2.0)]
public sealed partial class TrainRecommenderJob(RecommenderTraining training, IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time, ILogger<TrainRecommenderJob> logger) : IJob
{
    public static readonly JobKey Key = new("train-recommender", "recommendation");

    /// <summary>Job data flag: train even when no event arrived (the jobs page's Run now, the reindex endpoint).</summary>
    public const string ForceKey = "force";

    /// <summary>Setting that holds the latest run's outcome.</summary>
    public const string LastOutcomeSetting = "last_training";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var forced = context.MergedJobDataMap.TryGetValue(ForceKey, out var f) && string.Equals(f?.ToString(), "true", StringComparison.OrdinalIgnoreCase);
        var outcome = await training.TrainAsync(forced ? "run now" : "job", forced, cancellationToken);
        LogOutcome(logger, outcome.Message);
        await RecordOutcomeAsync(outcome.Message, cancellationToken);
    }

    private async Task RecordOutcomeAsync(string message, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var text = message.Length > 256 ? message[..255] + "…" : message;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var setting = await db.Set<RecommendationSetting>().FirstOrDefaultAsync(s => s.Key == LastOutcomeSetting, cancellationToken);
        if (setting is null)
        {
            db.Add(new RecommendationSetting { Key = LastOutcomeSetting, Value = text, UpdatedAt = now, UpdatedBy = "job" });
        }
        else
        {
            setting.Value = text;
            setting.UpdatedAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);
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
