using System.Diagnostics;

namespace StudyRecs.Learning.Recommend;

/// <summary>Settings of every strategy a <see cref="RecommenderSuite"/> can fit.</summary>
public sealed record RecommenderSuiteOptions
{
    /// <summary>Popularity settings.</summary>
    public PopularityOptions Popularity { get; init; } = new();

    /// <summary>Item-kNN settings.</summary>
    public ItemKnnOptions ItemKnn { get; init; } = new();

    /// <summary>EASE settings.</summary>
    public EaseOptions Ease { get; init; } = new();

    /// <summary>ALS settings.</summary>
    public AlsOptions Als { get; init; } = new();

    /// <summary>Two-tower settings.</summary>
    public TwoTowerOptions TwoTower { get; init; } = new();

    /// <summary>Learned ranker settings.</summary>
    public RankerOptions Ranker { get; init; } = new();

    /// <summary>
    /// The ranking learner of the "ranker-fasttree" strategy (ML.NET's FastTree LambdaMART, given by the caller, which
    /// then reads the models with that library's format); null: the strategy is unavailable. It re-ranks the same
    /// candidates with the same features as the engine's ranker.
    /// </summary>
    public ILearner? FastTreeRanker { get; init; }

    /// <summary>
    /// Whether the hybrid's weights are tuned on an inner temporal split of the training events (as the ranker's
    /// fallback blend is, and shared with it), the better of the tuned blend and the best component alone serving;
    /// false, or without the training events: <see cref="HybridWeights"/> as given. The components are always those of
    /// <see cref="HybridWeights"/> with a positive weight.
    /// </summary>
    public bool TuneHybridWeights { get; init; } = true;

    /// <summary>Weights of the hybrid by strategy name (its components; fixed unless tuned); strategies that cannot be fitted are left out.</summary>
    public IReadOnlyDictionary<string, float> HybridWeights { get; init; } = new Dictionary<string, float>
    {
        ["ease"] = 0.4f,
        ["als"] = 0.25f,
        ["itemknn"] = 0.25f,
        ["content"] = 0.05f,
        ["popularity"] = 0.05f,
    };
}

/// <summary>A fitted model and how long fitting took (for a hybrid: the sum over its components).</summary>
/// <param name="Model">The model.</param>
/// <param name="Seconds">Wall-clock fitting time.</param>
public sealed record FittedRecommender(IRecommender Model, double Seconds);

/// <summary>
/// Fits strategies by name on one training matrix, reusing fitted models (the hybrid reuses its components).
/// The entry point for retraining jobs and the evaluation command.
/// </summary>
public sealed class RecommenderSuite
{
    /// <summary>The strategies a suite fits, in a sensible evaluation order.</summary>
    public static readonly IReadOnlyList<string> Strategies = ["popularity", "itemknn", "ease", "als", "content", "two-tower", "hybrid", RankerRecommender.EngineName, RankerRecommender.FastTreeName];

    /// <summary>The learned rankers among <see cref="Strategies"/>.</summary>
    public static readonly IReadOnlyList<string> Rankers = [RankerRecommender.EngineName, RankerRecommender.FastTreeName];

    private readonly InteractionMatrix _train;
    private readonly IReadOnlyList<ItemText?>? _texts;
    private readonly RecommenderSuiteOptions _options;
    private readonly Action<string>? _log;
    private readonly Dictionary<string, FittedRecommender> _fitted = new(StringComparer.Ordinal);

    // The hybrid's weights chosen on the inner split (components in BaseStrategies order), and the seconds that took.
    private (RankerValidation Validation, double Seconds)? _hybridChoice;

    /// <summary>Prepares to fit on <paramref name="train"/>; <paramref name="texts"/> (aligned with item indexes) enables content.</summary>
    public RecommenderSuite(InteractionMatrix train, IReadOnlyList<ItemText?>? texts, RecommenderSuiteOptions? options = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (texts is not null && texts.Count != train.ItemCount)
        {
            throw new ArgumentException("Item texts must be aligned with the catalog.", nameof(texts));
        }

        _train = train;
        _texts = texts;
        _options = options ?? new RecommenderSuiteOptions();
        _log = log;
    }

    /// <summary>The training events behind the matrix; the ranker needs them for its inner temporal split.</summary>
    public InteractionLog? TrainingEvents { get; init; }

