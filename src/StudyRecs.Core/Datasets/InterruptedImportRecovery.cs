using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StudyRecs.Core.Datasets;

/// <summary>At start-up: imports a stopped process left unfinished become Rejected, and their spooled files go.</summary>
public sealed class InterruptedImportRecovery(IServiceScopeFactory scopes, ILogger<InterruptedImportRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var marked = await scope.ServiceProvider.GetRequiredService<DatasetImportService>().RecoverInterruptedImportsAsync(cancellationToken);
        if (marked > 0)
        {
            logger.LogWarning("{Count} dataset import(s) were interrupted by a stop and are marked rejected.", marked);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
