using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Training;

/// <summary>What the training-run history can be ordered by.</summary>
public enum TrainingRunOrder
{
    /// <summary>Start order (by id: SQLite cannot order DateTimeOffset columns, and ids grow with the time a run is queued).</summary>
    Started,
    Status,
    TriggeredBy,
}

/// <summary>One page of the training-run history.</summary>
public sealed record TrainingRunQuery(TrainingRunOrder OrderBy = TrainingRunOrder.Started, bool Descending = true, int Skip = 0, int Take = 25);

/// <summary>A page of training runs and how many runs there are in all.</summary>
public sealed record TrainingRunPage(int Total, IReadOnlyList<TrainingRun> Items);

/// <summary>
/// The sortable, paged training-run history of the jobs page: ordering and paging happen in the database, each call
/// on its own short-lived context (safe for a live page's concurrent events).
/// </summary>
public sealed class TrainingRunHistory(IDbContextFactory<StudyRecsDbContext> dbs)
{
    public const int MaxPageSize = 500;

    public async Task<TrainingRunPage> PageAsync(TrainingRunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var runs = db.Set<TrainingRun>().AsNoTracking();
        var total = await runs.CountAsync(cancellationToken);
        var ordered = query.OrderBy switch
        {
            TrainingRunOrder.Status => By(runs, r => r.Status, query.Descending),
            TrainingRunOrder.TriggeredBy => By(runs, r => r.TriggeredBy, query.Descending),
            _ => By(runs, r => r.Id, query.Descending),
        };
        // Ties (same status, same person) fall back to newest first, so pages never overlap.
        var items = await ordered.ThenByDescending(r => r.Id)
            .Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxPageSize))
            .ToListAsync(cancellationToken);
        return new TrainingRunPage(total, items);
    }

    private static IOrderedQueryable<TrainingRun> By<TKey>(IQueryable<TrainingRun> query, Expression<Func<TrainingRun, TKey>> key, bool descending) =>
        descending ? query.OrderByDescending(key) : query.OrderBy(key);
}
