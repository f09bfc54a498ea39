using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Features.Predictions;
using StudyRecs.Web.Features.Recommendations;
using StudyRecs.Web.Features.Training;

namespace StudyRecs.Web.Api;

/// <summary>
/// Every JSON answer of <c>/api</c> (and of the admin recommendation API): one source-generated context, snake_case
/// names. Types it does not list (Identity's <c>/api/auth</c> bodies, Problem Details) keep the framework's camelCase.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DatasetResponse))]
[JsonSerializable(typeof(DatasetListResponse))]
[JsonSerializable(typeof(DatasetOutcomeCounts))]
[JsonSerializable(typeof(DatasetChangeResponse))]
[JsonSerializable(typeof(OverlapCancelledResponse))]
[JsonSerializable(typeof(DatasetValidationReport))]
[JsonSerializable(typeof(TrainingRunResponse))]
[JsonSerializable(typeof(IReadOnlyList<ModelPin>))]
[JsonSerializable(typeof(ModelChangeResponse))]
[JsonSerializable(typeof(PredictPayload))]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(RecommendationEventPayload))]
[JsonSerializable(typeof(RecommendationEventsAccepted))]
[JsonSerializable(typeof(HomeRecommendationsResponse))]
[JsonSerializable(typeof(SimilarResourcesResponse))]
[JsonSerializable(typeof(UserStatsResponse))]
[JsonSerializable(typeof(GlobalStatsResponse))]
[JsonSerializable(typeof(RecommenderModelsResponse))]
[JsonSerializable(typeof(ReindexResponse))]
[JsonSerializable(typeof(ExperimentListResponse))]
[JsonSerializable(typeof(ExperimentReportResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>Registers <see cref="ApiJsonContext"/> with the minimal API's JSON options.</summary>
internal static class ApiJson
{
    /// <summary>
    /// The context as a link of another options' resolver chain. Chained, a context takes the naming policy of the
    /// options it serves (camelCase for the web defaults), not its own; this renames its properties back to snake_case,
    /// so both paths write the same names (explicit names such as <c>ndcg_at_10</c> are snake_case already).
    /// </summary>
    public static IJsonTypeInfoResolver Resolver { get; } = ApiJsonContext.Default.WithAddedModifier(typeInfo =>
    {
        if (typeInfo.Kind == JsonTypeInfoKind.Object)
        {
            foreach (var property in typeInfo.Properties)
            {
                property.Name = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
                WriteOnly(property);
            }
        }
    });

    /// <summary>
    /// The API writes Core's records, it never reads them: a collection Core fills in place when it reads its own
    /// stored JSON (<see cref="JsonObjectCreationHandling.Populate"/>, as in the validation report) is only written here,
    /// and source generation refuses that setting on a type built through its constructor or required properties.
    /// </summary>
    private static void WriteOnly(JsonPropertyInfo property)
    {
        if (property.ObjectCreationHandling == JsonObjectCreationHandling.Populate)
        {
            property.ObjectCreationHandling = JsonObjectCreationHandling.Replace;
        }
    }

    /// <summary>
    /// For answers kept as bytes (the forecast, which the audit stores as sent): <paramref name="value"/> as the context
    /// writes it, with letters outside ASCII (subject names) left readable. The escaping is the writer's, so the
    /// context's own options stay as generated and its generated serialization code writes the answer (options with
    /// another encoder would send it down the generic, slower path).
    /// </summary>
    public static byte[] ToReadableUtf8<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.Reset(buffer);
        try
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            // A large answer's buffer is not kept for the thread's next one.
            if (buffer.Capacity > 1 << 16)
            {
                t_buffer = null;
                t_writer = null;
            }
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static IServiceCollection AddStudyRecsApiJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Resolver));
}
