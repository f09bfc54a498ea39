using Quartz;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Scheduling;

/// <summary>What an admin can do to a job from the jobs page.</summary>
public enum JobAction
{
    Run,
    Pause,
    Resume,
}

/// <summary>A recurring job as the jobs page shows it: its description, pause state and recurring trigger.</summary>
public sealed record JobCard(JobKey Key, string Description, bool Paused, string? Cron, string TriggerState, DateTimeOffset? PreviousFiring, DateTimeOffset? NextFiring);

/// <summary>
/// The jobs page's cards at one moment: the scheduler, each recurring job, the recommender's latest run and the latest
/// grade training run (the run history of both kinds is paged by <see cref="TrainingRunHistory"/>).
/// </summary>
public sealed record JobsOverview(string SchedulerStatus, JobCard Training, JobCard Recommender, TrainingRun? RecommenderOutcome, TrainingRun? LastRun, JobCard Precompute);

/// <summary>
/// The jobs administration use case over Quartz: what the jobs page shows, and Run now, Pause and Resume. Pages and
/// endpoints never talk to the scheduler themselves.
/// </summary>
public sealed class JobsAdministration(ISchedulerFactory schedulers, ModelRegistry registry)
{
    public async Task<JobsOverview> OverviewAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var status = (await scheduler.GetStatus(cancellationToken)).ToString();
        var training = await CardAsync(scheduler, TrainModelsJob.Key, TrainModelsJob.Recurring.Trigger, cancellationToken);
        var recommender = await CardAsync(scheduler, TrainRecommenderJob.Key, TrainRecommenderJob.Recurring.Trigger, cancellationToken);
        var outcome = await registry.RecentRunsAsync(1, TrainingRunKind.Recommendations, cancellationToken);
        var latest = await registry.RecentRunsAsync(1, TrainingRunKind.Grades, cancellationToken);
        var precompute = await CardAsync(scheduler, PrecomputeRecommendationsJob.Key, PrecomputeRecommendationsJob.Recurring.Trigger, cancellationToken);
        return new JobsOverview(status, training, recommender, outcome.Count > 0 ? outcome[0] : null, latest.Count > 0 ? latest[0] : null, precompute);
    }

    /// <summary>Whether <paramref name="message"/> of <see cref="ApplyAsync"/> says that nothing was done.</summary>
    public static bool Failed(string message) => message.StartsWith("Error:", StringComparison.Ordinal);

    /// <summary>Runs, pauses or resumes a job; answers the message for the admin, which starts with "Error:" when nothing was done.</summary>
    public async Task<string> ApplyAsync(JobKey key, JobAction action, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (await scheduler.GetJobDetail(key, cancellationToken) is null)
        {
            return $"Error: there is no job {key}.";
        }

        var paused = await JobControl.IsPausedAsync(scheduler, key, cancellationToken);
        switch (action)
        {
            case JobAction.Run:
                // Both training jobs take the same flag: train even when no data changed.
                await JobControl.FireNowAsync(scheduler, key, new JobDataMap { [TrainModelsJob.ForceKey] = "true" }, cancellationToken);
                break;
            case JobAction.Pause:
                await JobControl.PauseAsync(scheduler, key, cancellationToken);
                break;
            default:
                await JobControl.ResumeAsync(scheduler, key, cancellationToken);
                break;
        }

        return action switch
        {
            JobAction.Run when paused => $"Job {key.Name} is paused: the run is queued and starts when you resume the job.",
            JobAction.Run => $"Job {key.Name} started.",
            JobAction.Pause => $"Job {key.Name} paused: scheduled and requested runs wait until you resume it.",
            _ => $"Job {key.Name} resumed.",
        };
    }

    private static async Task<JobCard> CardAsync(IScheduler scheduler, JobKey key, TriggerKey recurring, CancellationToken cancellationToken)
    {
        var description = (await scheduler.GetJobDetail(key, cancellationToken))?.Description ?? "Not registered yet";
        string? cron = null;
        var state = "";
        DateTimeOffset? previous = null, next = null;
        if (await scheduler.GetTrigger(recurring, cancellationToken) is { } trigger)
        {
            cron = (trigger as ICronTrigger)?.CronExpressionString;
            state = (await scheduler.GetTriggerState(trigger.Key, cancellationToken)).ToString();
            previous = trigger.PreviousFireTimeUtc;
            next = trigger.NextFireTimeUtc;
        }

        return new JobCard(key, description, await JobControl.IsPausedAsync(scheduler, key, cancellationToken), cron, state, previous, next);
    }
}
