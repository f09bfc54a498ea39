using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Scheduling;

/// <summary>
/// At start-up: marks training runs a killed process left in Running as Interrupted (their jobs are recovered by the
/// store and run again), and makes sure the training job and its nightly trigger exist with the configured cron.
/// </summary>
public sealed class ScheduleBootstrapper(IServiceScopeFactory scopes, ISchedulerFactory schedulers, IOptions<TrainingOptions> options, ILogger<ScheduleBootstrapper> logger) : IHostedService
{
    public static readonly TriggerKey NightlyTrigger = new("nightly-retrain", "training");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var interrupted = await scope.ServiceProvider.GetRequiredService<TrainingPipeline>().MarkInterruptedRunsAsync(cancellationToken);
            if (interrupted > 0)
            {
                logger.LogWarning("{Count} training run(s) were interrupted by a stop; their jobs run again.", interrupted);
            }
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await EnsureJobAsync(scheduler, cancellationToken);
        var nightly = TriggerBuilder.Create()
            .WithIdentity(NightlyTrigger)
            .ForJob(TrainModelsJob.Key)
            .WithDescription("Retrain when data changed since the last run")
            .UsingJobData(TrainModelsJob.NightlyKey, "true")
            .WithSchedule(CronScheduleBuilder.Create(options.Value.NightlyCron))
            .Build();
        var existing = await scheduler.GetTrigger(NightlyTrigger, cancellationToken);
        if (existing is not ICronTrigger cron || cron.CronExpressionString != options.Value.NightlyCron)
        {
            await scheduler.ScheduleJob(nightly, ScheduleJobOptions.Replacing, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The durable, recoverable training job (added once; idempotent).</summary>
    public static async Task EnsureJobAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        if (await scheduler.GetJobDetail(TrainModelsJob.Key, cancellationToken) is not null)
        {
            return;
        }

        var job = JobBuilder.Create<TrainModelsJob>()
            .WithIdentity(TrainModelsJob.Key)
            .WithDescription("Train grade-forecast models on the labelled rows of accepted datasets")
            .StoreDurably(true)
            .RequestRecovery(true)
            .DisallowConcurrentExecution(true)
            .Build();
        await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);
    }
}
