using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Training;
using StudyRecs.Learning;
using StudyRecs.Learning.MLNet;
using StudyRecs.Learning.Serialization;

namespace StudyRecs.Core.Predictions;

/// <summary>One loaded model version, ready to predict: the model (of whichever learner won), the schema that builds its inputs and its report.</summary>
public sealed class ServingModel
{
    private ServingModel(string version, IModel model, FeatureSchema schema, RegressionReport? regression, ClassificationReport? classification)
    {
        Version = version;
        Model = model;
        Schema = schema;
        Regression = regression;
        Classification = classification;
    }

    public string Version { get; }

    public IModel Model { get; }

    public FeatureSchema Schema { get; }

    /// <summary>Report of a final-marks model (residual spread for intervals); null for a grade model.</summary>
    public RegressionReport? Regression { get; }

    /// <summary>Report of a grade model; null for a final-marks model.</summary>
    public ClassificationReport? Classification { get; }

    /// <summary>Loads a stored version from its artifact's bytes; throws <see cref="InvalidDataException"/> when any part of it is unreadable.</summary>
    public static ServingModel Load(TrainedModel stored, ReadOnlyMemory<byte> artifact)
    {
        ArgumentNullException.ThrowIfNull(stored);
        try
        {
            if (stored.ArtifactFormat is not (ArtifactFormats.EngineTrees or ArtifactFormats.MLNet))
            {
                throw new InvalidDataException($"Model {stored.Task} {stored.Version} is stored as '{stored.ArtifactFormat}', not as a grade model.");
            }

            var model = MLNetModelFormat.WithEngine.Load(artifact);
            var schema = FeatureSchema.FromJson(stored.FeatureSchemaJson ?? throw new InvalidDataException($"Model {stored.Task} {stored.Version} has no feature schema."));
            if (schema.Features.Count != model.FeatureCount)
            {
                throw new InvalidDataException($"Model {stored.Task} {stored.Version} has {model.FeatureCount} inputs but its schema lists {schema.Features.Count}.");
            }

            return stored.Task == ModelTask.Regression
                ? new ServingModel(stored.Version, model, schema, ModelMetricsJson.ReadRegression(stored.MetricsJson) ?? throw new InvalidDataException("Unreadable regression report."), null)
                : new ServingModel(stored.Version, model, schema, null, ModelMetricsJson.ReadClassification(stored.MetricsJson) ?? throw new InvalidDataException("Unreadable classification report."));
        }
        catch (Exception e) when (e is JsonException or ModelFormatException)
        {
            throw new InvalidDataException($"Model {stored.Task} {stored.Version} cannot be loaded: {e.Message}", e);
        }
    }
}

/// <summary>The models a forecast uses: both may be missing until the first training.</summary>
public sealed record ServingModels(ServingModel? Regression, ServingModel? Classification)
{
    public static readonly ServingModels None = new(null, null);

    public bool IsComplete => Regression is not null && Classification is not null;

    /// <summary>Versions for logs and API answers.</summary>
    public IReadOnlyDictionary<string, string> Versions => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["regression"] = Regression?.Version ?? "none",
        ["classification"] = Classification?.Version ?? "none",
    };
}

/// <summary>
/// The active model versions of this node, read once and swapped as a whole when the registry's active versions
/// change (<see cref="RefreshAsync"/>, called by <see cref="RefreshableModelWatcher"/> every few seconds and right after a
/// local activation). Readers take <see cref="Current"/> once per forecast and never see a half-switched pair.
/// </summary>
public sealed partial class ActiveModels(IServiceScopeFactory scopes, IOptions<PredictionOptions> options, ILogger<ActiveModels> logger) : IRefreshableModel, IDisposable
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private ServingModels _current = ServingModels.None;
    private bool _loadedOnce;

    /// <summary>The models in service now (never null; parts are null before the first training).</summary>
    public ServingModels Current => Volatile.Read(ref _current);

    /// <summary>The models in service, loading them first when this node has not read the registry yet.</summary>
    public async ValueTask<ServingModels> GetAsync(CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _loadedOnce))
        {
            await RefreshAsync(cancellationToken);
        }

        return Current;
    }

    public string Description => "the grade models";

    public TimeSpan RefreshInterval => TimeSpan.FromSeconds(options.Value.RefreshSeconds);

    public bool Serves(ModelTask task) => task is ModelTask.Regression or ModelTask.Classification;

    /// <summary>Reads the registry's active versions and loads whichever changed; returns true when the served pair changed.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
            var active = await registry.ActiveVersionsAsync(cancellationToken);
            var current = Current;
            var regression = await LoadIfChangedAsync(registry, ModelTask.Regression, active, current.Regression, cancellationToken);
            var classification = await LoadIfChangedAsync(registry, ModelTask.Classification, active, current.Classification, cancellationToken);
            Volatile.Write(ref _loadedOnce, true);
            if (ReferenceEquals(regression, current.Regression) && ReferenceEquals(classification, current.Classification))
            {
                return false;
            }

            Volatile.Write(ref _current, new ServingModels(regression, classification));
            LogSwitched(logger, regression?.Version ?? "none", classification?.Version ?? "none");
            return true;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<ServingModel?> LoadIfChangedAsync(ModelRegistry registry, ModelTask task, IReadOnlyDictionary<ModelTask, string> active, ServingModel? current, CancellationToken ct)
    {
        if (!active.TryGetValue(task, out var version))
        {
            return null;
        }

        if (current?.Version == version)
        {
            return current;
        }

        var stored = await registry.GetAsync(task, version, ct);
        var artifact = stored is null ? null : await registry.ReadArtifactAsync(stored.Id, ModelArtifacts.ReadAllBytes, ct);
        if (stored is null || artifact is null)
        {
            return current; // Switched again between the two queries; the next refresh catches up.
        }

        try
        {
            return ServingModel.Load(stored, artifact);
        }
        catch (InvalidDataException e)
        {
            // Keep serving what works rather than nothing; the model page shows the bad version.
            LogUnloadable(logger, e, task, version);
            return current;
        }
    }

    public void Dispose() => _refreshing.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving regression {Regression} and classification {Classification}.")]
    private static partial void LogSwitched(ILogger logger, string regression, string classification);

    [LoggerMessage(Level = LogLevel.Error, Message = "Active {Task} model {Version} cannot be loaded; the previous one stays in service.")]
    private static partial void LogUnloadable(ILogger logger, Exception exception, ModelTask task, string version);
}
