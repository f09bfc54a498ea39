using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Storage;

namespace StudyRecs.Core.Datasets;

/// <summary>An upload to import: the content plus what the teacher said about it.</summary>
/// <param name="AllowDuplicate">Import even when an earlier dataset has identical content (it is still flagged).</param>
/// <param name="OnOverlap">What to do when rows repeat the (student, semester, subject) of accepted rows.</param>
public sealed record DatasetUpload(Stream Content, string FileName, string? Sheet = null, string? Label = null, string? UploaderId = null, bool AllowDuplicate = false,
    OverlapPolicy OnOverlap = OverlapPolicy.Ask);

/// <summary>The stored dataset record and the full validation report.</summary>
/// <param name="Overlap">Rows that repeat keys of accepted datasets, when the file was valid; null otherwise.</param>
public sealed record DatasetImportResult(UploadedDataset Dataset, DatasetValidationReport Report, DatasetOverlap? Overlap = null)
{
    /// <summary>Whether the rows were stored; stays true when the dataset moves on to training.</summary>
    public bool IsAccepted => Report.IsAccepted && Dataset.Status != DatasetStatus.Rejected && !StoppedByOverlap;

    /// <summary>
    /// A valid file whose rows overlap accepted rows, under <see cref="OverlapPolicy.Ask"/> or
    /// <see cref="OverlapPolicy.Cancel"/>: nothing was stored, not even the dataset record (<see cref="UploadedDataset.Id"/> is 0).
    /// </summary>
    public bool StoppedByOverlap => Overlap is { Rows: > 0, Policy: not OverlapPolicy.Replace };
}

