using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Auditing;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Training;

/// <summary>Whether an unpin happened, and a message for the admin.</summary>
public sealed record UnpinResult(bool Succeeded, string Message);

/// <summary>
/// The tasks whose active version an admin chose by hand (<see cref="ModelRegistry.ActivateAsync"/> pins it), for the
/// model pages, the API and <c>studyrecs models unpin</c>. While a task is pinned, trainings register and compare
/// their versions but do not activate them; unpinning hands the choice back to training and is audited.
/// </summary>
public sealed class ModelPins(IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time)
{
    /// <summary>The task's pin, or null when training may activate its versions.</summary>
    public async Task<ModelPin?> GetAsync(ModelTask task, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await CurrentAsync(db, task, cancellationToken);
    }

    /// <summary>Every pinned task, in task order.</summary>
    public async Task<IReadOnlyList<ModelPin>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return [.. (await db.Set<ModelPin>().AsNoTracking().ToListAsync(cancellationToken)).OrderBy(p => p.Task)];
    }

    /// <summary>
    /// Removes the task's pin and records who did it and why in the audit log, in one transaction. The active version
    /// stays active; the next training that scores at least as well replaces it. Refuses an empty reason and a task
    /// that is not pinned, with a message saying so.
    /// </summary>
    public async Task<UnpinResult> UnpinAsync(ModelTask task, string by, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        var taskName = task.ToString().ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(reason))
        {
            return new UnpinResult(false, "Give a reason for unpinning; it is kept in the audit log.");
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var pin = await db.Set<ModelPin>().SingleOrDefaultAsync(p => p.Task == task, cancellationToken);
        if (pin is null)
        {
            return new UnpinResult(false, $"The {taskName} model is not pinned; trainings already activate versions that score at least as well.");
        }

        db.Remove(pin);
        AuditLog.Add(db, time.GetUtcNow(), by.Trim(), AuditActions.ModelUnpinned, $"{taskName} model",
            $"Unpinned version {pin.Version} (pinned by {pin.PinnedBy} on {pin.PinnedAt:yyyy-MM-dd HH:mm} UTC). Reason: {reason.Trim()}");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new UnpinResult(false, $"Someone else changed the {taskName} pin at the same time; reload and try again.");
        }

        return new UnpinResult(true, $"The {taskName} model is no longer pinned: version {pin.Version} stays active until a training produces a version that scores at least as well.");
    }

    /// <summary>The task's pin as <paramref name="db"/> sees it (inside the caller's transaction).</summary>
    internal static Task<ModelPin?> CurrentAsync(StudyRecsDbContext db, ModelTask task, CancellationToken cancellationToken) =>
        db.Set<ModelPin>().AsNoTracking().SingleOrDefaultAsync(p => p.Task == task, cancellationToken);

    /// <summary>
    /// Pins <paramref name="task"/> to <paramref name="version"/> in <paramref name="db"/> (replacing an earlier pin);
    /// the caller saves and commits it with the activation.
    /// </summary>
    internal static async Task PinAsync(StudyRecsDbContext db, ModelTask task, string version, string by, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var pin = await db.Set<ModelPin>().SingleOrDefaultAsync(p => p.Task == task, cancellationToken);
        if (pin is null)
        {
            db.Add(new ModelPin { Task = task, Version = version, PinnedBy = by, PinnedAt = at, Reason = reason });
            return;
        }

        (pin.Version, pin.PinnedBy, pin.PinnedAt, pin.Reason) = (version, by, at, reason);
    }
}
