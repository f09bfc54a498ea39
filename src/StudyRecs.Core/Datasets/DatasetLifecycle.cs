using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Auditing;
using StudyRecs.Core.Data;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Storage;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Datasets;

/// <summary>Who changes a dataset: a teacher may change their own uploads, an administrator (or the CLI's operator) any.</summary>
/// <param name="UserId">The account id, compared with <see cref="UploadedDataset.UploaderId"/>; null for the CLI.</param>
/// <param name="Name">The user name recorded in the audit log.</param>
public sealed record DatasetActor(string? UserId, string Name, bool IsAdmin)
{
    /// <summary>The operator of a CLI command, who may change any dataset.</summary>
    public static DatasetActor Operator(string name) => new(null, name, IsAdmin: true);
}

/// <summary>How a dataset change ended.</summary>
public enum DatasetChangeOutcome
{
    Done,
    NotFound,

    /// <summary>Another teacher's dataset.</summary>
    Forbidden,

    /// <summary>The dataset is not in a state that allows the change (the message says why); nothing changed.</summary>
    Refused,
}

/// <summary>The outcome, a message for the person, and the training queued because of the change, if any.</summary>
public sealed record DatasetChangeResult(DatasetChangeOutcome Outcome, string Message, TrainingRun? QueuedRun = null)
{
    public bool Succeeded => Outcome == DatasetChangeOutcome.Done;
}

