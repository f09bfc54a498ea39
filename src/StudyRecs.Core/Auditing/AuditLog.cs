using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Auditing;

/// <summary>
/// The audit trail of administrative changes. Features write entries inside their own transaction with
/// <see cref="Add"/>, so a change and its record commit together; pages read them with <see cref="ListAsync"/>.
/// </summary>
public sealed class AuditLog(IDbContextFactory<StudyRecsDbContext> dbs)
{
    /// <summary>Adds an entry to <paramref name="db"/>; the caller's SaveChanges and commit write it with the change.</summary>
    internal static AuditEntry Add(StudyRecsDbContext db, DateTimeOffset at, string by, string action, string target, string details)
    {
        var entry = new AuditEntry { At = at, By = Truncate(by, 256), Action = action, Target = Truncate(target, 200), Details = Truncate(details, 2000) };
        db.Add(entry);
        return entry;
    }

    /// <summary>The newest <paramref name="take"/> entries, optionally of one action, newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string? action, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<AuditEntry>().AsNoTracking().Where(e => action == null || e.Action == action)
            .OrderByDescending(e => e.Id).Take(Math.Clamp(take, 0, 1000)).ToListAsync(cancellationToken);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
