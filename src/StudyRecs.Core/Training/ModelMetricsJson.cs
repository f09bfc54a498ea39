using System.Text.Json;
using System.Text.Json.Serialization;
using StudyRecs.Learning.Validation;

namespace StudyRecs.Core.Training;

/// <summary>The JSON form of the metrics stored with models and candidate runs (camelCase, one format for pages, API and downloads).</summary>
public static class ModelMetricsJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,

        // A regression report read as a classification one (or the reverse) then fails instead of half-filling.
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    public static string Write(RegressionReport report) => JsonSerializer.Serialize(report, Options);

    public static string Write(ClassificationReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>A candidate's cross-validated metrics, as stored in <see cref="ModelRun.CvMetricsJson"/>.</summary>
    public static string Write(IReadOnlyDictionary<string, MetricSummary> cvMetrics) => JsonSerializer.Serialize(cvMetrics, Options);

    /// <summary>The report of a regression model, or null when <paramref name="json"/> is not one.</summary>
    public static RegressionReport? ReadRegression(string json) => Read<RegressionReport>(json);

    /// <summary>The report of a classification model, or null when <paramref name="json"/> is not one.</summary>
    public static ClassificationReport? ReadClassification(string json) => Read<ClassificationReport>(json);

    /// <summary>A candidate's cross-validated metrics from <see cref="ModelRun.CvMetricsJson"/>, or null when unreadable.</summary>
    public static IReadOnlyDictionary<string, MetricSummary>? ReadCvMetrics(string json) => Read<Dictionary<string, MetricSummary>>(json);

    private static T? Read<T>(string json)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
