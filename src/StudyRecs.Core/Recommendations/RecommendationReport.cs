using System.Text.Json;
using System.Text.Json.Serialization;

namespace StudyRecs.Core.Recommendations;

/// <summary>Offline metrics of one strategy on the temporal split of the logged events; null metrics when it could not be fitted.</summary>
/// <param name="Trainer">For a learned ranker: the library and settings that trained it, in words (null otherwise, and in older versions).</param>
/// <param name="Chosen">
/// For the hybrid and the learned rankers: what the held-out students of the inner split chose, in words (the blend's
/// weights; whether the re-ranking serves or the blend instead). Null otherwise, and in older versions.
/// </param>
/// <param name="Candidates">
/// For a learned ranker: where its candidates come from, in words (an exact scan of the blend, or an approximate index
/// over item embeddings above <c>Recommendations:RankerExactScanLimit</c>). Null otherwise, and in older versions.
/// </param>
public sealed record RecommendationStrategyReport(
    string Strategy,
    double? PrecisionAtK,
    double? RecallAtK,
    double? NdcgAtK,
    double? MapAtK,
    double? Coverage,
    double? TrainSeconds,
    int UsersEvaluated,
    string? Unavailable,
    string? Trainer = null,
    string? Chosen = null,
    string? Candidates = null);

/// <summary>
/// The metrics JSON of a recommendation version: every strategy's offline metrics, which strategy serves and why,
/// and how much data the version learned from.
/// </summary>
public sealed record RecommendationReport(
    int K,
    string Serving,
    string Reason,
    int Events,
    int Students,
    int Resources,
    IReadOnlyList<RecommendationStrategyReport> Strategies)
{
    /// <summary>The registry's selection metric of recommendation versions (higher is better).</summary>
    public const string SelectionMetric = "ndcg_at_10";

    /// <summary>Cut-off of the offline metrics.</summary>
    public const int CutOff = 10;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a version's metrics JSON; null when it is not a recommendation report.</summary>
    public static RecommendationReport? Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<RecommendationReport>(json, Json) is { Strategies: not null, Serving: not null } report ? report : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Stored as a recommendation version's feature schema: engine item index i is resource <see cref="ResourceIds"/>[i]
/// (the artifact's own id map), and the last event the version learned from (a retraining is skipped until a newer one arrives).
/// </summary>
public sealed record RecommendationCatalogMap(IReadOnlyList<long> ResourceIds, long LastEventId)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="InvalidDataException">The JSON is not a catalog map.</exception>
    public static RecommendationCatalogMap Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<RecommendationCatalogMap>(json, Json) is { ResourceIds: not null } map ? map : throw new InvalidDataException("Not a recommendation catalog map.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("Unreadable recommendation catalog map: " + e.Message, e);
        }
    }
}
