using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Training;

/// <summary>Why an activation did not happen.</summary>
public enum ActivationFailure
{
    None,
    MissingReason,
    UnknownVersion,

    /// <summary>The version is already active and pinned.</summary>
    AlreadyActive,

    /// <summary>Another change of the task's active model committed at the same time.</summary>
    Conflict,
}

/// <summary>Whether an activation happened, a message for the admin, the now active version, and why it failed.</summary>
public sealed record ActivationResult(bool Succeeded, string Message, TrainedModel? Model, ActivationFailure Failure = ActivationFailure.None);

/// <summary>
/// The model versions per task, their training runs and candidate runs, and the admin's way to switch the active
/// version (with an audit record). Everything it returns is detached. Versions never carry their artifact's bytes
/// (<see cref="ModelArtifact"/>); <see cref="ReadArtifactAsync"/> streams them.
/// </summary>
public sealed class ModelRegistry(IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time)
{
    /// <summary>Versions of one task (or all), newest first.</summary>
    public async Task<IReadOnlyList<TrainedModel>> ListAsync(ModelTask? task, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await Models(db, task).OrderByDescending(m => m.Id).ToListAsync(cancellationToken);
    }

    public async Task<TrainedModel?> GetAsync(ModelTask task, string version, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await Models(db, task).Where(m => m.Version == version).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>The task's active version, or null when the task has none yet.</summary>
    public async Task<TrainedModel?> GetActiveAsync(ModelTask task, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await Models(db, task).Where(m => m.IsActive).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>The active version of every task that has one, in task order.</summary>
    public async Task<IReadOnlyList<TrainedModel>> ActiveAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return [.. (await Models(db, null).Where(m => m.IsActive).ToListAsync(cancellationToken)).OrderBy(m => m.Task)];
    }

    /// <summary>
    /// Reads the artifact of version <paramref name="modelId"/> with <paramref name="read"/>, which gets a forward-only
    /// stream over its bytes (in place on SQLite); default when the version has no artifact.
    /// </summary>
    public async Task<T?> ReadArtifactAsync<T>(long modelId, Func<Stream, T> read, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await ModelArtifacts.ReadAsync(db, modelId, read, cancellationToken);
    }

    /// <summary>
    /// The active version of every task that has one: a small query that serving nodes can poll to notice, within
    /// their polling interval, that another node switched a model.
    /// </summary>
    public async Task<IReadOnlyDictionary<ModelTask, string>> ActiveVersionsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<TrainedModel>().AsNoTracking().Where(m => m.IsActive)
            .Select(m => new { m.Task, m.Version }).ToDictionaryAsync(m => m.Task, m => m.Version, cancellationToken);
    }