    /// <summary>Each student's forecasts and impressions by user index (null: none known); features of the ranker.</summary>
    public Func<int, StudentContext?>? Contexts { get; init; }

    /// <summary>Why a strategy cannot be fitted on this data, or null when it can.</summary>
    public string? Unavailable(string strategy) => strategy switch
    {
        "content" when _texts is null => "content needs the resources' text (an items file)",
        "ease" when _train.ItemCount > _options.Ease.MaxItems =>
            $"EASE needs a dense items×items matrix; {_train.ItemCount:N0} items exceed its limit of {_options.Ease.MaxItems:N0}",
        "hybrid" or RankerRecommender.EngineName or RankerRecommender.FastTreeName when !BaseStrategies().Any() => "no base model can be fitted",
        RankerRecommender.EngineName or RankerRecommender.FastTreeName when TrainingEvents is null => "the ranker needs the training events for its inner temporal split",
        RankerRecommender.FastTreeName when _options.FastTreeRanker is null => "ML.NET's FastTree ranking is not among the learners of this run",
        _ when !Strategies.Contains(strategy) => $"unknown strategy '{strategy}'",
        _ => null,
    };

    /// <summary>
    /// Before fitting several strategies: fits the learned rankers first when they are among them (all on one
    /// LambdaMART training set), so their inner base models are released before the base models that serve (and that
    /// the other strategies reuse) are fitted; the peak then holds one set of base models (EASE's dense matrix once)
    /// instead of two. A ranker that cannot be trained is left for <see cref="Fit"/> to report.
    /// </summary>
    public void PrepareToFit(IEnumerable<string> strategies)
    {
        ArgumentNullException.ThrowIfNull(strategies);
        var rankers = Rankers.Where(r => strategies.Contains(r) && Unavailable(r) is null && !_fitted.ContainsKey(r)).ToList();
        if (rankers.Count > 0)
        {
            try
            {
                FitRankers(rankers);
            }
            catch (ArgumentException)
            {
                // Fit(ranker) later says why.
            }
        }
    }

