using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// Hands recommendation events from requests and page renders to <see cref="RecommendationEventWriter"/>, which
/// stores them in batches. A full queue makes the caller wait rather than drop an event; after shutdown began, an
/// event is stored directly.
/// </summary>
public sealed partial class RecommendationEventInbox(IOptions<RecommendationOptions> options, IServiceScopeFactory scopes, ILogger<RecommendationEventInbox> logger)
{
    private readonly Channel<RecommendationEvent> _channel = Channel.CreateBounded<RecommendationEvent>(new BoundedChannelOptions(options.Value.EventQueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    internal ChannelReader<RecommendationEvent> Reader => _channel.Reader;

    public async ValueTask EnqueueAsync(RecommendationEvent item, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(item))
        {
            return;
        }

        try
        {
            await _channel.Writer.WriteAsync(item, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            LogLate(logger);
            await using var scope = scopes.CreateAsyncScope();
            await RecommendationEventStore.StoreNewAsync(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>(), [item], CancellationToken.None);
        }
    }

    /// <summary>No more events are queued; the writer stores what is left and stops.</summary>
    internal void Complete() => _channel.Writer.TryComplete();

    [LoggerMessage(Level = LogLevel.Debug, Message = "A recommendation event arrived after shutdown began; stored directly.")]
    private static partial void LogLate(ILogger logger);
}

/// <summary>
/// Stores queued recommendation events in batches, skipping duplicates (same request id, resource and type) within a
/// batch and against what is stored; on a graceful stop it drains the queue first. A plain <see cref="IHostedService"/>
/// rather than a <c>BackgroundService</c>: since .NET 10 the latter starts its loop with <c>Task.Run(..., stoppingToken)</c>,
/// which never runs when the stop comes first, and the queue would not be drained. No failure ends the loop: a dead
/// loop would fill the queue and stall every request that logs an event.
/// </summary>
public sealed partial class RecommendationEventWriter(RecommendationEventInbox queue, IServiceScopeFactory scopes, IOptions<RecommendationOptions> options, ILogger<RecommendationEventWriter> logger) : IHostedService
{
    private const int Attempts = 5;

    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(DrainAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        await _loop.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync()
    {
        var size = options.Value.EventBatchSize;
        var batch = new List<RecommendationEvent>(size);

        // The loop ends when the queue is completed and empty, never on a token, so a stop drains it.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < size && queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await StoreAsync(batch);
            batch.Clear();
        }
    }

    private async Task StoreAsync(List<RecommendationEvent> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var stored = await RecommendationEventStore.StoreNewAsync(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>(), batch, CancellationToken.None);
                if (stored < batch.Count)
                {
                    LogDuplicates(logger, batch.Count - stored, batch.Count);
                }

                return;
            }
            catch (Exception e)
            {
                if (attempt == Attempts)
                {
                    LogDropped(logger, e, batch.Count, Attempts);
                    return;
                }

                // A busy database, or another node stored one of these keys between our check and our insert: the
                // next attempt checks the stored keys again.
                LogRetry(logger, e, batch.Count, attempt);
                foreach (var item in batch)
                {
                    item.Id = 0;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), CancellationToken.None);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped {Duplicates} duplicate recommendation event(s) of a batch of {Count}.")]
    private static partial void LogDuplicates(ILogger logger, int duplicates, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Count} recommendation events failed (attempt {Attempt}); retrying.")]
    private static partial void LogRetry(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Count} recommendation events failed {Attempts} times; they are lost.")]
    private static partial void LogDropped(ILogger logger, Exception exception, int count, int attempts);
}

/// <summary>Inserts the events that are not stored yet and adds them to the strategies' bandit counts, in one transaction.</summary>
internal static class RecommendationEventStore
{
    /// <summary>Stores the events whose key is new (first of a batch wins); returns how many were stored.</summary>
    public static async Task<int> StoreNewAsync(StudyRecsDbContext db, IReadOnlyList<RecommendationEvent> events, CancellationToken cancellationToken)
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
