using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Training;

/// <summary>What the activation log can be ordered by.</summary>
public enum ActivationLogOrder
{
    /// <summary>Time of the change (by id: SQLite cannot order DateTimeOffset columns, and ids grow with time).</summary>
    At,
    By,
    FromVersion,
    ToVersion,
}

/// <summary>One page of a task's activation log.</summary>
public sealed record ActivationLogQuery(ModelTask Task, ActivationLogOrder OrderBy = ActivationLogOrder.At, bool Descending = true, int Skip = 0, int Take = 25);

/// <summary>A page of activation changes and how many the task has in all.</summary>
public sealed record ActivationLogPage(int Total, IReadOnlyList<ModelActivationAudit> Items);

/// <summary>
/// The sortable, paged activation log of the models page (who made which version serve, when and why): ordering and
/// paging happen in the database, each call on its own short-lived context.
/// </summary>
public sealed class ActivationLog(IDbContextFactory<StudyRecsDbContext> dbs)
{
    public const int MaxPageSize = 500;

    public async Task<ActivationLogPage> PageAsync(ActivationLogQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var entries = db.Set<ModelActivationAudit>().AsNoTracking().Where(a => a.Task == query.Task);
        var total = await entries.CountAsync(cancellationToken);
        var ordered = query.OrderBy switch
        {
            ActivationLogOrder.By => By(entries, a => a.By, query.Descending),
            ActivationLogOrder.FromVersion => By(entries, a => a.FromVersion, query.Descending),
            ActivationLogOrder.ToVersion => By(entries, a => a.ToVersion, query.Descending),
            _ => By(entries, a => a.Id, query.Descending),
        };
        // Ties (one admin, one version) fall back to newest first, so pages never overlap.
        var items = await ordered.ThenByDescending(a => a.Id)
            .Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxPageSize))
            .ToListAsync(cancellationToken);
        return new ActivationLogPage(total, items);
    }

    private static IOrderedQueryable<ModelActivationAudit> By<TKey>(IQueryable<ModelActivationAudit> query, Expression<Func<ModelActivationAudit, TKey>> key, bool descending) =>
        descending ? query.OrderByDescending(key) : query.OrderBy(key);
}
