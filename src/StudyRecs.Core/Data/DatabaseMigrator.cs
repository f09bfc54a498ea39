using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace StudyRecs.Core.Data;

/// <summary>Applies pending migrations; used at start-up and by <c>studyrecs db migrate</c>.</summary>
public sealed class DatabaseMigrator(IDbContextFactory<StudyRecsDbContext> dbs, ILogger<DatabaseMigrator> logger)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            logger.LogInformation("Database schema is up to date ({Provider}).", db.Database.ProviderName);
            return pending;
        }

        logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
        await db.Database.MigrateAsync(cancellationToken);
        return pending;
    }
}
