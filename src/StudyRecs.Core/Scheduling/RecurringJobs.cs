using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace StudyRecs.Core.Scheduling;

/// <summary>
/// One recurring job of the portal: a durable job and the cron trigger that fires it. Each feature declares its own
/// (<see cref="TrainModelsJob.Recurring"/>, the recommender's and monitoring's) and adds it with
/// <see cref="RecurringJobs.AddRecurringJob"/>; one bootstrapper schedules the whole list.
/// </summary>
/// <param name="Recoverable">Run again by the store after a node died during it (trainings); a check that runs daily need not.</param>
/// <param name="Cron">The configured cron, read when the portal starts.</param>
public sealed record RecurringJob(JobKey Key, Type JobType, string Description, bool Recoverable, TriggerKey Trigger, string TriggerDescription,
    Func<IServiceProvider, string> Cron)
{
    /// <summary>Data every firing of the trigger carries (the grade job's "nightly" flag).</summary>
    public IReadOnlyDictionary<string, string> TriggerData { get; init; } = new Dictionary<string, string>();
}

/// <summary>The list of recurring jobs and the one way to put a job and its trigger into the scheduler.</summary>
public static class RecurringJobs
{
    /// <summary>Adds <paramref name="job"/> to the list the portal schedules at start-up (with the one bootstrapper).</summary>
    public static IServiceCollection AddRecurringJob(this IServiceCollection services, RecurringJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        services.AddSingleton(job);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RecurringJobsBootstrapper>());
        return services;
    }

    /// <summary>The job, durable and never run twice at once (added once; idempotent).</summary>
    public static async Task EnsureJobAsync(IScheduler scheduler, RecurringJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(job);
        if (await scheduler.GetJobDetail(job.Key, cancellationToken) is not null)
        {
            return;
        }

        var detail = JobBuilder.Create()
            .OfType(job.JobType)
            .WithIdentity(job.Key)
            .WithDescription(job.Description)
            .StoreDurably(true)
            .RequestRecovery(job.Recoverable)
            .DisallowConcurrentExecution(true)
            .Build();
        await scheduler.AddJob(detail, AddJobOptions.Replacing, cancellationToken);
    }

    /// <summary>The job and its trigger with <paramref name="cron"/>; a trigger that already has that cron is left alone (its next firing stays).</summary>
    public static async Task ScheduleAsync(IScheduler scheduler, RecurringJob job, string cron, CancellationToken cancellationToken)
    {
        await EnsureJobAsync(scheduler, job, cancellationToken);
        if (await scheduler.GetTrigger(job.Trigger, cancellationToken) is ICronTrigger current && current.CronExpressionString == cron)
        {
            return;
        }

        var data = new JobDataMap();
        foreach (var (key, value) in job.TriggerData)
        {
            data[key] = value;
        }

        var trigger = TriggerBuilder.Create()
            .WithIdentity(job.Trigger)
            .ForJob(job.Key)
            .WithDescription(job.TriggerDescription)
            .UsingJobData(data)
            .WithSchedule(CronScheduleBuilder.Create(cron))
            .Build();
        await scheduler.ScheduleJob(trigger, ScheduleJobOptions.Replacing, cancellationToken);
    }
}

/// <summary>At start-up: every recurring job and its trigger exist with the configured cron (idempotent, on every node).</summary>
public sealed class RecurringJobsBootstrapper(IEnumerable<RecurringJob> jobs, ISchedulerFactory schedulers, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var job in jobs)
        {
            await RecurringJobs.ScheduleAsync(scheduler, job, job.Cron(services), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
