using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Training;
using StudyRecs.Learning.MLNet;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// A recommender ready to serve: the fallback chain around the trained strategy, the engine index of every resource,
/// the strategies the online choice can play and the explainer. Before the first training, the chain is built from
/// the catalog (content) and the events logged so far (popularity), with no version.
/// </summary>
public sealed class RecommendationModel
{
    private readonly Dictionary<long, int> _index;
    private readonly IReadOnlyDictionary<string, IRecommender> _trainedStrategies;

    internal RecommendationModel(string? version, string serving, FallbackRecommender chain, long[] resourceIds, IReadOnlyDictionary<string, IRecommender> strategies, long catalogStamp)
    {
        Version = version;
        Serving = serving;
        Chain = chain;
        ResourceIds = resourceIds;
        Strategies = strategies;
        _trainedStrategies = strategies;
        CatalogStamp = catalogStamp;
        _index = new Dictionary<long, int>(resourceIds.Length);
        for (var i = 0; i < resourceIds.Length; i++)
        {
            _index[resourceIds[i]] = i;
        }

        var subjects = Enumerable.Range(0, chain.ItemCount).Select(i => chain.SubjectOf(i) ?? "").ToList();
        Explainer = new RecommendationExplainer(chain.Content, FindItemKnn(chain.Primary), subjects);
    }

    // The same model serving other imported score sets beside its own strategies.
    private RecommendationModel(RecommendationModel model, IReadOnlyList<string> importedLabels)
    {
        Version = model.Version;
        Serving = model.Serving;
        Chain = model.Chain;
        ResourceIds = model.ResourceIds;
        CatalogStamp = model.CatalogStamp;
        Explainer = model.Explainer;
        _index = model._index;
        _trainedStrategies = model._trainedStrategies;
        ImportedLabels = importedLabels;
        var strategies = new Dictionary<string, IRecommender>(_trainedStrategies, StringComparer.Ordinal);
        foreach (var label in importedLabels)
        {
            var imported = new ImportedScoreStrategy(label, Chain.ItemCount);
            strategies[imported.Name] = imported;
        }

        Strategies = strategies;
    }

    /// <summary>The registry version, or null before the first training.</summary>
    public string? Version { get; }

    /// <summary>The strategy the chain serves established students with (<c>fallback</c> before the first training).</summary>
    public string Serving { get; }

    public FallbackRecommender Chain { get; }

    /// <summary>Engine item index i is resource <c>ResourceIds[i]</c>.</summary>
    public IReadOnlyList<long> ResourceIds { get; }

    /// <summary>
    /// The strategies this version can serve by name: <c>fallback</c> (the chain), the serving strategy, the models
    /// inside it (a hybrid's or ranker's components, content and popularity) and the imported score sets.
    /// </summary>
    public IReadOnlyDictionary<string, IRecommender> Strategies { get; }

    public RecommendationExplainer Explainer { get; }

    /// <summary>Labels of the imported score sets served as <c>imported:LABEL</c> strategies, in ordinal order.</summary>
    public IReadOnlyList<string> ImportedLabels { get; } = [];

    /// <summary>This model with the imported sets <paramref name="labels"/> (ordinal order) among its strategies instead of the ones it had.</summary>
    internal RecommendationModel WithImportedSets(IReadOnlyList<string> labels) => new(this, labels);

    /// <summary>Identifies the catalog an untrained chain was built from (count and latest change); 0 for a trained version.</summary>
    internal long CatalogStamp { get; }

    public bool TryGetIndex(long resourceId, out int item) => _index.TryGetValue(resourceId, out item);

    /// <summary>The version <paramref name="stored"/> (read without its artifact) with its model <paramref name="recommender"/>.</summary>
    internal static RecommendationModel Load(TrainedModel stored, IRecommender recommender)
    {
        try
        {
            var map = RecommendationCatalogMap.Read(stored.CatalogJson ?? throw new InvalidDataException($"Recommendation {stored.Version} has no catalog map."));
            if (recommender is not FallbackRecommender chain)
            {
                throw new InvalidDataException($"Recommendation {stored.Version} is not a fallback chain.");
            }

            if (chain.ItemCount != map.ResourceIds.Count)
            {
                throw new InvalidDataException($"Recommendation {stored.Version} scores {chain.ItemCount} items but maps {map.ResourceIds.Count} resources.");
            }

            return new RecommendationModel(stored.Version, stored.Algorithm, chain, [.. map.ResourceIds], StrategiesOf(chain, stored.Algorithm), 0);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Recommendation {stored.Version} cannot be loaded: {e.Message}", e);
        }
    }