    /// <summary>Fits (or returns the already fitted) strategy.</summary>
    /// <exception cref="InvalidOperationException">The strategy is unavailable (see <see cref="Unavailable"/>).</exception>
    public FittedRecommender Fit(string strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        if (_fitted.TryGetValue(strategy, out var done))
        {
            return done;
        }

        if (Unavailable(strategy) is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        _log?.Invoke($"fitting {strategy}");
        FittedRecommender fitted;
        if (Rankers.Contains(strategy))
        {
            FitRankers([strategy]);
            return _fitted[strategy];
        }
        else if (strategy == "hybrid")
        {
            var names = BaseStrategies().ToList();
            // Without held-out students to compare on (tiny data) the given weights serve.
            (RankerValidation Validation, double Seconds)? tuned = _options.TuneHybridWeights && TrainingEvents is not null && HybridChoice() is { Validation.Students: > 0 } t
                ? t : null;
            var parts = names.Select((s, i) => (Fitted: Fit(s), Weight: tuned is { } t ? t.Validation.BlendWeights[i] : _options.HybridWeights[s])).ToList();
            fitted = new FittedRecommender(new HybridRecommender(parts.Select(p => new WeightedRecommender(p.Fitted.Model, p.Weight))),
                parts.Sum(p => p.Fitted.Seconds) + (tuned?.Seconds ?? 0));
        }
        else
        {
            var clock = Stopwatch.StartNew();
            IRecommender model = strategy switch
            {
                "popularity" => PopularityRecommender.Fit(_train, _options.Popularity),
                "itemknn" => ItemKnnRecommender.Fit(_train, _options.ItemKnn),
                "ease" => EaseRecommender.Fit(_train, _options.Ease),
                "als" => AlsRecommender.Fit(_train, _options.Als),
                "two-tower" => TwoTowerRecommender.Fit(_train, _texts, _options.TwoTower, Contexts),
                _ => ContentRecommender.Fit(_texts!),
            };
            fitted = new FittedRecommender(model, clock.Elapsed.TotalSeconds);
        }

        _fitted[strategy] = fitted;
        return fitted;
    }

    /// <summary>How the hybrid's weights were chosen on the inner split (null: not tuned, not fitted yet, or no held-out student to choose on).</summary>
    public RankerValidation? HybridValidation => _hybridChoice is { Validation.Students: > 0 } c ? c.Validation : null;

    // The hybrid's weights chosen on an inner temporal split: the learned rankers' choice when they were fitted (the
    // same base models, split and students), else base models fitted on the inner split for this alone.
    private (RankerValidation Validation, double Seconds) HybridChoice()
    {
        if (_hybridChoice is { } done)
        {
            return done;
        }

        _log?.Invoke("choosing the hybrid's weights on an inner temporal split");
        var clock = Stopwatch.StartNew();
        var innerSplit = TemporalSplit.Create(TrainingEvents!);
        var innerSuite = new RecommenderSuite(innerSplit.TrainMatrix, _texts, _options, _log is null ? null : step => _log("inner split: " + step));
        var inner = BaseStrategies().Select(s => innerSuite.Fit(s).Model).ToList();
        var (_, validation) = RankerRecommender.ValidatedBlendWeights(inner, innerSplit, _options.Ranker with { BlendStart = GivenBlendWeights() });
        _hybridChoice = (validation, clock.Elapsed.TotalSeconds);
        return _hybridChoice.Value;
    }

    // The hybrid's given weights in BaseStrategies order: the blend the tuning starts from and keeps unless clearly beaten.
    private float[] GivenBlendWeights() => [.. BaseStrategies().Select(s => _options.HybridWeights[s])];

    // The hybrid's components with a positive weight that can be fitted here, in a fixed order; also the ranker's features.
    private IEnumerable<string> BaseStrategies() => _options.HybridWeights
        .Where(p => p.Key != "hybrid" && !Rankers.Contains(p.Key) && p.Value > 0 && Strategies.Contains(p.Key) && Unavailable(p.Key) is null)
        .Select(p => p.Key).Order(StringComparer.Ordinal);

    // Base models fitted on an inner temporal split of the training events give the LambdaMART training set (built
    // once for all the rankers asked for); the same strategies fitted on all training events serve.
    private void FitRankers(List<string> rankers)
    {
        var clock = Stopwatch.StartNew();
        var innerSplit = TemporalSplit.Create(TrainingEvents!);
        var strategies = BaseStrategies().ToList();
        double servingSeconds = 0, servingWall = 0;
        var facets = _texts is null ? null : ItemFacets.From(_texts);
        var fitted = RankerRecommender.FitMany(
            () =>
            {
                _log?.Invoke("fitting the base models on an inner temporal split, then the LambdaMART re-ranker(s)");
                var innerSuite = new RecommenderSuite(innerSplit.TrainMatrix, _texts, _options, _log is null ? null : step => _log("inner split: " + step));
                return strategies.Select(s => innerSuite.Fit(s).Model).ToList();
            },
            () =>
            {
                _log?.Invoke("LambdaMART re-ranker(s) trained; fitting the serving base models");
                var started = Stopwatch.GetTimestamp();
                var serving = strategies.Select(Fit).ToList();
                servingWall = Stopwatch.GetElapsedTime(started).TotalSeconds;
                servingSeconds = serving.Sum(f => f.Seconds);
                return [.. serving.Select(f => f.Model)];
            },
            innerSplit, [.. rankers.Select(r => (r, (r == RankerRecommender.FastTreeName ? _options.Ranker with { Learner = _options.FastTreeRanker } : _options.Ranker) with { BlendStart = GivenBlendWeights() }))],
            facets, Contexts);

        // Each ranker counts the shared work (inner models, candidates, features), its own learner, and the serving
        // models with their own fitting time, whether fitted now or before.
        var shared = clock.Elapsed.TotalSeconds - servingWall - fitted.Sum(f => f.LearnerSeconds);
        for (var i = 0; i < rankers.Count; i++)
        {
            _fitted[rankers[i]] = new FittedRecommender(fitted[i].Ranker, shared + fitted[i].LearnerSeconds + servingSeconds);
        }

        // The rankers chose their blend on the same inner split and students the hybrid's weights would be chosen on.
        if (_hybridChoice is null && fitted[0].Ranker.Validation is { } v)
        {
            _hybridChoice = (v, shared);
        }
    }
}
