using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Predictions;

/// <summary>Prediction logs are plain inserts.</summary>
public sealed class PredictionLogStore : IBatchStore<PredictionLog>
{
    public string Noun => "prediction logs";

    public async Task<int> StoreAsync(StudyRecsDbContext db, IReadOnlyList<PredictionLog> batch, CancellationToken cancellationToken)
    {
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.AddRange(batch);
        await db.SaveChangesAsync(cancellationToken);
        return batch.Count;
    }

    public void Reset(PredictionLog item) => item.Id = 0;
}

/// <summary>Hands prediction logs from requests to <see cref="PredictionAuditWriter"/>, which stores them in batches.</summary>
public sealed class PredictionAuditInbox(IOptions<PredictionOptions> options, PredictionLogStore store, IDbContextFactory<StudyRecsDbContext> dbs, ILogger<PredictionAuditInbox> logger)
    : BatchInbox<PredictionLog>(options.Value.AuditQueueCapacity, store, dbs, logger);

/// <summary>Stores queued prediction logs in batches of <see cref="PredictionOptions.AuditBatchSize"/>; drains the queue on a graceful stop.</summary>
public sealed class PredictionAuditWriter(PredictionAuditInbox inbox, PredictionLogStore store, IDbContextFactory<StudyRecsDbContext> dbs, IOptions<PredictionOptions> options, ILogger<PredictionAuditWriter> logger)
    : BatchWriter<PredictionLog>(inbox, store, dbs, () => options.Value.AuditBatchSize, logger);

/// <summary>Filters of the prediction audit list; every part optional.</summary>
public sealed record PredictionLogFilter(string? User = null, string? Subject = null, string? ModelVersion = null, bool? AtRisk = null, DateTime? FromUtc = null, DateTime? ToUtc = null);

/// <summary>Reads the prediction audit for the admin page, newest first.</summary>
public sealed class PredictionAuditLog(IDbContextFactory<StudyRecsDbContext> dbs)
{
    public async Task<(IReadOnlyList<PredictionLog> Page, int Total)> ListAsync(PredictionLogFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = db.Set<PredictionLog>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.User))
        {
            var user = filter.User.Trim();
            query = query.Where(p => p.UserName.Contains(user) || (p.StudentId != null && p.StudentId == user));
        }

        if (!string.IsNullOrWhiteSpace(filter.Subject))
        {
            var subject = filter.Subject.Trim();
            query = query.Where(p => p.Subject == subject);
        }

        if (!string.IsNullOrWhiteSpace(filter.ModelVersion))
        {
            var version = filter.ModelVersion.Trim();
            query = query.Where(p => p.RegressionVersion == version || p.ClassificationVersion == version);
        }

        if (filter.AtRisk is { } risk)
        {
            query = query.Where(p => p.AtRisk == risk);
        }

        if (filter.FromUtc is { } from)
        {
            query = query.Where(p => p.AtUtc >= from);
        }

        if (filter.ToUtc is { } to)
        {
            query = query.Where(p => p.AtUtc < to);
        }

        var total = await query.CountAsync(cancellationToken);
        var page = await query.OrderByDescending(p => p.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return (page, total);
    }
}