    /// <summary>The chain of a portal that has no trained version yet: content from the catalog, popularity from the events so far.</summary>
    internal static RecommendationModel Untrained(long[] resourceIds, IReadOnlyList<ItemText?> texts, IReadOnlyList<string> subjects, InteractionMatrix events, int minimumHistory, long catalogStamp)
    {
        var content = ContentRecommender.Fit(texts);
        var popularity = PopularityRecommender.Fit(events);
        var chain = new FallbackRecommender(content, content, popularity, subjects, new FallbackOptions { MinimumHistory = minimumHistory });
        return new RecommendationModel(null, RecommendationStrategyNames.Fallback, chain, resourceIds, StrategiesOf(chain, RecommendationStrategyNames.Fallback), catalogStamp);
    }

    private static Dictionary<string, IRecommender> StrategiesOf(FallbackRecommender chain, string serving)
    {
        var strategies = new Dictionary<string, IRecommender>(StringComparer.Ordinal) { [RecommendationStrategyNames.Fallback] = chain };
        if (serving != RecommendationStrategyNames.Fallback)
        {
            strategies[serving] = chain.Primary;
        }

        IEnumerable<IRecommender> parts = chain.Primary switch
        {
            HybridRecommender h => h.Components.Select(c => c.Model),
            RankerRecommender r => r.BaseModels,
            _ => [],
        };
        foreach (var part in parts.Append(chain.Content).Append(chain.Popularity))
        {
            strategies.TryAdd(part.Name, part);
        }

        return strategies;
    }

    private static ItemKnnRecommender? FindItemKnn(IRecommender model) => model switch
    {
        ItemKnnRecommender k => k,
        HybridRecommender h => h.Components.Select(c => c.Model).OfType<ItemKnnRecommender>().FirstOrDefault(),
        RankerRecommender r => r.BaseModels.OfType<ItemKnnRecommender>().FirstOrDefault(),
        _ => null,
    };
}

