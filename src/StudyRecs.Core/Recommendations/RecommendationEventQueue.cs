using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Recommendations;

/// <summary>Hands recommendation events from requests and page renders to <see cref="RecommendationEventWriter"/>, which stores them in batches.</summary>
public sealed class RecommendationEventInbox(IOptions<RecommendationOptions> options, RecommendationEventStore store, IDbContextFactory<StudyRecsDbContext> dbs, ILogger<RecommendationEventInbox> logger)
    : BatchInbox<RecommendationEvent>(options.Value.EventQueueCapacity, store, dbs, logger);

/// <summary>
/// Stores queued recommendation events in batches of <see cref="RecommendationOptions.EventBatchSize"/>, skipping
/// duplicates (same request id, resource and type) within a batch and against what is stored; drains the queue on a
/// graceful stop.
/// </summary>
public sealed class RecommendationEventWriter(RecommendationEventInbox inbox, RecommendationEventStore store, IDbContextFactory<StudyRecsDbContext> dbs, IOptions<RecommendationOptions> options, ILogger<RecommendationEventWriter> logger)
    : BatchWriter<RecommendationEvent>(inbox, store, dbs, () => options.Value.EventBatchSize, logger);

/// <summary>Inserts the events that are not stored yet and adds them to the strategies' bandit counts, in one transaction.</summary>
public sealed class RecommendationEventStore : IBatchStore<RecommendationEvent>
{
    public string Noun => "recommendation events";

    /// <summary>The next attempt checks the stored keys again and inserts afresh.</summary>
    public void Reset(RecommendationEvent item) => item.Id = 0;

    public Task<int> StoreAsync(StudyRecsDbContext db, IReadOnlyList<RecommendationEvent> batch, CancellationToken cancellationToken) =>
        StoreNewAsync(db, batch, cancellationToken);

    /// <summary>Stores the events whose key is new (first of a batch wins); returns how many were stored.</summary>
    internal static async Task<int> StoreNewAsync(StudyRecsDbContext db, IReadOnlyList<RecommendationEvent> events, CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<(string, long, RecommendationEventType), RecommendationEvent>();
        foreach (var e in events)
        {
            fresh.TryAdd((e.RequestId, e.ResourceId, e.Type), e);
        }

        var requestIds = fresh.Keys.Select(k => k.Item1).Distinct(StringComparer.Ordinal).ToList();
        foreach (var chunk in requestIds.Chunk(500))
        {
            var stored = await db.Set<RecommendationEvent>().AsNoTracking().Where(e => chunk.Contains(e.RequestId))
                .Select(e => new { e.RequestId, e.ResourceId, e.Type }).ToListAsync(cancellationToken);
            foreach (var key in stored)
            {
                fresh.Remove((key.RequestId, key.ResourceId, key.Type));
            }
        }

        if (fresh.Count == 0)
        {
            return 0;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.AddRange(fresh.Values);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        await CountForBanditsAsync(db, fresh.Values, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return fresh.Count;
    }

    /// <summary>An impression is a trial of its strategy; a click or a completion is a reward.</summary>
    private static async Task CountForBanditsAsync(StudyRecsDbContext db, IEnumerable<RecommendationEvent> events, CancellationToken cancellationToken)
    {
        var counts = events.Where(e => e.Strategy is not null)
            .GroupBy(e => e.Strategy!, StringComparer.Ordinal)
            .Select(g => (Strategy: g.Key, Trials: g.LongCount(e => e.Type == RecommendationEventType.Impression),
                Rewards: g.LongCount(e => e.Type is RecommendationEventType.Click or RecommendationEventType.Complete), At: g.Max(e => e.AtUtc)))
            .Where(c => c.Trials > 0 || c.Rewards > 0);
        foreach (var (strategy, trials, rewards, at) in counts)
        {
            // Increments in SQL, so nodes writing at the same time never lose each other's counts.
            var updated = await db.Set<RecommendationArm>().Where(a => a.Strategy == strategy).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Impressions, a => a.Impressions + trials)
                .SetProperty(a => a.Rewards, a => a.Rewards + rewards)
                .SetProperty(a => a.UpdatedAtUtc, at), cancellationToken);
            if (updated == 0)
            {
                db.Add(new RecommendationArm { Strategy = strategy, Impressions = trials, Rewards = rewards, UpdatedAtUtc = at });
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }
        }
    }
}
