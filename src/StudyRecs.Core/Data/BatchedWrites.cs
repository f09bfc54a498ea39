using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StudyRecs.Core.Data;

/// <summary>How a kind of record is stored in batches: the one part that differs between the batched logs.</summary>
/// <typeparam name="T">The entity written.</typeparam>
public interface IBatchStore<T>
    where T : class
{
    /// <summary>What the records are, in log messages ("prediction logs").</summary>
    string Noun { get; }

    /// <summary>Stores a batch in one unit of work; returns how many records were new (the rest were duplicates).</summary>
    Task<int> StoreAsync(StudyRecsDbContext db, IReadOnlyList<T> batch, CancellationToken cancellationToken);

    /// <summary>Undoes what a failed attempt set on a record (its generated key) so the next attempt inserts it afresh.</summary>
    void Reset(T item);
}

/// <summary>
/// Hands records from requests to a <see cref="BatchWriter{T}"/>, which stores them in batches. A full queue makes the
/// caller wait rather than drop a record; after shutdown began, a record is stored directly.
/// </summary>
public abstract class BatchInbox<T>(int capacity, IBatchStore<T> store, IDbContextFactory<StudyRecsDbContext> dbs, ILogger logger)
    where T : class
{
    private readonly Channel<T> _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    internal ChannelReader<T> Reader => _channel.Reader;

    public async ValueTask EnqueueAsync(T item, CancellationToken cancellationToken)
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
            BatchWriteLog.Late(logger, store.Noun);
            await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
            await store.StoreAsync(db, [item], CancellationToken.None);
        }
    }

    /// <summary>No more records are queued; the writer stores what is left and stops.</summary>
    internal void Complete() => _channel.Writer.TryComplete();
}

/// <summary>
/// Stores queued records in batches; on a graceful stop it drains the queue first. A plain <see cref="IHostedService"/>
/// rather than a <c>BackgroundService</c>: since .NET 10 the latter starts its loop with <c>Task.Run(..., stoppingToken)</c>,
/// which never runs when the stop comes first, and the queue would not be drained. No failure ends the loop (a dead
/// loop would fill the queue and stall every request that logs): a batch the database refuses five times over about
/// three seconds is logged as lost.
/// <para>
/// <c>gather</c> (zero unless a writer asks for it): after storing a batch that did not fill up, the loop waits this
/// long before taking the next one, so records arriving steadily are stored a batch at a time instead of one or two
/// per unit of work (each costs a context, a transaction and a commit). A record that arrives when the writer is idle
/// is still stored at once; none waits longer than the gather time plus one store, and a stop drains the queue as before.
/// </para>
/// </summary>
public abstract class BatchWriter<T>(BatchInbox<T> inbox, IBatchStore<T> store, IDbContextFactory<StudyRecsDbContext> dbs, Func<int> batchSize, ILogger logger, TimeSpan gather = default) : IHostedService
    where T : class
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
        inbox.Complete();
        await _loop.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync()
    {
        var batch = new List<T>();

        // The loop ends when the queue is completed and empty, never on a token, so a stop drains it.
        while (await inbox.Reader.WaitToReadAsync(CancellationToken.None))
        {
            var size = batchSize();
            while (batch.Count < size && inbox.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await StoreAsync(batch);
            var filled = batch.Count >= size;
            batch.Clear();
            if (!filled && gather > TimeSpan.Zero && !inbox.Reader.Completion.IsCompleted)
            {
                await Task.Delay(gather, CancellationToken.None);
            }
        }
    }

    private async Task StoreAsync(List<T> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
                var stored = await store.StoreAsync(db, batch, CancellationToken.None);
                if (stored < batch.Count)
                {
                    BatchWriteLog.Duplicates(logger, batch.Count - stored, batch.Count, store.Noun);
                }

                return;
            }
            catch (Exception e)
            {
                if (attempt == Attempts)
                {
                    BatchWriteLog.Dropped(logger, e, batch.Count, store.Noun, Attempts);
                    return;
                }

                // A busy database (SQLite's writer lock held by an import), or another node stored one of these keys
                // between a check and an insert: wait and try the same batch again.
                BatchWriteLog.Retry(logger, e, batch.Count, store.Noun, attempt);
                foreach (var item in batch)
                {
                    store.Reset(item);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), CancellationToken.None);
            }
        }
    }
}

internal static partial class BatchWriteLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "One of the {Noun} arrived after shutdown began; stored directly.")]
    public static partial void Late(ILogger logger, string noun);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped {Duplicates} duplicate(s) in a batch of {Count} {Noun}.")]
    public static partial void Duplicates(ILogger logger, int duplicates, int count, string noun);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Count} {Noun} failed (attempt {Attempt}); retrying.")]
    public static partial void Retry(ILogger logger, Exception exception, int count, string noun, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Count} {Noun} failed {Attempts} times; they are lost.")]
    public static partial void Dropped(ILogger logger, Exception exception, int count, string noun, int attempts);
}
