using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StudyRecs.Core.Data;

namespace StudyRecs.Web.Features.Monitoring;

/// <summary>Healthy when the database answers and has no pending migrations.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<StudyRecsDbContext> dbs) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("The database cannot be reached.");
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            var data = new Dictionary<string, object> { ["provider"] = db.Database.ProviderName ?? "", ["pendingMigrations"] = pending };
            return pending == 0
                ? HealthCheckResult.Healthy("Database reachable, schema up to date.", data)
                : HealthCheckResult.Degraded($"{pending} migration(s) not applied; run `studyrecs db migrate`.", data: data);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be reached.", ex);
        }
    }
}
