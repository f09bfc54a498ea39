using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Scheduling;

/// <summary>
/// At start-up, before the scheduler fires anything: marks training runs a killed process left in Running as
/// Interrupted (their jobs are recovered by the store and run again). The recurring jobs themselves are scheduled by
/// <see cref="RecurringJobsBootstrapper"/>.
/// </summary>
public sealed class InterruptedRunsRecovery(IServiceScopeFactory scopes, ILogger<InterruptedRunsRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var interrupted = await scope.ServiceProvider.GetRequiredService<TrainingPipeline>().MarkInterruptedRunsAsync(cancellationToken);
        if (interrupted > 0)
        {
            logger.LogWarning("{Count} training run(s) were interrupted by a stop; their jobs run again.", interrupted);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
