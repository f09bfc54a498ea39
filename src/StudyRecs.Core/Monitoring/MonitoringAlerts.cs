using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using StudyRecs.Core.Data;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Monitoring;

/// <summary>An alert a check found: what, about which version, how far past its limit.</summary>
public sealed record AlertCandidate(MonitoringAlertKind Kind, ModelTask Task, string ModelVersion, string Subject, double Value, double Threshold, string Message);

/// <summary>What raising a check's alerts did: the alerts new this time, and the training queued for them.</summary>
public sealed record RaisedAlerts(IReadOnlyList<MonitoringAlert> New, TrainingRun? QueuedRun);

/// <summary>
/// The alerts of drift and feedback checks: raised once per version and feature (or metric), resolved when another
/// version of the task serves, acknowledged by staff. With auto-retrain, the alerts new in one check queue one
/// training between them (a later check finding the same alerts open queues nothing). Without a scheduler
/// registered (a CLI configured without one) nothing is queued.
/// </summary>
public sealed partial class MonitoringAlerts(
    IDbContextFactory<StudyRecsDbContext> dbs,
    TimeProvider time,
    ILogger<MonitoringAlerts> logger,
    TrainingDispatcher? training = null)
{
    /// <summary>Alerts newest first; <paramref name="state"/> null for all.</summary>
    public async Task<IReadOnlyList<MonitoringAlert>> ListAsync(MonitoringAlertState? state, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<MonitoringAlert>().AsNoTracking().Where(a => state == null || a.State == state)
            .OrderByDescending(a => a.Id).Take(Math.Clamp(take, 0, 10_000)).ToListAsync(cancellationToken);
    }

    /// <summary>Marks an open alert acknowledged; false when there is no open alert with that id.</summary>
    public async Task<bool> AcknowledgeAsync(long alertId, string by, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        return await db.Set<MonitoringAlert>().Where(a => a.Id == alertId && a.State == MonitoringAlertState.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, MonitoringAlertState.Acknowledged)
                .SetProperty(a => a.AcknowledgedAtUtc, now).SetProperty(a => a.AcknowledgedBy, by.Trim()), cancellationToken) > 0;
    }

    /// <summary>Resolves the open and acknowledged alerts of versions that no longer serve, naming the version that does.</summary>
    public async Task<int> ResolveSupersededAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var active = await db.Set<TrainedModel>().AsNoTracking().Where(m => m.IsActive).Select(m => new { m.Task, m.Version }).ToListAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var resolved = 0;
        foreach (var serving in active)
        {
            resolved += await db.Set<MonitoringAlert>()
                .Where(a => a.Task == serving.Task && a.ModelVersion != serving.Version && a.State != MonitoringAlertState.Resolved)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, MonitoringAlertState.Resolved)
                    .SetProperty(a => a.ResolvedAtUtc, now).SetProperty(a => a.ResolvedByVersion, serving.Version), cancellationToken);
        }

        return resolved;
    }

    /// <summary>
    /// Records the candidates that have no unresolved alert yet (same kind, task, version and subject) and, when
    /// <paramref name="autoRetrain"/> is on and any was new, queues one training with <paramref name="trigger"/>.
    /// </summary>
    public async Task<RaisedAlerts> RaiseAsync(IReadOnlyList<AlertCandidate> candidates, bool autoRetrain, TrainingTrigger trigger, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return new RaisedAlerts([], null);
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var versions = candidates.Select(c => c.ModelVersion).Distinct().ToArray();
        var existing = (await db.Set<MonitoringAlert>().AsNoTracking()
                .Where(a => versions.Contains(a.ModelVersion) && a.State != MonitoringAlertState.Resolved)
                .Select(a => new { a.Kind, a.Task, a.ModelVersion, a.Subject }).ToListAsync(cancellationToken))
            .Select(a => (a.Kind, a.Task, a.ModelVersion, a.Subject)).ToHashSet();
        var now = time.GetUtcNow().UtcDateTime;
        var fresh = candidates.Where(c => existing.Add((c.Kind, c.Task, c.ModelVersion, c.Subject))).Select(c => new MonitoringAlert
        {
            Kind = c.Kind,
            Task = c.Task,
            ModelVersion = c.ModelVersion,
            Subject = c.Subject,
            Value = c.Value,
            Threshold = c.Threshold,
            Message = c.Message.Length > 2000 ? c.Message[..2000] : c.Message,
            State = MonitoringAlertState.Open,
            RaisedAtUtc = now,
        }).ToList();
        if (fresh.Count == 0)
        {
            return new RaisedAlerts([], null);
        }

        db.AddRange(fresh);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var alert in fresh)
        {
            LogRaised(logger, alert.Id, alert.Kind, alert.Task, alert.ModelVersion, alert.Message);
        }

        TrainingRun? run = null;
        if (autoRetrain && training is not null)
        {
            var ids = string.Join(", #", fresh.Select(a => a.Id.ToString(CultureInfo.InvariantCulture)));
            run = await training.EnqueueAsync(new TrainingRequest(null, $"{trigger.ToString().ToLowerInvariant()} alert #{ids}", Trigger: trigger), cancellationToken);
            foreach (var alert in fresh)
            {
                alert.TrainingRunId = run.Id;
            }

            await db.SaveChangesAsync(cancellationToken);
        }
        else if (autoRetrain)
        {
            LogNoScheduler(logger, fresh.Count);
        }

        return new RaisedAlerts(fresh, run);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring alert {AlertId} ({Kind}, {Task} {Version}): {Message}")]
    private static partial void LogRaised(ILogger logger, long alertId, MonitoringAlertKind kind, ModelTask task, string version, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auto-retrain is on but no scheduler is configured here; {Count} new alert(s) queued no training.")]
    private static partial void LogNoScheduler(ILogger logger, int count);
}
