using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Data;

/// <summary>What changed since the last look, as open pages care about it.</summary>
[Flags]
public enum ActivityKinds
{
    None = 0,

    /// <summary>A training run was queued, started, advanced a step or candidate, or finished.</summary>
    Training = 1,

    /// <summary>A dataset was uploaded, changed status, was archived, restored or deleted.</summary>
    Datasets = 2,

    /// <summary>A model version was registered or activated, or a task was pinned or unpinned.</summary>
    Models = 4,

    /// <summary>An account was created, deleted, given another role, locked or unlocked.</summary>
    Accounts = 8,

    /// <summary>A scheduled job was paused or resumed (on any node: the pause is a row of the shared job store).</summary>
    Jobs = 16,
}

/// <summary>
/// A cheap fingerprint of the rows open pages show: the unfinished training runs with their steps, dataset counts per
/// status, versions, active versions and pins, accounts per role, and the paused job groups. Two equal stamps mean
/// nothing a page shows changed.
/// </summary>
public sealed record ActivityStamp(string Training, string Datasets, string Models, string Accounts, string Jobs = "")
{
    /// <summary>The kinds whose part differs from <paramref name="before"/>.</summary>
    public ActivityKinds ChangedSince(ActivityStamp before) =>
        (Training != before.Training ? ActivityKinds.Training : ActivityKinds.None)
        | (Datasets != before.Datasets ? ActivityKinds.Datasets : ActivityKinds.None)
        | (Models != before.Models ? ActivityKinds.Models : ActivityKinds.None)
        | (Accounts != before.Accounts ? ActivityKinds.Accounts : ActivityKinds.None)
        | (Jobs != before.Jobs ? ActivityKinds.Jobs : ActivityKinds.None);