/// <summary>
/// The recommender this node serves, swapped as a whole when the registry's active recommendation version changes
/// (<see cref="RefreshAsync"/>, called by <see cref="RefreshableModelWatcher"/> and right after a local activation or
/// reindex). Without a trained version it serves the fallback chain over the current catalog, rebuilt when the catalog changes.
/// </summary>
public sealed partial class ActiveRecommender(IServiceScopeFactory scopes, IDbContextFactory<StudyRecsDbContext> dbs, IOptions<RecommendationOptions> options, ILogger<ActiveRecommender> logger) : IRefreshableModel, IDisposable
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private RecommendationModel? _current;

    /// <summary>The model in service, loading it first when this node has not read the registry yet.</summary>
    public async ValueTask<RecommendationModel> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _current) is { } current)
        {
            return current;
        }

        await RefreshAsync(cancellationToken);
        return Volatile.Read(ref _current)!;
    }

    public string Description => "the recommender";

    public TimeSpan RefreshInterval => TimeSpan.FromSeconds(options.Value.RefreshSeconds);

    public bool Serves(ModelTask task) => task == ModelTask.Recommendation;

    /// <summary>Reads the active version (or the catalog, without one) and loads what changed; true when the served model changed.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
            var current = Volatile.Read(ref _current);
            RecommendationModel? next;
            if ((await registry.ActiveVersionsAsync(cancellationToken)).TryGetValue(ModelTask.Recommendation, out var version))
            {
                next = current?.Version == version ? current : await LoadAsync(registry, version, cancellationToken) ?? current;
            }
            else
            {
                var stamp = await CatalogStampAsync(db, cancellationToken);
                next = current is { Version: null } untrained && untrained.CatalogStamp == stamp ? current : await BuildUntrainedAsync(db, stamp, cancellationToken);
            }

            // Score sets imported (or deleted) by another process join the strategies at the next refresh.
            var imported = await db.Set<ImportedScoreSet>().AsNoTracking().Select(s => s.Label).ToListAsync(cancellationToken);
            imported.Sort(StringComparer.Ordinal);
            if (next is not null && !next.ImportedLabels.SequenceEqual(imported, StringComparer.Ordinal))
            {
                next = next.WithImportedSets(imported);
            }

            if (next is null || ReferenceEquals(next, current))
            {
                return false;
            }

            Volatile.Write(ref _current, next);
            LogServing(logger, next.Version ?? "none (fallback chain)", next.Serving, next.ResourceIds.Count, next.ImportedLabels.Count);
            return true;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<RecommendationModel?> LoadAsync(ModelRegistry registry, string version, CancellationToken cancellationToken)
    {
        // The artifact is read as a stream: at the original design's scale it is 400 MB that need not be held as bytes.
        var stored = await registry.GetAsync(ModelTask.Recommendation, version, cancellationToken);
        if (stored is null)
        {
            return null; // Switched again between the two queries; the next refresh catches up.
        }

        try
        {
            var recommender = await registry.ReadArtifactAsync(stored.Id, s => RecommenderSerializer.Deserialize(s, MLNetModelFormat.WithEngine), cancellationToken);
            return recommender is null ? null : RecommendationModel.Load(stored, recommender);
        }
        catch (InvalidDataException e)
        {
            // Keep serving what works rather than nothing; the model page shows the bad version.
            LogUnloadable(logger, e, version);
            return null;
        }
    }

    private static async Task<long> CatalogStampAsync(StudyRecsDbContext db, CancellationToken cancellationToken)
    {
        var resources = db.Set<LearningResource>().AsNoTracking();
        var count = await resources.CountAsync(cancellationToken);
        // SQLite cannot order DateTimeOffset in SQL; the largest id with the count tells additions apart, the retired
        // count tells retirements apart (edits to text wait for the next training, or a reindex).
        var maxId = await resources.MaxAsync(r => (long?)r.Id, cancellationToken) ?? 0;
        var retired = await resources.CountAsync(r => r.IsRetired, cancellationToken);
        return (maxId * 1_000_003L) + (count * 1009L) + retired;
    }

    private async Task<RecommendationModel> BuildUntrainedAsync(StudyRecsDbContext db, long stamp, CancellationToken cancellationToken)
    {
        var catalog = await db.Set<LearningResource>().AsNoTracking().OrderBy(r => r.Id)
            .Select(r => new { r.Id, r.Title, r.Description, r.Subject, r.Topic, r.Tags }).ToListAsync(cancellationToken);
        var ids = catalog.Select(r => r.Id).ToArray();
        var index = new Dictionary<long, int>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            index[ids[i]] = i;
        }

        var students = new IdIndex();
        var interactions = new List<Interaction>();
        await foreach (var e in db.Set<RecommendationEvent>().AsNoTracking().Where(e => e.Type != RecommendationEventType.Impression)
            .Select(e => new { e.StudentId, e.ResourceId, e.Type, e.AtUtc }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (index.TryGetValue(e.ResourceId, out var item))
            {
                var kind = RecommenderTraining.Kind(e.Type);
                interactions.Add(new Interaction(students.GetOrAdd(e.StudentId), item,
                    new DateTimeOffset(DateTime.SpecifyKind(e.AtUtc, DateTimeKind.Utc)).ToUnixTimeSeconds(), InteractionKinds.DefaultWeight(kind), kind));
            }
        }

        var matrix = InteractionMatrix.Build(students.Count, ids.Length, [.. interactions]);
        var texts = catalog.Select(r => (ItemText?)new ItemText(r.Title, r.Description, r.Subject, r.Topic, string.Join(' ', r.Tags))).ToList();
        return RecommendationModel.Untrained(ids, texts, catalog.Select(r => r.Subject).ToList(), matrix, options.Value.MinimumHistory, stamp);
    }

    public void Dispose() => _refreshing.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving recommendation version {Version} ({Strategy}) over {Resources} resources, with {ImportedSets} imported score sets.")]
    private static partial void LogServing(ILogger logger, string version, string strategy, int resources, int importedSets);

    [LoggerMessage(Level = LogLevel.Error, Message = "Active recommendation version {Version} cannot be loaded; the previous model stays in service.")]
    private static partial void LogUnloadable(ILogger logger, Exception exception, string version);
}
