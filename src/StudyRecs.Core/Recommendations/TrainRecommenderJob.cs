using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Scheduling;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// Retrains the recommender from the logged events (hourly by default; skipped when no event arrived since the latest
/// version). One at a time, across nodes too (the job disallows concurrent execution); transient failures are retried
/// with back-off. Each retraining that trains is a <see cref="Training.TrainingRun"/> of kind
/// <see cref="Training.TrainingRunKind.Recommendations"/>, which the jobs page lists.
/// </summary>
[RetryPolicy(3, "00:00:30", 2.0)]
public sealed partial class TrainRecommenderJob(RecommenderTraining training, ILogger<TrainRecommenderJob> logger) : IJob
{
    public static readonly JobKey Key = new("train-recommender", "recommendation");

    /// <summary>The recommender's retraining: durable and recovered after a crash, fired on <c>Recommendations:RetrainCron</c> (hourly by default).</summary>
    public static readonly RecurringJob Recurring = new(Key, typeof(TrainRecommenderJob), "Retrain the resource recommender from the logged events", true,
        new TriggerKey("hourly-retrain", "recommendation"), "Retrain the recommender when events arrived since the last version",
        sp => sp.GetRequiredService<IOptions<RecommendationOptions>>().Value.RetrainCron);

    /// <summary>Job data flag: train even when no event arrived (the jobs page's Run now, the reindex endpoint).</summary>
    public const string ForceKey = "force";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var forced = context.MergedJobDataMap.TryGetValue(ForceKey, out var f) && string.Equals(f?.ToString(), "true", StringComparison.OrdinalIgnoreCase);
        var outcome = await training.TrainAsync(forced ? "run now" : "job", forced, cancellationToken);
        LogOutcome(logger, outcome.Message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recommender retraining: {Outcome}")]
    private static partial void LogOutcome(ILogger logger, string outcome);
}
