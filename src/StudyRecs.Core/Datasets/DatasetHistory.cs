using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Datasets;

/// <summary>What the upload history can be ordered by.</summary>
public enum DatasetHistoryOrder
{
    /// <summary>Upload order (by id: SQLite cannot order DateTimeOffset columns, and ids grow with upload time).</summary>
    Uploaded,
    FileName,
    Label,
    Status,
    ValidRows,
    LabelledRows,
    Problems,
}

/// <summary>One page of the upload history. <paramref name="OwnerId"/> restricts it to one uploader; null for admins.</summary>
public sealed record DatasetHistoryQuery(
    string? OwnerId, DatasetStatus? Status = null, DatasetHistoryOrder OrderBy = DatasetHistoryOrder.Uploaded, bool Descending = true,
    int Skip = 0, int Take = 50);

/// <summary>A page of uploads and how many match the filter in all.</summary>
public sealed record DatasetHistoryPage(int Total, IReadOnlyList<DatasetSummary> Items);

/// <summary>
/// The sortable, paged upload history of the datasets page: filtering, ordering and paging all happen in the database,
/// each call on its own short-lived context (safe for a live page's concurrent events).
/// </summary>
public sealed class DatasetHistory(IDbContextFactory<StudyRecsDbContext> dbs)
{
    public const int MaxPageSize = 500;

    public async Task<DatasetHistoryPage> PageAsync(DatasetHistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var visible = db.Set<UploadedDataset>().AsNoTracking();
        if (query.OwnerId is { } owner)
        {
            visible = visible.Where(d => d.UploaderId == owner);
        }

        if (query.Status is { } status)
        {
            visible = visible.Where(d => d.Status == status);
        }

        var total = await visible.CountAsync(cancellationToken);
        var items = await Ordered(visible, query.OrderBy, query.Descending)
            .Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxPageSize))
            .Select(d => new DatasetSummary(d.Id, d.FileName, d.Label, d.Status, d.Format, d.TotalRows, d.ValidRows, d.LabelledRows,
                d.WarningCount, d.ErrorCount, d.TooSmallToTrain, d.DuplicateOfId, d.UploaderId,
                d.Uploader == null ? null : d.Uploader.DisplayName ?? d.Uploader.Email, d.UploadedAt, d.ErrorText))
            .ToListAsync(cancellationToken);
        return new DatasetHistoryPage(total, items);
    }

    /// <summary>How many uploads are in each status (statuses without uploads are left out), in one grouped query.</summary>
    public async Task<IReadOnlyDictionary<DatasetStatus, int>> CountByStatusAsync(string? ownerId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var visible = db.Set<UploadedDataset>().AsNoTracking();
        if (ownerId is { } owner)
        {
            visible = visible.Where(d => d.UploaderId == owner);
        }

        return await visible.GroupBy(d => d.Status).Select(g => new { Status = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
    }

    /// <summary>Ties (same status, same counts) fall back to newest first, so pages never overlap.</summary>
    private static IOrderedQueryable<UploadedDataset> Ordered(IQueryable<UploadedDataset> query, DatasetHistoryOrder order, bool descending)
    {
        var first = order switch
        {
            DatasetHistoryOrder.FileName => By(query, d => d.FileName, descending),
            DatasetHistoryOrder.Label => By(query, d => d.Label, descending),
            DatasetHistoryOrder.Status => By(query, d => d.Status, descending),
            DatasetHistoryOrder.ValidRows => By(query, d => d.ValidRows, descending),
            DatasetHistoryOrder.LabelledRows => By(query, d => d.LabelledRows, descending),
            DatasetHistoryOrder.Problems => By(query, d => d.ErrorCount + d.WarningCount, descending),
            _ => By(query, d => d.Id, descending),
        };
        return first.ThenByDescending(d => d.Id);
    }

    private static IOrderedQueryable<UploadedDataset> By<TKey>(IQueryable<UploadedDataset> query, System.Linq.Expressions.Expression<Func<UploadedDataset, TKey>> key, bool descending) =>
        descending ? query.OrderByDescending(key) : query.OrderBy(key);
}