    /// <summary>
    /// Makes <paramref name="version"/> the task's active model and pins it, in one transaction: the current one is
    /// deactivated, the target activated, the switch audited and the task pinned (<see cref="ModelPins"/>), so later
    /// trainings register their versions without activating them. The version already active is pinned when the
    /// task is not pinned to it yet. Refuses an empty reason, an unknown version and a version that is already active
    /// and pinned, with a message saying so.
    /// </summary>
    public async Task<ActivationResult> ActivateAsync(ModelTask task, string version, string by, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        var taskName = task.ToString().ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(reason))
        {
            return new ActivationResult(false, "Give a reason for the change; it is kept in the audit log.", null, ActivationFailure.MissingReason);
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var target = await Models(db, task).Where(m => m.Version == version).SingleOrDefaultAsync(cancellationToken);
        if (target is null)
        {
            return new ActivationResult(false, $"There is no {taskName} model version '{version}'.", null, ActivationFailure.UnknownVersion);
        }

        var pin = await ModelPins.CurrentAsync(db, task, cancellationToken);
        if (target.IsActive && pin?.Version == version)
        {
            return new ActivationResult(false, $"Version {version} is already the active {taskName} model, pinned by {pin.PinnedBy}.", target, ActivationFailure.AlreadyActive);
        }

        var current = await Models(db, task).Where(m => m.IsActive).Select(m => m.Version).SingleOrDefaultAsync(cancellationToken);
        var (now, actor, why) = (time.GetUtcNow(), by.Trim(), reason.Trim());
        try
        {
            await ModelPins.PinAsync(db, task, version, actor, why, now, cancellationToken);
            if (target.IsActive)
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            else
            {
                // Attach the untracked copy: only the activation columns are marked modified.
                db.Attach(target);
                await ModelActivation.SwitchAsync(db, target, current, actor, why, now, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another activation of this task committed first: the one-active index (or the pin's key) refused the second.
            db.ChangeTracker.Clear();
            return new ActivationResult(false, $"Another change of the active {taskName} model happened at the same time; reload and try again.", null, ActivationFailure.Conflict);
        }

        db.Entry(target).State = EntityState.Detached;
        const string pinned = " It is pinned: later trainings register their versions without activating them until an admin unpins the task.";
        return new ActivationResult(true, (current is null || current == version
            ? $"Version {version} is {(current == version ? "still" : "now")} the active {taskName} model."
            : $"Version {version} replaced {current} as the active {taskName} model.") + pinned, target);
    }

    /// <summary>Activation history of one task (or all), newest first.</summary>
    public async Task<IReadOnlyList<ModelActivationAudit>> AuditAsync(ModelTask? task, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<ModelActivationAudit>().AsNoTracking().Where(a => task == null || a.Task == task)
            .OrderByDescending(a => a.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Every candidate a training run tried, in the order they ran (regression first, grid order).</summary>
    public async Task<IReadOnlyList<ModelRun>> RunsAsync(long trainingRunId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<ModelRun>().AsNoTracking().Where(r => r.TrainingRunId == trainingRunId)
            .OrderBy(r => r.Id).ToListAsync(cancellationToken);
    }

    public async Task<TrainingRun?> GetRunAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<TrainingRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    /// <summary>The latest <paramref name="take"/> training runs of one kind (or both), newest first.</summary>
    public async Task<IReadOnlyList<TrainingRun>> RecentRunsAsync(int take, TrainingRunKind? kind, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<TrainingRun>().AsNoTracking().Where(r => kind == null || r.Kind == kind)
            .OrderByDescending(r => r.Id).Take(Math.Max(0, take)).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The newest run that trains on dataset <paramref name="datasetId"/> (uploaded at <paramref name="uploadedAt"/>):
    /// one that loaded it, or one still waiting that asked for it by id or for every accepted dataset after its upload.
    /// </summary>
    public async Task<TrainingRun?> LatestRunForDatasetAsync(long datasetId, DateTimeOffset uploadedAt, CancellationToken cancellationToken)
    {
        // A few hundred recent runs at most; the id lists are JSON, matched here rather than in SQL on both providers.
        var recent = await RecentRunsAsync(500, TrainingRunKind.Grades, cancellationToken);
        return recent.FirstOrDefault(r => r.TrainingDatasetIdsJson is { } used
            ? Ids(used).Contains(datasetId)
            : r.DatasetIdsJson is { } asked ? Ids(asked).Contains(datasetId) : r.StartedAt >= uploadedAt);
    }

    /// <summary>The model versions a training run registered, regression first.</summary>
    public async Task<IReadOnlyList<TrainedModel>> ModelsOfRunAsync(long trainingRunId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return [.. (await db.Set<TrainedModel>().AsNoTracking().Where(m => m.TrainingRunId == trainingRunId).ToListAsync(cancellationToken))
            .OrderBy(m => m.Task)];
    }

    private static long[] Ids(string json) => System.Text.Json.JsonSerializer.Deserialize<long[]>(json) ?? [];

    private static IQueryable<TrainedModel> Models(StudyRecsDbContext db, ModelTask? task) =>
        db.Set<TrainedModel>().AsNoTracking().Where(m => task == null || m.Task == task);
}
