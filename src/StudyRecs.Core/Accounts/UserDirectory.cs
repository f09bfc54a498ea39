using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Accounts;

/// <summary>What the user list can be ordered by.</summary>
public enum UserListOrder
{
    Email,
    Name,
    StudentId,
}

/// <summary>One page of the user list: a search over e-mail, name and student id, and an optional role (already normalized).</summary>
public sealed record UserListQuery(string? Search = null, string? Role = null, UserListOrder OrderBy = UserListOrder.Email, bool Descending = false, int Skip = 0, int Take = 25);

/// <summary>A page of accounts and how many match the filter in all.</summary>
public sealed record UserListPage(int Total, IReadOnlyList<UserSummary> Items);

/// <summary>
/// The admin pages' view of the accounts, safe for a live page: a circuit lives for minutes and runs events
/// concurrently, so every read uses its own short-lived context and every change runs
/// <see cref="UserAdministration"/> in a scope of its own (its own UserManager and context), never the circuit's.
/// </summary>
public sealed class UserDirectory(IDbContextFactory<StudyRecsDbContext> dbs, IServiceScopeFactory scopes, TimeProvider clock)
{
    public const int MaxPageSize = 200;
    public const int MaxSearchLength = 100;

    public async Task<UserListPage> PageAsync(UserListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim();
            term = term.Length > MaxSearchLength ? term[..MaxSearchLength] : term;
            var normalized = term.ToUpperInvariant();
            users = users.Where(u => u.NormalizedEmail!.Contains(normalized) || (u.StudentId != null && u.StudentId.Contains(term)) || (u.DisplayName != null && u.DisplayName.Contains(term)));
        }

        if (query.Role is { } role)
        {
            var roleIds = db.Roles.Where(r => r.Name == role).Select(r => r.Id);
            users = users.Where(u => db.UserRoles.Any(ur => ur.UserId == u.Id && roleIds.Contains(ur.RoleId)));
        }

        var total = await users.CountAsync(cancellationToken);
        var page = await Ordered(users, query.OrderBy, query.Descending)
            .Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxPageSize)).ToListAsync(cancellationToken);
        return new UserListPage(total, await SummarizeAsync(db, page, cancellationToken));
    }

    public async Task<UserSummary?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is null ? null : (await SummarizeAsync(db, [user], cancellationToken))[0];
    }

    /// <summary>For the admin dashboard: accounts per role (in <see cref="Roles.All"/> order) and accounts locked now.</summary>
    public async Task<AccountCounts> CountAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var perRole = await db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
            .GroupBy(name => name).Select(g => new { Role = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Role, g => g.Count, cancellationToken);

        // SQLite cannot compare DateTimeOffset in SQL; the set of lockout ends is small.
        var now = clock.GetUtcNow();
        var ends = await db.Users.Where(u => u.LockoutEnd != null).Select(u => u.LockoutEnd).ToListAsync(cancellationToken);
        return new AccountCounts([.. Roles.All.Select(r => (r, perRole.GetValueOrDefault(r)))], ends.Count(end => end > now));
    }

    /// <summary>Runs one change of <see cref="UserAdministration"/> in a scope of its own.</summary>
    public async Task<T> AdministerAsync<T>(Func<UserAdministration, Task<T>> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var scope = scopes.CreateAsyncScope();
        return await change(scope.ServiceProvider.GetRequiredService<UserAdministration>());
    }

    /// <summary>Ties (same name, no student id) fall back to the e-mail, which is unique, so pages never overlap.</summary>
    private static IOrderedQueryable<ApplicationUser> Ordered(IQueryable<ApplicationUser> users, UserListOrder order, bool descending)
    {
        var first = order switch
        {
            UserListOrder.Name => descending ? users.OrderByDescending(u => u.DisplayName) : users.OrderBy(u => u.DisplayName),
            UserListOrder.StudentId => descending ? users.OrderByDescending(u => u.StudentId) : users.OrderBy(u => u.StudentId),
            _ => descending ? users.OrderByDescending(u => u.NormalizedEmail) : users.OrderBy(u => u.NormalizedEmail),
        };
        return order == UserListOrder.Email ? first : first.ThenBy(u => u.NormalizedEmail);
    }

    private async Task<List<UserSummary>> SummarizeAsync(StudyRecsDbContext db, List<ApplicationUser> users, CancellationToken cancellationToken)
    {
        var ids = users.Select(u => u.Id).ToList();
        var roles = (await db.UserRoles.Where(ur => ids.Contains(ur.UserId)).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .ToListAsync(cancellationToken)).ToLookup(x => x.UserId, x => x.Name!);
        var now = clock.GetUtcNow();
        return [.. users.Select(u => new UserSummary(u.Id, u.Email ?? u.UserName ?? "", u.DisplayName, u.StudentId,
            [.. roles[u.Id].Order(StringComparer.Ordinal)], u.LockoutEnd is { } end && end > now, u.AccessFailedCount, u.CreatedAt))];
    }
}
