namespace StudyRecs.Core.Training;

/// <summary>
/// One version of a model in the registry, with everything needed to judge and reuse it: settings, metrics, the
/// task's own metadata (the feature schema of a grade model, the catalog map of a recommender), the data it learned
/// from and the format of its artifact. The artifact's bytes are a <see cref="ModelArtifact"/> of their own, so no
/// query of versions ever loads them. At most one version per task is active; the database enforces it.
/// </summary>
public class TrainedModel
{
    public long Id { get; set; }

    /// <summary>UTC creation time as yyyyMMddHHmmss, unique per task.</summary>
    public required string Version { get; set; }

    public ModelTask Task { get; set; }

    /// <summary>The trainer: "gbdt" or "forest" (the engine's), "fasttree", "fastforest" or "lightgbm" (ML.NET's); see <see cref="ModelLibrary"/>.</summary>
    public required string Algorithm { get; set; }

    /// <summary>The winning candidate's name and trainer settings, as JSON.</summary>
    public required string SettingsJson { get; set; }

    /// <summary>A <see cref="RegressionReport"/> or <see cref="ClassificationReport"/> as JSON (read with <see cref="ModelMetricsJson"/>).</summary>
    public required string MetricsJson { get; set; }

    /// <summary>A grade model's <see cref="FeatureSchema"/> as JSON (the inputs it takes, in order); null for a recommender.</summary>
    public string? FeatureSchemaJson { get; set; }

    /// <summary>
    /// A recommender's <see cref="Recommendations.RecommendationCatalogMap"/> as JSON (the resource behind each item
    /// index, the last event learned from); null for a grade model.
    /// </summary>
    public string? CatalogJson { get; set; }

    /// <summary>
    /// What reads the artifact: <c>studyrecs-trees</c> (the engine's tree ensembles), <c>mlnet</c> (an ML.NET model in
    /// the project's frame) or <c>studyrecs-recommender</c> (a recommender's fallback chain); see <see cref="ArtifactFormats"/>.
    /// </summary>
    public required string ArtifactFormat { get; set; }

    /// <summary>SHA-256 of the artifact's bytes, lower-case hex.</summary>
    public required string ArtifactSha256 { get; set; }

    /// <summary>Size of the artifact in bytes.</summary>
    public long ArtifactLength { get; set; }

    /// <summary>"job" for scheduled training, otherwise the user who asked for it.</summary>
    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public bool IsActive { get; set; }

    public DateTimeOffset? ActivatedAt { get; set; }

    public string? ActivatedBy { get; set; }

    public string? ActivationReason { get; set; }

    /// <summary>Why training left this version inactive (it scored worse than the active one).</summary>
    public string? NotActivatedReason { get; set; }

    public long? TrainingRunId { get; set; }

    public int RowsUsed { get; set; }

    /// <summary>Ids of the datasets whose rows trained a grade model, as a JSON array; null for a recommender (it learns from events).</summary>
    public string? DatasetIdsJson { get; set; }

    /// <summary>SHA-256 over the training rows (or events) in canonical order: equal hashes mean equal training data.</summary>
    public required string DataHash { get; set; }

    public double DurationSeconds { get; set; }

    /// <summary>Name of the metric versions are compared on: <c>cv_rmse</c> (lower is better) or <c>cv_weighted_f1</c> (higher is better).</summary>
    public required string SelectionMetric { get; set; }

    /// <summary>Cross-validated value of <see cref="SelectionMetric"/>, used by the activation rule and for comparing versions.</summary>
    public double SelectionScore { get; set; }
}

/// <summary>Which learner library trained a stored version.</summary>
public static class ModelLibrary
{
    /// <summary>
    /// The <c>library</c> named in the version's settings; versions stored before ML.NET joined name none and were all
    /// trained by the engine (<c>studyrecs</c>).
    /// </summary>
    public static string Of(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            using var settings = System.Text.Json.JsonDocument.Parse(model.SettingsJson);
            return settings.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && settings.RootElement.TryGetProperty("library", out var library) && library.ValueKind == System.Text.Json.JsonValueKind.String
                ? library.GetString()!
                : Learning.EngineInfo.Library;
        }
        catch (System.Text.Json.JsonException)
        {
            return Learning.EngineInfo.Library;
        }
    }
}
