using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Scheduling;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// Writes every active student's recommendations into the precomputed table (nightly by default), so the dashboard
/// and the API serve them without scoring; one run at a time across nodes, retried with back-off on transient failures.
/// </summary>
[RetryPolicy(3, "00:01:00", 2.0)]
public sealed partial class PrecomputeRecommendationsJob(PrecomputedRecommendations precomputed, ILogger<PrecomputeRecommendationsJob> logger) : IJob
{
    public static readonly JobKey Key = new("precompute-recommendations", "recommendation");

    /// <summary>The nightly lists: durable and recovered after a crash, fired on <c>Recommendations:PrecomputeCron</c> (02:30 by default).</summary>
    public static readonly RecurringJob Recurring = new(Key, typeof(PrecomputeRecommendationsJob), "Precompute every active student's recommendations", true,
        new TriggerKey("nightly-precompute", "recommendation"), "Write each active student's top recommendations for fast serving",
        sp => sp.GetRequiredService<IOptions<RecommendationOptions>>().Value.PrecomputeCron);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var outcome = await precomputed.RunAsync(null, cancellationToken);
        LogOutcome(logger, outcome.Message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Nightly recommendation lists: {Outcome}")]
    private static partial void LogOutcome(ILogger logger, string outcome);
}
