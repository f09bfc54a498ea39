using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Training;

/// <summary>The one way a task's active model changes, used by training and by an admin's activation.</summary>
internal static class ModelActivation
{
    /// <summary>
    /// Inside the caller's transaction: deactivates the task's active version first (so the one-active index never
    /// sees two), marks <paramref name="target"/> active (tracked or newly added) and records the switch in the audit log.
    /// </summary>
    public static async Task SwitchAsync(StudyRecsDbContext db, TrainedModel target, string? fromVersion, string by, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var task = target.Task;
        await db.Set<TrainedModel>().Where(m => m.Task == task && m.IsActive)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.IsActive, false), cancellationToken);
        target.IsActive = true;
        target.ActivatedAt = at;
        target.ActivatedBy = by;
        target.ActivationReason = reason;
        db.Add(new ModelActivationAudit { Task = task, FromVersion = fromVersion, ToVersion = target.Version, By = by, At = at, Reason = reason });
        await db.SaveChangesAsync(cancellationToken);
    }
}