/// <summary>
/// The one import path of the portal page, the API and <c>studyrecs import</c>: spools and hashes the upload, records
/// an <see cref="UploadedDataset"/>, validates and inserts rows in one transaction (rolled back unless accepted), keeps
/// the original file, and stores the report. Bad files never throw; they end as <see cref="DatasetStatus.Rejected"/>.
/// </summary>
public sealed partial class DatasetImportService(
    IDbContextFactory<StudyRecsDbContext> dbs,
    GradebookImporter importer,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<DatasetImportService> logger)
{
    public async Task<DatasetImportResult> ImportAsync(DatasetUpload upload, CancellationToken cancellationToken)
    {
        var options = importer.Options;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var fileName = SafeFileName(upload.FileName);
        var directory = DatasetFilesDirectory(storage.Value);
        var spool = Path.Combine(directory, "incoming", $"{Guid.NewGuid():N}.upload");
        Directory.CreateDirectory(Path.GetDirectoryName(spool)!);
        UploadedDataset? dataset = null;
        var gateHeld = false;
        try
        {
            var (size, sha256, complete) = await SpoolAsync(upload.Content, spool, options.MaxUploadBytes, cancellationToken);
            var now = time.GetUtcNow();
            dataset = new UploadedDataset
            {
                FileName = fileName,
                Label = string.IsNullOrWhiteSpace(upload.Label) ? null : upload.Label.Trim(),
                UploaderId = upload.UploaderId,
                SizeBytes = size,
                Sha256 = sha256,
                UploadedAt = now,
                StatusChangedAt = now,
                Status = DatasetStatus.Uploaded,
                ImportWorker = Training.TrainingNode.Current.ToString(),
            };
            var earlier = complete
                ? await db.Set<UploadedDataset>().AsNoTracking()
                    .Where(d => d.Sha256 == sha256 && d.Status != DatasetStatus.Rejected)
                    .OrderBy(d => d.Id).Select(d => new { d.Id, d.FileName }).FirstOrDefaultAsync(cancellationToken)
                : null;
            dataset.DuplicateOfId = earlier?.Id;
            db.Add(dataset);
            await db.SaveChangesAsync(cancellationToken);

            if (earlier is not null && !upload.AllowDuplicate)
            {
                var refused = DatasetValidationReport.Refused(fileName, size, DatasetRules.DuplicateUpload,
                    $"This file is identical to dataset #{earlier.Id} ('{earlier.FileName}'), which is already stored; nothing was imported again.");
                await FinishRejectedAsync(db, dataset, refused);
                return new DatasetImportResult(dataset, refused);
            }

            // SQLite has one writer at a time: imports in this process queue here rather than time out on the lock.
            if (db.Database.IsSqlite())
            {
                await SqliteWriterGate.WaitAsync(cancellationToken);
                gateHeld = true;
            }

            dataset.SetStatus(DatasetStatus.Validating, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            DatasetValidationReport report;
            await using (var file = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            await using (var writer = new DatasetRowBulkWriter(db, dataset.Id))
            {
                report = await importer.ImportAsync(file, fileName, upload.Sheet, writer, cancellationToken);
                if (report.IsAccepted)
                {
                    await writer.CompleteAsync(cancellationToken);
                }
            }

            Apply(dataset, report);
            if (!report.IsAccepted)
            {
                await transaction.RollbackAsync(cancellationToken);
                await FinishRejectedAsync(db, dataset, report);
                return new DatasetImportResult(dataset, report);
            }

            var overlap = await DatasetOverlap.FindAsync(db, dataset.Id, upload.OnOverlap, cancellationToken);
            if (overlap.Rows > 0 && upload.OnOverlap != OverlapPolicy.Replace)
            {
                // Ask and cancel store nothing: the rows roll back and the record made for them goes too.
                await transaction.RollbackAsync(cancellationToken);
                db.Remove(dataset);
                await db.SaveChangesAsync(CancellationToken.None);
                LogOverlapStopped(logger, fileName, overlap.Rows, upload.OnOverlap);
                dataset.Id = 0;
                return new DatasetImportResult(dataset, report, overlap);
            }

            string? storedFile = null;
            if (options.OriginalFileStorage == OriginalFileStorage.Database)
            {
                db.Add(new UploadedDatasetFile { DatasetId = dataset.Id, Content = await File.ReadAllBytesAsync(spool, cancellationToken) });
            }
            else
            {
                dataset.StoredFilePath = $"{dataset.Id:D8}-{sha256[..12]}{Path.GetExtension(fileName).ToLowerInvariant()}";
                storedFile = Path.Combine(directory, dataset.StoredFilePath);
                File.Move(spool, storedFile, overwrite: true);
            }

            var validatedAt = time.GetUtcNow();
            dataset.ValidatedAt = validatedAt;
            dataset.SetStatus(DatasetStatus.Accepted, validatedAt);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch
            {
                if (storedFile is not null)
                {
                    File.Delete(storedFile);
                }

                throw;
            }

            LogAccepted(logger, dataset.Id, fileName, report.ValidRows);
            return new DatasetImportResult(dataset, report, overlap);
        }
        catch (Exception ex) when (dataset is { Id: > 0 })
        {
            LogFailed(logger, ex, dataset.Id, fileName);
            await MarkFailedAsync(db, dataset, ex is OperationCanceledException
                ? "The import was cancelled; nothing was stored."
                : $"The import failed and was rolled back: {ex.Message}");
            throw;
        }
        finally
        {
            if (gateHeld)
            {
                SqliteWriterGate.Release();
            }

            File.Delete(spool);
        }
    }

    private static readonly SemaphoreSlim SqliteWriterGate = new(1, 1);

    /// <summary>What an interrupted import says in its error text.</summary>
    public const string InterruptedImportError = "The import was interrupted because StudyRecs stopped while it ran; nothing was stored. Upload the file again.";

    /// <summary>
    /// Marks imports a stopped process left Uploaded or Validating as Rejected (their transaction never committed, so
    /// they have no rows and no kept file): at once when their process was on this machine and is gone (see
    /// <see cref="Training.TrainingNode.CheckFromHere"/>), otherwise once they are older than
    /// <see cref="DatasetOptions.InterruptedImportMinutes"/> (an import of another machine, or of a live process here
    /// such as the CLI or a second portal, may still be running). Deletes spooled uploads of that age from
    /// <c>incoming/</c>. Returns how many it marked.
    /// </summary>
    public async Task<int> RecoverInterruptedImportsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var cutoff = now.AddMinutes(-importer.Options.InterruptedImportMinutes);
        // Filtered in memory: SQLite cannot compare DateTimeOffset columns, and there are only ever a few such rows.
        var unfinished = await db.Set<UploadedDataset>()
            .Where(d => d.Status == DatasetStatus.Uploaded || d.Status == DatasetStatus.Validating).ToListAsync(cancellationToken);
        var interrupted = unfinished.Where(d => d.StatusChangedAt < cutoff
            || (d.ImportWorker is { } worker && Training.TrainingNode.Parse(worker).CheckFromHere() == Training.NodeLiveness.Gone)).ToList();
        foreach (var dataset in interrupted)
        {
            dataset.SetStatus(DatasetStatus.Rejected, now, InterruptedImportError);
            LogInterrupted(logger, dataset.Id, dataset.FileName);
        }

        await db.SaveChangesAsync(cancellationToken);
        var incoming = new DirectoryInfo(Path.Combine(DatasetFilesDirectory(storage.Value), "incoming"));
        if (incoming.Exists)
        {
            foreach (var spool in incoming.EnumerateFiles("*.upload").Where(f => f.LastWriteTimeUtc < cutoff.UtcDateTime))
            {
                try
                {
                    spool.Delete();
                }
                catch (IOException ex)
                {
                    LogSpoolNotDeleted(logger, ex, spool.FullName);
                }
            }
        }

        return interrupted.Count;
    }

    /// <summary>Folder holding kept original files (and uploads being imported, under <c>incoming/</c>).</summary>
    public static string DatasetFilesDirectory(StorageOptions storage) => Path.Combine(storage.ResolveDataDirectory(), "datasets");

    private async Task FinishRejectedAsync(StudyRecsDbContext db, UploadedDataset dataset, DatasetValidationReport report)
    {
        Apply(dataset, report);
        dataset.ValidatedAt = time.GetUtcNow();
        var firstError = report.Problems.FirstOrDefault(p => p.Severity == ProblemSeverity.Error)?.Message;
        dataset.SetStatus(DatasetStatus.Rejected, dataset.ValidatedAt.Value, Truncate(firstError is null ? report.Summary : $"{report.Summary} First error: {firstError}", 2000));
        await db.SaveChangesAsync(CancellationToken.None);
        LogRejected(logger, dataset.Id, dataset.FileName, report.ErrorCount);
    }

    /// <summary>Records why an import broke off; a failure to record it is logged, never hides the original error.</summary>
    private async Task MarkFailedAsync(StudyRecsDbContext db, UploadedDataset dataset, string error)
    {
        try
        {
            db.ChangeTracker.Clear();
            db.Attach(dataset);
            dataset.SetStatus(DatasetStatus.Rejected, time.GetUtcNow(), Truncate(error, 2000));
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbException saveError)
        {
            LogStatusNotSaved(logger, saveError, dataset.Id);
        }
    }

    private static void Apply(UploadedDataset dataset, DatasetValidationReport report)
    {
        dataset.Format = report.Format;
        dataset.Sheet = report.Sheet;
        dataset.TotalRows = report.TotalRows;
        dataset.ValidRows = report.ValidRows;
        dataset.LabelledRows = report.LabelledRows;
        dataset.RowsWithWarnings = report.RowsWithWarnings;
        dataset.ErrorCount = report.ErrorCount;
        dataset.WarningCount = report.WarningCount;
        dataset.TooSmallToTrain = report.TooSmallToTrain;
        dataset.ReportJson = DatasetReportJson.Serialize(report);
    }

    /// <summary>Copies the upload to <paramref name="path"/> while hashing it; stops reading one byte past the limit.</summary>
    private static async Task<(long Size, string Sha256, bool Complete)> SpoolAsync(Stream content, string path, long maxBytes, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.SequentialScan);
        while (size <= maxBytes)
        {
            var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, maxBytes + 1 - size)), cancellationToken);
            if (read == 0)
            {
                return (size, Convert.ToHexStringLower(hash.GetHashAndReset()), true);
            }

            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            size += read;
        }

        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()), false);
    }

    private static string SafeFileName(string fileName)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/')).Trim();
        name = string.Concat(name.Select(c => char.IsControl(c) ? '_' : c));
        return Truncate(name.Length == 0 ? "upload" : name, 260);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {DatasetId} ({FileName}) accepted with {Rows} rows.")]
    private static partial void LogAccepted(ILogger logger, long datasetId, string fileName, long rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {FileName} was not stored: {Rows} rows overlap accepted datasets (policy {Policy}).")]
    private static partial void LogOverlapStopped(ILogger logger, string fileName, long rows, OverlapPolicy policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {DatasetId} ({FileName}) rejected with {Errors} error(s).")]
    private static partial void LogRejected(ILogger logger, long datasetId, string fileName, long errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dataset {DatasetId} ({FileName}) was left unfinished by a stopped import; marked rejected.")]
    private static partial void LogInterrupted(ILogger logger, long datasetId, string fileName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the interrupted upload {Path}.")]
    private static partial void LogSpoolNotDeleted(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the failure of dataset {DatasetId}.")]
    private static partial void LogStatusNotSaved(ILogger logger, Exception exception, long datasetId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Import of dataset {DatasetId} ({FileName}) failed and was rolled back.")]
    private static partial void LogFailed(ILogger logger, Exception exception, long datasetId, string fileName);
}
