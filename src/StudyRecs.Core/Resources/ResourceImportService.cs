using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Resources;

/// <summary>The stored import record and its full report.</summary>
public sealed record ResourceImportResult(ResourceImportRecord Record, ResourceImportReport Report);

/// <summary>
/// Imports a catalog file all-or-nothing: <see cref="ResourceImporter"/> validates every row, this service adds the
/// rows that duplicate resources already in the catalog as errors, and only a file without a single error is added, in
/// one transaction. Every import, accepted or not, is recorded with its report.
/// </summary>
public sealed partial class ResourceImportService(IDbContextFactory<StudyRecsDbContext> dbs, ResourceImporter importer, TimeProvider time, ILogger<ResourceImportService> logger)
{
    /// <summary>Parameters per IN list, well inside every provider's limit.</summary>
    private const int LookupChunk = 500;

    public async Task<ResourceImportResult> ImportAsync(Stream content, string fileName, string? sheet, string by, CancellationToken cancellationToken)
    {
        var (report, rows) = await importer.ReadAsync(content, fileName, sheet, cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (report.ErrorCount == 0)
        {
            await ReportCatalogDuplicatesAsync(db, rows, report, cancellationToken);
        }

        var now = time.GetUtcNow();
        if (report.ErrorCount == 0)
        {
            foreach (var row in rows)
            {
                db.Add(ResourceCatalog.NewResource(row.Draft, by, now));
            }
        }

        report.Finish(report.ErrorCount == 0 ? rows.Count : 0);
        var record = new ResourceImportRecord
        {
            FileName = Truncate(string.IsNullOrWhiteSpace(report.FileName) ? "upload" : report.FileName, 260),
            ImportedBy = by,
            ImportedAt = now,
            Outcome = report.Outcome,
            TotalRows = report.TotalRows,
            ImportedRows = report.ImportedRows,
            ErrorCount = report.ErrorCount,
            ReportJson = report.Serialize(),
        };
        db.Add(record);
        // One SaveChanges: the resources and the record are written in one transaction, or not at all.
        await db.SaveChangesAsync(cancellationToken);
        LogImported(logger, record.Id, record.FileName, report.Outcome, report.ImportedRows, report.ErrorCount);
        return new ResourceImportResult(record, report);
    }

    public async Task<ResourceImportRecord?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<ResourceImportRecord>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
    }

    /// <summary>The latest imports, newest first, without their reports.</summary>
    public async Task<IReadOnlyList<ResourceImportRecord>> RecentAsync(int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<ResourceImportRecord>().AsNoTracking().OrderByDescending(i => i.Id).Take(take)
            .Select(i => new ResourceImportRecord
            {
                Id = i.Id,
                FileName = i.FileName,
                ImportedBy = i.ImportedBy,
                ImportedAt = i.ImportedAt,
                Outcome = i.Outcome,
                TotalRows = i.TotalRows,
                ImportedRows = i.ImportedRows,
                ErrorCount = i.ErrorCount,
                ReportJson = "",
            })
            .ToListAsync(cancellationToken);
    }

    private static async Task ReportCatalogDuplicatesAsync(StudyRecsDbContext db, IReadOnlyList<ResourceRow> rows, ResourceImportReport report, CancellationToken cancellationToken)
    {
        var resources = db.Set<LearningResource>().AsNoTracking();
        var byUrl = new Dictionary<string, (long Id, string Title, bool IsRetired)>(StringComparer.Ordinal);
        foreach (var chunk in rows.Select(r => r.Draft.Url).Distinct().Chunk(LookupChunk))
        {
            foreach (var r in await resources.Where(r => chunk.Contains(r.Url)).Select(r => new { r.Id, r.Url, r.Title, r.IsRetired }).ToListAsync(cancellationToken))
            {
                byUrl[r.Url] = (r.Id, r.Title, r.IsRetired);
            }
        }

        var byTitle = new Dictionary<(string, string), (long Id, bool IsRetired)>();
        foreach (var chunk in rows.Select(r => r.Draft.SubjectKey).Distinct().Chunk(LookupChunk))
        {
            foreach (var r in await resources.Where(r => chunk.Contains(r.SubjectKey)).Select(r => new { r.Id, r.SubjectKey, r.TitleKey, r.IsRetired }).ToListAsync(cancellationToken))
            {
                byTitle[(r.SubjectKey, r.TitleKey)] = (r.Id, r.IsRetired);
            }
        }

        foreach (var (row, draft) in rows)
        {
            var errorsBefore = report.ErrorCount;
            if (byUrl.TryGetValue(draft.Url, out var same))
            {
                report.Add(row, ResourceFields.Url, draft.Url, ResourceRules.AlreadyInCatalog, ProblemSeverity.Error,
                    ResourceDuplicates.UrlMessage(same.Id, same.Title, same.IsRetired));
            }

            if (byTitle.TryGetValue((draft.SubjectKey, ResourceText.TitleKey(draft.Title)), out var titled))
            {
                report.Add(row, ResourceFields.Title, draft.Title, ResourceRules.AlreadyInCatalog, ProblemSeverity.Error,
                    ResourceDuplicates.TitleMessage(titled.Id, draft.Subject, titled.IsRetired));
            }

            if (report.ErrorCount > errorsBefore)
            {
                report.ValidRows--;
            }
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    [LoggerMessage(Level = LogLevel.Information, Message = "Resource import {ImportId} ({FileName}): {Outcome}, {Imported} added, {Errors} error(s).")]
    private static partial void LogImported(ILogger logger, long importId, string fileName, ResourceImportOutcome outcome, long imported, long errors);
}