/// <summary>
/// Archive, restore and delete of uploaded datasets, for pages, the API and <c>studyrecs datasets</c>. An archived
/// dataset is kept (its rows, report and file) but left out of training; delete removes the dataset, its rows and its
/// kept file. Each change is one transaction with its audit entry; when it changes what training sees, a retraining is
/// queued after the commit (when a scheduler is registered; the CLI queues through the shared job store).
/// </summary>
public sealed partial class DatasetLifecycle(
    IDbContextFactory<StudyRecsDbContext> dbs,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<DatasetLifecycle> logger,
    TrainingDispatcher? training = null)
{
    public Task<DatasetChangeResult> ArchiveAsync(long datasetId, DatasetActor actor, string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(datasetId, actor, reason, AuditActions.DatasetArchived, cancellationToken);

    public Task<DatasetChangeResult> RestoreAsync(long datasetId, DatasetActor actor, string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(datasetId, actor, reason, AuditActions.DatasetRestored, cancellationToken);

    public Task<DatasetChangeResult> DeleteAsync(long datasetId, DatasetActor actor, string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(datasetId, actor, reason, AuditActions.DatasetDeleted, cancellationToken);

    private async Task<DatasetChangeResult> ChangeAsync(long datasetId, DatasetActor actor, string? reason, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor.Name);
        var name = $"#{datasetId.ToString(CultureInfo.InvariantCulture)}";
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var dataset = await db.Set<UploadedDataset>().SingleOrDefaultAsync(d => d.Id == datasetId, cancellationToken);
        if (dataset is null)
        {
            return new DatasetChangeResult(DatasetChangeOutcome.NotFound, $"There is no dataset {name}.");
        }

        if (!actor.IsAdmin && (actor.UserId is null || dataset.UploaderId != actor.UserId))
        {
            return new DatasetChangeResult(DatasetChangeOutcome.Forbidden,
                $"Dataset {name} was uploaded by someone else; only its uploader or an administrator can change it.");
        }

        if (Refusal(dataset, action, name) is { } refused)
        {
            return new DatasetChangeResult(DatasetChangeOutcome.Refused, refused);
        }

        // Whether training saw the dataset before or sees it after: only then does the change call for a retraining.
        var trains = TrainingData.AcceptedStatuses.Contains(dataset.Status);
        var affectsTraining = trains && (action == AuditActions.DatasetRestored || !dataset.IsArchived);
        var now = time.GetUtcNow();
        var described = $"'{dataset.FileName}' ({dataset.ValidRows.ToString("N0", CultureInfo.InvariantCulture)} rows, {dataset.Status})";
        var why = string.IsNullOrWhiteSpace(reason) ? "" : $" Reason: {reason.Trim()}";
        string? keptFile = null;
        string message;
        switch (action)
        {
            case AuditActions.DatasetArchived:
                (dataset.ArchivedAt, dataset.ArchivedBy) = (now, Truncate(actor.Name, 256));
                message = $"Dataset {name} is archived: it is kept, and left out of training.";
                break;
            case AuditActions.DatasetRestored:
                (dataset.ArchivedAt, dataset.ArchivedBy) = (null, null);
                message = $"Dataset {name} is restored: training uses it again.";
                break;
            default:
                keptFile = dataset.StoredFilePath;
                await db.Set<UploadedDataset>().Where(d => d.DuplicateOfId == datasetId)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.DuplicateOfId, (long?)null), cancellationToken);
                await db.Set<DatasetRow>().Where(r => r.DatasetId == datasetId).ExecuteDeleteAsync(cancellationToken);
                await db.Set<UploadedDatasetFile>().Where(f => f.DatasetId == datasetId).ExecuteDeleteAsync(cancellationToken);
                db.Remove(dataset);
                message = $"Dataset {name} is deleted with its rows and its file.";
                break;
        }

        AuditLog.Add(db, now, actor.Name, action, $"dataset {name}", $"{Verb(action)} dataset {name} {described}.{why}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogChanged(logger, action, datasetId, actor.Name);
        if (keptFile is not null)
        {
            DeleteKeptFile(keptFile);
        }

        if (!affectsTraining)
        {
            return new DatasetChangeResult(DatasetChangeOutcome.Done, message);
        }

        var (run, note) = await QueueRetrainingAsync(db, $"{Verb(action).ToLowerInvariant()} dataset {name} by {actor.Name}", cancellationToken);
        return new DatasetChangeResult(DatasetChangeOutcome.Done, $"{message} {note}", run);
    }

    /// <summary>Why <paramref name="action"/> cannot apply to the dataset now, or null when it can.</summary>
    private static string? Refusal(UploadedDataset dataset, string action, string name)
    {
        if (dataset.Status is DatasetStatus.Uploaded or DatasetStatus.Validating)
        {
            return $"Dataset {name} is still being imported; wait until it is accepted or rejected.";
        }

        if (dataset.Status == DatasetStatus.Training)
        {
            return $"A training is reading dataset {name} right now; try again when it has finished.";
        }

        return action switch
        {
            AuditActions.DatasetArchived when dataset.IsArchived => $"Dataset {name} is already archived.",
            AuditActions.DatasetArchived when dataset.Status == DatasetStatus.Rejected => $"Dataset {name} was rejected, so training never uses it; delete it instead.",
            AuditActions.DatasetRestored when !dataset.IsArchived => $"Dataset {name} is not archived.",
            _ => null,
        };
    }

    /// <summary>Queues a training over every remaining accepted dataset, or says why none was queued.</summary>
    private async Task<(TrainingRun? Run, string Note)> QueueRetrainingAsync(StudyRecsDbContext db, string triggeredBy, CancellationToken cancellationToken)
    {
        if (training is null)
        {
            return (null, "No scheduler is configured here; run `studyrecs train` to retrain.");
        }

        var remaining = await db.Set<UploadedDataset>().AnyAsync(d => d.ArchivedAt == null && TrainingData.AcceptedStatuses.Contains(d.Status), cancellationToken);
        if (!remaining)
        {
            return (null, "No accepted dataset is left to train on, so no retraining was queued; the active models stay as they are.");
        }

        var run = await training.EnqueueAsync(new TrainingRequest(null, triggeredBy), cancellationToken);
        return (run, $"Training run {run.Id} is queued to retrain the models.");
    }

    private void DeleteKeptFile(string relative)
    {
        var path = Path.Combine(DatasetImportService.DatasetFilesDirectory(storage.Value), relative);
        try
        {
            File.Delete(path);
        }
        catch (IOException ex)
        {
            // The database no longer refers to it; a leftover file wastes space but misleads nobody.
            LogFileNotDeleted(logger, ex, path);
        }
        catch (UnauthorizedAccessException ex)
        {
            LogFileNotDeleted(logger, ex, path);
        }
    }

    private static string Verb(string action) => action switch
    {
        AuditActions.DatasetArchived => "Archived",
        AuditActions.DatasetRestored => "Restored",
        _ => "Deleted",
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset change {Action} of dataset {DatasetId} by {By}.")]
    private static partial void LogChanged(ILogger logger, string action, long datasetId, string by);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the kept file {Path} of a deleted dataset.")]
    private static partial void LogFileNotDeleted(ILogger logger, Exception exception, string path);
}
