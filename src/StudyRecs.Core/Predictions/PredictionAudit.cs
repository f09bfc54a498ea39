using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Predictions;

/// <summary>
/// Hands prediction logs from requests to <see cref="PredictionAuditWriter"/>, which stores them in batches. A full
/// queue makes the request wait rather than drop a log; after shutdown began, a log is stored directly.
/// </summary>
public sealed partial class PredictionAuditInbox(IOptions<PredictionOptions> options, IServiceScopeFactory scopes, ILogger<PredictionAuditInbox> logger)
{
    private readonly Channel<PredictionLog> _channel = Channel.CreateBounded<PredictionLog>(new BoundedChannelOptions(options.Value.AuditQueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    internal ChannelReader<PredictionLog> Reader => _channel.Reader;

    public async ValueTask EnqueueAsync(PredictionLog log, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(log))
        {
            return;
        }

        try
        {
            await _channel.Writer.WriteAsync(log, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            LogLate(logger);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            db.Add(log);
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }

    /// <summary>No more logs are queued; the writer stores what is left and stops.</summary>
    internal void Complete() => _channel.Writer.TryComplete();

    [LoggerMessage(Level = LogLevel.Debug, Message = "A prediction log arrived after shutdown began; stored directly.")]
    private static partial void LogLate(ILogger logger);
}

/// <summary>
/// Stores queued prediction logs in batches; on a graceful stop it drains the queue before returning. A plain
/// <see cref="IHostedService"/> rather than a <c>BackgroundService</c>: since .NET 10 the latter starts its loop with
/// <c>Task.Run(..., stoppingToken)</c>, which never runs when the stop comes first, and the queue would not be drained.
/// </summary>
public sealed partial class PredictionAuditWriter(PredictionAuditInbox queue, IServiceScopeFactory scopes, IOptions<PredictionOptions> options, ILogger<PredictionAuditWriter> logger) : IHostedService
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
        var batch = new List<PredictionLog>(options.Value.AuditBatchSize);

        // The loop ends when the queue is completed and empty, never on a token, so a stop drains it.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < options.Value.AuditBatchSize && queue.Reader.TryRead(out var log))
            {
                batch.Add(log);
            }

            await StoreAsync(batch);
            batch.Clear();
        }
    }

    private async Task StoreAsync(List<PredictionLog> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
                db.ChangeTracker.AutoDetectChangesEnabled = false;
                db.AddRange(batch);
                await db.SaveChangesAsync(CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException)
            {
                if (attempt == Attempts)
                {
                    // The database refused the batch five times over ~3 s. Keep the loop alive (a dead loop would fill
                    // the queue and stall every forecast request) and say loudly how many logs were lost.
                    LogDropped(logger, e, batch.Count, Attempts);
                    return;
                }

                // A busy database (SQLite's writer lock held by an import): wait and try the same batch again.
                LogRetry(logger, e, batch.Count, attempt);
                foreach (var log in batch)
                {
                    log.Id = 0;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), CancellationToken.None);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Count} prediction logs failed (attempt {Attempt}); retrying.")]
    private static partial void LogRetry(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Count} prediction logs failed {Attempts} times; they are not in the audit.")]
    private static partial void LogDropped(ILogger logger, Exception exception, int count, int attempts);
}

/// <summary>Filters of the prediction audit list; every part optional.</summary>
public sealed record PredictionLogFilter(string? User = null, string? Subject = null, string? ModelVersion = null, bool? AtRisk = null, DateTime? FromUtc = null, DateTime? ToUtc = null);

/// <summary>Reads the prediction audit for the admin page, newest first.</summary>
public sealed class PredictionAuditLog(StudyRecsDbContext db)
{
    public async Task<(IReadOnlyList<PredictionLog> Page, int Total)> ListAsync(PredictionLogFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
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
