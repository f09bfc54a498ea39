using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StudyRecs.Core.Training;

/// <summary>
/// The one watcher of every model this node serves: polls each <see cref="IRefreshableModel"/> at its own interval so
/// a switch made on any node reaches this one. A failed poll keeps the model loaded before.
/// </summary>
public sealed partial class RefreshableModelWatcher(IEnumerable<IRefreshableModel> models, TimeProvider time, ILogger<RefreshableModelWatcher> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(models.Select(model => WatchAsync(model, stoppingToken)));

    private async Task WatchAsync(IRefreshableModel model, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(model.RefreshInterval, time);
        do
        {
            try
            {
                await model.RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRefreshFailed(logger, e, model.Description);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the registry's version of {Model}; serving what was loaded before.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string model);
}
