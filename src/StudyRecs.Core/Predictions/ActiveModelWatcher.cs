using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StudyRecs.Core.Predictions;

/// <summary>Polls the registry's active versions every <see cref="PredictionOptions.RefreshSeconds"/> so a switch made on any node reaches this one.</summary>
public sealed partial class ActiveModelWatcher(ActiveModels models, IOptions<PredictionOptions> options, TimeProvider time, ILogger<ActiveModelWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RefreshSeconds), time);
        do
        {
            try
            {
                await models.RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRefreshFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the active model versions; serving the ones loaded before.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
