using System.ComponentModel.DataAnnotations;

namespace StudyRecs.Core.Recommendations;

/// <summary>Settings section <c>Recommendations</c>: event logging, retraining and serving of resource recommendations.</summary>
public sealed class RecommendationOptions : IValidatableObject
{
    public const string SectionName = "Recommendations";

    /// <summary>Events waiting to be stored; a full queue makes the request wait rather than drop one.</summary>
    [Range(100, 10_000_000)]
    public int EventQueueCapacity { get; set; } = 50_000;

    /// <summary>Events stored per database round trip.</summary>
    [Range(1, 10_000)]
    public int EventBatchSize { get; set; } = 500;

    /// <summary>Events one <c>POST /api/recommendations/events</c> may carry.</summary>
    [Range(1, 1000)]
    public int MaxEventsPerRequest { get; set; } = 100;

    /// <summary>How far in the past a reported event time may lie.</summary>
    [Range(1, 365)]
    public int MaxEventAgeDays { get; set; } = 7;

    /// <summary>Longest dwell time a view may report.</summary>
    [Range(1, 7 * 86_400)]
    public int MaxDwellSeconds { get; set; } = 86_400;

    /// <summary>Quartz cron expression of the retraining (hourly by default; skipped when no event arrived since the last version).</summary>
    [Required]
    public string RetrainCron { get; set; } = "0 0 * * * ?";

    /// <summary>Training events (impressions aside) a retraining needs; fewer, and the fallback chain keeps serving.</summary>
    [Range(2, int.MaxValue)]
    public int MinimumEventsToTrain { get; set; } = 50;

    /// <summary>Students with fewer resources in their history are served by the fallback chain (weak subjects, content, popularity).</summary>
    [Range(0, 1000)]
    public int MinimumHistory { get; set; } = 3;

    /// <summary>Fixed weights of the hybrid strategy by model name (ease, als, itemknn, content, popularity); null keeps the engine's defaults.</summary>
    public Dictionary<string, float>? HybridWeights { get; set; }

    /// <summary>
    /// Largest catalog whose learned-ranker candidates come from scoring every resource with every model; above it they
    /// come from an approximate (HNSW) index over ALS's or the two-tower model's item embeddings, and the models score
    /// those candidates only. Exact scoring stops fitting a 2 ms budget at about 50,000 resources (bench/RESULTS.md).
    /// </summary>
    [Range(2, int.MaxValue)]
    public int RankerExactScanLimit { get; set; } = 50_000;

    /// <summary>How often a node checks which recommendation version is active (and, before the first training, whether the catalog changed).</summary>
    [Range(0.1, 3600)]
    public double RefreshSeconds { get; set; } = 5;

    /// <summary>How the strategy for an established student is chosen online: <c>thompson</c> (Beta posteriors) or <c>epsilon-greedy</c>.</summary>
    [Required]
    [RegularExpression("^(thompson|epsilon-greedy)$", ErrorMessage = "Bandit must be thompson or epsilon-greedy.")]
    public string Bandit { get; set; } = "thompson";

    /// <summary>Exploration probability of the epsilon-greedy choice.</summary>
    [Range(0, 1)]
    public double Epsilon { get; set; } = 0.1;

    /// <summary>Recommendations in a block and in an API answer without <c>k</c>.</summary>
    [Range(1, 100)]
    public int DefaultCount { get; set; } = 5;

    /// <summary>The largest <c>k</c> the API accepts.</summary>
    [Range(1, 500)]
    public int MaxCount { get; set; } = 50;

    /// <summary>Rows one <c>studyrecs recommend import-scores</c> file may have (the import holds the rows in memory while it checks them: about 190 MB for 1,000,000).</summary>
    [Range(1, 50_000_000)]
    public int ImportedScoresMaxRows { get; set; } = 5_000_000;

    /// <summary>Quartz cron expression of the nightly job that writes each active student's list (02:30 by default).</summary>
    [Required]
    public string PrecomputeCron { get; set; } = "0 30 2 * * ?";

    /// <summary>Resources kept per student in a nightly list (the dashboard shows the first <see cref="DefaultCount"/> still worth showing).</summary>
    [Range(1, 500)]
    public int PrecomputedCount { get; set; } = 20;

    /// <summary>A nightly list older than this is not served: the student is scored live.</summary>
    [Range(1, 24 * 30)]
    public int PrecomputedMaxAgeHours { get; set; } = 26;

    /// <summary>Students with a recommendation event in this many days get a nightly list.</summary>
    [Range(1, 366)]
    public int PrecomputeActiveDays { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DefaultCount > MaxCount)
        {
            yield return new ValidationResult($"DefaultCount ({DefaultCount}) must not exceed MaxCount ({MaxCount}).", [nameof(DefaultCount)]);
        }

        foreach (var (name, weight) in HybridWeights ?? [])
        {
            if (name is not ("ease" or "als" or "itemknn" or "content" or "popularity" or "two-tower") || !(weight >= 0) || !float.IsFinite(weight))
            {
                yield return new ValidationResult($"HybridWeights: '{name}' = {weight} is not allowed; use ease, als, itemknn, content, popularity or two-tower with a weight of 0 or more.", [nameof(HybridWeights)]);
            }
        }

        foreach (var (name, cron, example) in new[] { (nameof(RetrainCron), RetrainCron, "\"0 0 * * * ?\" for hourly"), (nameof(PrecomputeCron), PrecomputeCron, "\"0 30 2 * * ?\" for 02:30 every night") })
        {
            string? problem = null;
            try
            {
                _ = new Quartz.CronExpression(cron ?? "");
            }
            catch (FormatException e)
            {
                problem = e.Message;
            }

            if (problem is not null)
            {
                yield return new ValidationResult($"{name}: '{cron}' is not a Quartz cron expression (e.g. {example}): {problem}", [name]);
            }
        }
    }
}
