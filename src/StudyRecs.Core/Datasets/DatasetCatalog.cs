using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Storage;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Datasets;

/// <summary>A dataset as listed in upload history.</summary>
public sealed record DatasetSummary(
    long Id, string FileName, string? Label, DatasetStatus Status, DatasetFormat Format, long TotalRows, long ValidRows, long LabelledRows,
    long WarningCount, long ErrorCount, bool TooSmallToTrain, long? DuplicateOfId, string? UploaderId, string? UploaderName,
    DateTimeOffset UploadedAt, string? ErrorText, DateTimeOffset? ArchivedAt = null);

/// <summary>
/// Datasets counted by what happened to them, whatever their status says now (a trained dataset queued for the next
/// training still counts as accepted and trained).
/// </summary>
/// <param name="Uploaded">Every upload.</param>
/// <param name="Importing">Uploads being validated now.</param>
/// <param name="Accepted">Uploads whose rows passed validation and were stored, archived ones included.</param>
/// <param name="Rejected">Uploads refused by validation (nothing stored).</param>
/// <param name="Trained">Accepted uploads whose rows trained at least one stored model version.</param>
/// <param name="AwaitingTraining">Accepted, not archived uploads no model was trained on yet.</param>
/// <param name="Archived">Accepted uploads kept but left out of training.</param>
public sealed record DatasetOutcomeCounts(int Uploaded, int Importing, int Accepted, int Rejected, int Trained, int AwaitingTraining, int Archived);

/// <summary>An original upload file ready to send back.</summary>
public sealed record DatasetOriginalFile(string FileName, string ContentType, Stream Content);

/// <summary>
/// Read side of uploaded datasets for pages and the API. <paramref name="ownerId"/> parameters restrict results to one
/// uploader (teachers see their own uploads); pass null for admins, who see all.
/// </summary>
public sealed class DatasetCatalog(IDbContextFactory<StudyRecsDbContext> dbs, IOptions<StorageOptions> storage)
{
    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<DatasetSummary>> ListAsync(string? ownerId, DatasetStatus? status, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = Visible(db, ownerId);
        if (status is { } s)
        {
            query = query.Where(d => d.Status == s);
        }

        return await query.OrderByDescending(d => d.Id).Skip(skip).Take(take)
            .Select(d => new DatasetSummary(d.Id, d.FileName, d.Label, d.Status, d.Format, d.TotalRows, d.ValidRows, d.LabelledRows,
                d.WarningCount, d.ErrorCount, d.TooSmallToTrain, d.DuplicateOfId, d.UploaderId,
                d.Uploader == null ? null : d.Uploader.DisplayName ?? d.Uploader.Email, d.UploadedAt, d.ErrorText, d.ArchivedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<int> CountAsync(string? ownerId, DatasetStatus? status, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await (status is { } s ? Visible(db, ownerId).Where(d => d.Status == s) : Visible(db, ownerId)).CountAsync(cancellationToken);
    }

    /// <summary>The visible datasets counted by what happened to them (for dashboards), not by their current status name.</summary>
    public async Task<DatasetOutcomeCounts> CountByOutcomeAsync(string? ownerId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var datasets = await Visible(db, ownerId).Select(d => new { d.Id, d.Status, Archived = d.ArchivedAt != null }).ToListAsync(cancellationToken);

        // A version names the datasets it learned from; a dataset queued again after training keeps having been trained.
        var trainedIds = new HashSet<long>();
        foreach (var json in await db.Set<TrainedModel>().AsNoTracking().Where(m => m.DatasetIdsJson != null)
            .Select(m => m.DatasetIdsJson).Distinct().ToListAsync(cancellationToken))
        {
            trainedIds.UnionWith(System.Text.Json.JsonSerializer.Deserialize<long[]>(json!) ?? []);
        }

        var accepted = datasets.Where(d => TrainingData.AcceptedStatuses.Contains(d.Status)).ToList();
        var trained = accepted.Where(d => d.Status == DatasetStatus.Trained || trainedIds.Contains(d.Id)).Select(d => d.Id).ToHashSet();
        return new DatasetOutcomeCounts(
            Uploaded: datasets.Count,
            Importing: datasets.Count(d => d.Status is DatasetStatus.Uploaded or DatasetStatus.Validating),
            Accepted: accepted.Count,
            Rejected: datasets.Count(d => d.Status == DatasetStatus.Rejected),
            Trained: trained.Count,
            AwaitingTraining: accepted.Count(d => !d.Archived && !trained.Contains(d.Id)),
            Archived: accepted.Count(d => d.Archived));
    }

    public async Task<UploadedDataset?> GetAsync(long id, string? ownerId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await Visible(db, ownerId).Include(d => d.Uploader).FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
    }

    /// <summary>The stored validation report, or null when the dataset is unknown or not visible.</summary>
    public async Task<DatasetValidationReport?> GetReportAsync(long id, string? ownerId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var json = await Visible(db, ownerId).Where(d => d.Id == id).Select(d => d.ReportJson).FirstOrDefaultAsync(cancellationToken);
        return json is null ? null : DatasetReportJson.Deserialize(json);
    }

    /// <summary>The first rows of an accepted dataset, in file order.</summary>
    public async Task<IReadOnlyList<DatasetRow>> PreviewRowsAsync(long id, string? ownerId, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (!await Visible(db, ownerId).AnyAsync(d => d.Id == id, cancellationToken))
        {
            return [];
        }

        return await db.Set<DatasetRow>().AsNoTracking().Where(r => r.DatasetId == id).OrderBy(r => r.RowNumber).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>The original upload, or null when it is not visible or was not kept (rejected uploads are not kept).</summary>
    public async Task<DatasetOriginalFile?> OpenOriginalAsync(long id, string? ownerId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var dataset = await Visible(db, ownerId).Where(d => d.Id == id).Select(d => new { d.FileName, d.Format, d.StoredFilePath }).FirstOrDefaultAsync(cancellationToken);
        if (dataset is null)
        {
            return null;
        }

        var contentType = dataset.Format switch
        {
            DatasetFormat.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            DatasetFormat.Xls => "application/vnd.ms-excel",
            _ => "text/csv",
        };
        if (dataset.StoredFilePath is { } relative)
        {
            var path = Path.Combine(DatasetImportService.DatasetFilesDirectory(storage.Value), relative);
            return File.Exists(path) ? new DatasetOriginalFile(dataset.FileName, contentType, File.OpenRead(path)) : null;
        }

        var content = await db.Set<UploadedDatasetFile>().Where(f => f.DatasetId == id).Select(f => f.Content).FirstOrDefaultAsync(cancellationToken);
        return content is null ? null : new DatasetOriginalFile(dataset.FileName, contentType, new MemoryStream(content, writable: false));
    }

    private static IQueryable<UploadedDataset> Visible(StudyRecsDbContext db, string? ownerId) =>
        ownerId is null ? db.Set<UploadedDataset>().AsNoTracking() : db.Set<UploadedDataset>().AsNoTracking().Where(d => d.UploaderId == ownerId);
}
