using Quartz;

namespace StudyRecs.Core.Scheduling;

/// <summary>
/// Starts, pauses and resumes a job through the trigger group named after the job's group. Quartz creates every new
/// trigger of a paused group paused, so a paused job holds the runs asked for meanwhile (uploads, Retrain, Run now,
/// the CLI) until it is resumed, instead of pausing only the triggers that existed when Pause was pressed.
/// </summary>
public static class JobControl
{
    /// <summary>Fires <paramref name="key"/> once, now, or when its group is resumed if it is paused.</summary>
    public static async Task FireNowAsync(IScheduler scheduler, JobKey key, JobDataMap data, CancellationToken cancellationToken)
    {
        var trigger = TriggerBuilder.Create()
            .WithIdentity($"{key.Name}-now-{Guid.CreateVersion7():N}", key.Group)
            .ForJob(key)
            .UsingJobData(data)
            .StartNow()
            .Build();
        await scheduler.ScheduleJob(trigger, new ScheduleJobOptions(), cancellationToken);
    }

    public static async Task PauseAsync(IScheduler scheduler, JobKey key, CancellationToken cancellationToken) =>
        await scheduler.PauseTriggerGroups(GroupMatcher<TriggerKey>.GroupEquals(key.Group), cancellationToken);

    public static async Task ResumeAsync(IScheduler scheduler, JobKey key, CancellationToken cancellationToken) =>
        await scheduler.ResumeTriggerGroups(GroupMatcher<TriggerKey>.GroupEquals(key.Group), cancellationToken);

    public static async Task<bool> IsPausedAsync(IScheduler scheduler, JobKey key, CancellationToken cancellationToken)
    {
        var groups = await scheduler.QueryTriggerGroups(new TriggerGroupQuery { Name = NameMatcher.NameEquals(key.Group), Paused = true }, cancellationToken);
        return groups.Items.Any(g => g.Name == key.Group);
    }
}