    /// <summary>Reads the stamp in a few aggregate queries.</summary>
    public static async Task<ActivityStamp> ReadAsync(StudyRecsDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var runs = db.Set<TrainingRun>().AsNoTracking();
        var newestRun = await runs.MaxAsync(r => (long?)r.Id, cancellationToken);
        var unfinished = await runs.Where(r => r.Status == TrainingRunStatus.Queued || r.Status == TrainingRunStatus.Running)
            .OrderBy(r => r.Id).Select(r => new { r.Id, r.Status, r.Step, r.CandidateIndex, r.CandidateCount })
            .ToListAsync(cancellationToken);

        var datasets = await db.Set<UploadedDataset>().AsNoTracking()
            .GroupBy(d => new { d.Status, Archived = d.ArchivedAt != null })
            .Select(g => new { g.Key.Status, g.Key.Archived, Count = g.Count(), Newest = g.Max(d => d.Id) })
            .ToListAsync(cancellationToken);

        var models = db.Set<TrainedModel>().AsNoTracking();
        var versions = await models.GroupBy(m => m.Task).Select(g => new { Task = g.Key, Count = g.Count(), Newest = g.Max(m => m.Id) }).ToListAsync(cancellationToken);
        var activeVersions = await models.Where(m => m.IsActive).Select(m => new { m.Task, m.Version }).ToListAsync(cancellationToken);
        var pins = await db.Set<ModelPin>().AsNoTracking().Select(p => new { p.Task, p.Version, p.PinnedAt }).ToListAsync(cancellationToken);

        var roles = await db.UserRoles.GroupBy(r => r.RoleId).Select(g => new { Role = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var users = await db.Users.CountAsync(cancellationToken);
        // SQLite cannot compare DateTimeOffset in SQL; the set of lockout ends is small.
        var lockoutEnds = await db.Users.Where(u => u.LockoutEnd != null).Select(u => u.LockoutEnd).ToListAsync(cancellationToken);

        return new ActivityStamp(
            $"{newestRun}|{string.Join(';', unfinished.Select(r => $"{r.Id},{r.Status},{r.Step},{r.CandidateIndex}/{r.CandidateCount}"))}",
            string.Join(';', datasets.OrderBy(d => d.Status).ThenBy(d => d.Archived).Select(d => $"{d.Status},{d.Archived},{d.Count},{d.Newest}")),
            string.Join(';', versions.OrderBy(v => v.Task).Select(v => $"{v.Task},{v.Count},{v.Newest}"))
                + "|" + string.Join(';', activeVersions.OrderBy(a => a.Task).Select(a => $"{a.Task},{a.Version}"))
                + "|" + string.Join(';', pins.OrderBy(p => p.Task).Select(p => $"{p.Task},{p.Version},{p.PinnedAt.UtcTicks}")),
            $"{users}|{string.Join(';', roles.OrderBy(r => r.Role, StringComparer.Ordinal).Select(r => $"{r.Role},{r.Count}"))}|{lockoutEnds.Count(end => end > now)}");
    }
}

/// <summary>
/// The one watcher behind every live page of a node: reads the <see cref="ActivityStamp"/> at <see cref="Interval"/>
/// and tells the pages that subscribed what changed. It watches the database, so trainings run by another node, a
/// worker or the CLI reach the pages as well, and a node with a hundred open pages still asks the database once.
/// </summary>
public sealed partial class PortalActivity(IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time, ILogger<PortalActivity> logger) : BackgroundService
{
    private readonly Lock gate = new();
    private readonly List<Subscription> subscribers = [];
    private ActivityStamp? last;

    /// <summary>
    /// Whether to watch which job groups are paused, where the database holds Quartz's job store (the portal's): a pause
    /// is a row of its table, so one pressed on another node shows here too. Read with a plain query rather than through
    /// the scheduler, which may be busy with its own locks in a cluster.
    /// </summary>
    public bool WatchesJobStore { get; init; }

    /// <summary>How often the stamp is read (setting <c>Portal:LiveUpdateSeconds</c>).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The number of open subscriptions (pages listening).</summary>
    public int Subscribers
    {
        get
        {
            lock (gate)
            {
                return subscribers.Count;
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="onChange"/> with what changed after every look that found a change, until the returned
    /// handle is disposed. Subscribe before loading what the page shows, so no change falls between the two.
    /// </summary>
    public IDisposable Subscribe(Func<ActivityKinds, Task> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        var subscription = new Subscription(this, onChange);
        lock (gate)
        {
            subscribers.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Reads the stamp once and, if it changed, tells the subscribers (without waiting for them); returns what changed.</summary>
    public async Task<ActivityKinds> LookAsync(CancellationToken cancellationToken)
    {
        ActivityStamp now;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            now = await ActivityStamp.ReadAsync(db, time.GetUtcNow(), cancellationToken);
            if (WatchesJobStore)
            {
                var paused = await db.Database.SqlQueryRaw<string>(
                    $"SELECT TRIGGER_GROUP AS \"Value\" FROM {QuartzSchema.TablePrefix}PAUSED_TRIGGER_GRPS WHERE SCHED_NAME = {{0}}",
                    SchedulingServiceCollectionExtensions.SchedulerName).ToListAsync(cancellationToken);
                now = now with { Jobs = string.Join(';', paused.Order(StringComparer.Ordinal)) };
            }
        }

        var changed = last is null ? ActivityKinds.None : now.ChangedSince(last);
        last = now;
        if (changed == ActivityKinds.None)
        {
            return changed;
        }

        Subscription[] listening;
        lock (gate)
        {
            listening = [.. subscribers];
        }

        // Not awaited: each page reloads on its own circuit, and a slow or failing one keeps the news from no other.
        foreach (var subscription in listening)
        {
            _ = NotifyAsync(subscription.OnChange, changed);
        }

        return changed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await LookAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogLookFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task NotifyAsync(Func<ActivityKinds, Task> notify, ActivityKinds changed)
    {
        try
        {
            await notify(changed);
        }
        catch (OperationCanceledException)
        {
            // That page was left while it reloaded.
        }
        catch (Exception e)
        {
            LogSubscriberFailed(logger, e);
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (gate)
        {
            subscribers.Remove(subscription);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read what changed for the live pages; they show what they had and are told at the next look.")]
    private static partial void LogLookFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An open page failed to reload after a change.")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception);

    private sealed class Subscription(PortalActivity owner, Func<ActivityKinds, Task> onChange) : IDisposable
    {
        private int disposed;

        public Func<ActivityKinds, Task> OnChange => onChange;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Unsubscribe(this);
            }
        }
    }
}
