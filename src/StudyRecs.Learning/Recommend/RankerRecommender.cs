using System.Collections.Concurrent;
using System.Numerics.Tensors;
using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Metrics;
using StudyRecs.Learning.Serialization;

namespace StudyRecs.Learning.Recommend;

/// <summary>Options of <see cref="RankerRecommender"/>.</summary>
public sealed record RankerOptions
{
    /// <summary>Candidates per student, taken from the equal-weight blend of the base models and re-ranked.</summary>
    public int Candidates { get; init; } = 100;

    /// <summary>
    /// Largest catalog whose candidates come from an exact scan (every base model scores every item, the blend's best are
    /// re-ranked). Above it they come from an HNSW index over the item embeddings of the two-tower model or ALS, and every
    /// base model scores the candidates only (<see cref="CandidateRetrieval"/>); the exact scan stays when no base model
    /// has embeddings. The same at training and serving (saved with the model).
    /// </summary>
    public int ExactScanLimit { get; init; } = 50_000;

    /// <summary>Most students (drawn with <see cref="Seed"/>) whose candidates form the LambdaMART training set.</summary>
    public int MaxTrainingStudents { get; init; } = 20_000;

    /// <summary>Seed of the student sample and of the boosting.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Share of the inner split's students held out of the LambdaMART training set (chosen by a hash of the student and
    /// <see cref="Seed"/>): the engine's boosting stops early on them, and on them the re-ranker must beat the tuned blend
    /// of its base models and every base model alone, or it serves the better of those instead (see
    /// <see cref="RankerValidation"/>).
    /// </summary>
    public double ValidationShare { get; init; } = 0.2;

    /// <summary>
    /// The blend's weights before tuning, by base model in the order given (null or a mismatch: equal weights). It serves
    /// unless the tuned blend or a model alone beats it clearly on the held-out students.
    /// </summary>
    public IReadOnlyList<float>? BlendStart { get; init; }

    /// <summary>Most students scored to tune the blend weights, and most held-out students compared on.</summary>
    public int MaxValidationStudents { get; init; } = 5_000;

    /// <summary>
    /// Another library's ranking learner (ML.NET's FastTree LambdaMART) in place of the engine's; null: the engine's
    /// LambdaMART with <see cref="Boosting"/>. Its models must save in a format the reader is given.
    /// </summary>
    public ILearner? Learner { get; init; }

    /// <summary>LambdaMART settings of the engine's learner (the task is always ranking, NDCG@10 by default).</summary>
    public GradientBoostingOptions Boosting { get; init; } = new()
    {
        NumberOfTrees = 100,
        NumberOfLeaves = 31,
        LearningRate = 0.1,
        MinimumExampleCountPerLeaf = 50,
        NdcgTruncationLevel = 10,
        EarlyStoppingRounds = 20,
    };
}

/// <summary>
/// How a learned ranker did on the held-out students of its inner split (never the evaluation's test split), and so
/// what it serves. First the blend of its base models: the given weights, unless the weights tuned on the other students
/// beat them clearly on the held-out students, or a base model alone beats them clearly on all the inner split's
/// students it was compared on (a mean NDCG@10 gain of more than one standard error of the per-student differences); then the LambdaMART re-ranking when it does at least as well as that blend there, else the blend.
/// </summary>
/// <param name="Students">Held-out students with later items compared on.</param>
/// <param name="RankerNdcg">NDCG@10 of the re-ranking on them.</param>
/// <param name="BlendNdcg">NDCG@10 of the chosen blend on them.</param>
/// <param name="BestSingle">The best base model on them.</param>
/// <param name="BestSingleNdcg">Its NDCG@10.</param>
/// <param name="ReRanks">Whether the re-ranking serves.</param>
/// <param name="BlendWeights">The chosen blend's weights by base model, in the base models' order (served when it does not re-rank).</param>
public sealed record RankerValidation(int Students, double RankerNdcg, double BlendNdcg, string BestSingle, double BestSingleNdcg, bool ReRanks, IReadOnlyList<float> BlendWeights)
{
    /// <summary>
    /// The chosen blend in words (for the hybrid, whose weights the same choice sets); <paramref name="baseNames"/> name
    /// the base models in order, <paramref name="plain"/> (optional) turns <see cref="BestSingle"/>'s model name into words.
    /// </summary>
    public string DescribeBlend(IReadOnlyList<string> baseNames, Func<string, string>? plain = null)
    {
        ArgumentNullException.ThrowIfNull(baseNames);
        var best = plain?.Invoke(BestSingle) ?? BestSingle;
        var ndcg = (double x) => x.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        var weights = string.Join(", ", BlendWeights.Select((w, i) => (w, i)).Where(p => p.w > 0)
            .Select(p => $"{baseNames[p.i]} {p.w.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}"));
        return Students == 0
            ? $"weights tuned on the inner split ({weights}); no held-out student to compare on"
            : $"weights {weights}: on {Students:N0} held-out students NDCG@10 {ndcg(BlendNdcg)}, the best single model ({best}) {ndcg(BestSingleNdcg)}";
    }

    /// <summary>What serves, in words for the model page (names as in <see cref="DescribeBlend"/>).</summary>
    public string Describe(IReadOnlyList<string> baseNames, Func<string, string>? plain = null)
    {
        ArgumentNullException.ThrowIfNull(baseNames);
        var best = plain?.Invoke(BestSingle) ?? BestSingle;
        var ndcg = (double x) => x.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        if (ReRanks)
        {
            return $"re-ranks: on {Students:N0} held-out students its NDCG@10 {ndcg(RankerNdcg)} is at least the blend's ({ndcg(BlendNdcg)}; the best single model, {best}, {ndcg(BestSingleNdcg)})";
        }

        var served = BlendWeights.Count(w => w > 0) == 1
            ? $"{baseNames[BlendWeights.Select((w, i) => (w, i)).First(p => p.w > 0).i]} alone"
            : "the blend (" + string.Join(", ", BlendWeights.Select((w, i) => (w, i)).Where(p => p.w > 0).Select(p => $"{baseNames[p.i]} {p.w.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}")) + ")";
        return $"serves {served}: on {Students:N0} held-out students the re-ranking reached NDCG@10 {ndcg(RankerNdcg)}, below the blend's {ndcg(BlendNdcg)} (the best single model, {best}, {ndcg(BestSingleNdcg)})";
    }
}

/// <summary>
/// Learned hybrid: LambdaMART re-ranks the top candidates of an equal-weight blend of base models (a model costly over
/// the catalog, content, is scored for the candidates only); above <see cref="RankerOptions.ExactScanLimit"/> the
/// candidates come from an HNSW index over a base model's item embeddings instead (<see cref="CandidateRetrieval"/>). Features per candidate: every base model's
/// score (scaled by its largest magnitude over the catalog when it takes part in the blend), the candidate's rank in the blend, the history
/// length, and how the candidate fits the student (<see cref="ContextFeatureNames"/>): the share of the history in its
/// subject, topic and type, the subject's share of the latest events, whether the forecasts flag its subject as weak,
/// its difficulty against the latest events' and against the forecast level, days since the student last worked in
/// its subject, and how often it was already shown. Trained on an inner temporal split of the training events: base
/// models fitted on the inner training part score candidates, labels say whether the student interacted with the
/// candidate afterwards; serving uses the same base models refitted on all training events. Items in the history are
/// never candidates. Unknown features (no timestamps, no forecasts, no facets) are missing values for the trees.
/// </summary>
public sealed class RankerRecommender : IContextualRecommender
{
    /// <summary>The features after the base models' scores, in order.</summary>
    public static readonly IReadOnlyList<string> ContextFeatureNames =
    [
        "blend_rank", "history_length", "subject_share", "topic_share", "type_share", "recent_subject_share", "weak_subject",
        "difficulty", "difficulty_gap_recent", "difficulty_gap_forecast", "days_since_subject", "times_shown",
    ];

    // How many of the latest history events describe "recent" interest and level.
    private const int RecentEvents = 5;

    // Written first in the payload; the layout without facets (before context features) started with a positive count,
    // -2 had no validation of the re-ranking (it always re-ranks), -3 no exact-scan limit (always the exact scan).
    private const int PayloadLayout = -4;
    private const int PayloadLayoutWithoutLimit = -3;
    private const int PayloadLayoutWithoutValidation = -2;

    /// <summary>The strategy name of the ranker whose model the engine trains.</summary>
    public const string EngineName = "ranker";

    /// <summary>The strategy name of the ranker whose model ML.NET's FastTree LambdaMART trains.</summary>
    public const string FastTreeName = "ranker-fasttree";

    private readonly IRecommender[] _bases;
    private readonly IModel _model;
    private readonly int _candidates;
    private readonly ItemFacets _facets;

    // Candidates from an HNSW index when the catalog is above the exact-scan limit; null: the exact scan.
    private readonly CandidateRetrieval? _retrieval;

    // Scoring workspaces (a few hundred kilobytes each) reused across calls and threads instead of one per call.
    private readonly ConcurrentBag<Workspace> _workspaces = [];

    // The model's bytes, saved once: serialisation measures the payload and then writes it, and another library's
    // format need not save the same bytes twice (ML.NET's .zip carries the time it was written).
    private readonly Lazy<byte[]> _savedModel;

    // The blend served instead of the re-ranking when the re-ranking lost on the held-out students; null: it re-ranks.
    private readonly HybridRecommender? _blend;

    private RankerRecommender(string name, IRecommender[] bases, IModel model, int candidates, int exactScanLimit, ItemFacets facets, RankerValidation? validation)
    {
        Name = name;
        ExactScanLimit = exactScanLimit;
        _bases = bases;
        _model = model;
        Validation = validation;
        if (validation is { ReRanks: false } v)
        {
            _blend = new HybridRecommender(bases.Zip(v.BlendWeights, (b, w) => new WeightedRecommender(b, w)));
        }

        _savedModel = new(() =>
        {
            using var buffer = new MemoryStream();
            model.Save(buffer);
            return buffer.ToArray();
        });
        _candidates = candidates;
        _facets = facets;
        _retrieval = validation is { ReRanks: false } ? null : CandidateRetrieval.Create(bases, exactScanLimit, candidates);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int ItemCount => _bases[0].ItemCount;

    /// <summary>The base models whose scores are features, in feature order.</summary>
    public IReadOnlyList<IRecommender> BaseModels => _bases;

    /// <summary>The LambdaMART model (feature names: the base models' names, then <see cref="ContextFeatureNames"/>).</summary>
    public IModel Model => _model;

    /// <summary>How it did on the held-out students of its inner split, and so what it serves (null: trained before this check).</summary>
    public RankerValidation? Validation { get; }

    /// <summary>Whether the LambdaMART re-ranking serves (otherwise the tuned blend or the best base model, see <see cref="Validation"/>).</summary>
    public bool ReRanks => _blend is null;

    /// <summary>Largest catalog whose candidates come from an exact scan (see <see cref="RankerOptions.ExactScanLimit"/>).</summary>
    public int ExactScanLimit { get; }

    /// <summary>Whether the candidates come from an HNSW index over a base model's item embeddings rather than an exact scan.</summary>
    public bool UsesApproximateRetrieval => _retrieval is not null;

    /// <summary>
    /// Where the candidates come from, in words for the model page; <paramref name="plain"/> (optional) turns a base
    /// model's name into words.
    /// </summary>
    public string DescribeCandidates(Func<string, string>? plain = null)
    {
        var (indexed, reason) = CandidateRetrieval.Choose(_bases, ExactScanLimit);
        var source = indexed >= 0
            ? $"the {_candidates:N0} nearest resources in an approximate (HNSW) index over the item embeddings of {plain?.Invoke(_bases[indexed].Name) ?? _bases[indexed].Name}, "
                + $"as the catalog's {ItemCount:N0} resources are more than the exact-scan limit of {ExactScanLimit:N0}"
            : reason is null
                ? $"{Scanned()} (exact scan, up to {ExactScanLimit:N0} resources)"
                : $"{Scanned()} (exact scan above the limit of {ExactScanLimit:N0}: {reason})";
        return ReRanks ? source : $"the blend scores all {ItemCount:N0} resources (the re-ranking it was compared with took {source})";

        // A catalog no larger than the candidate count is re-ranked whole.
        string Scanned() => _candidates < ItemCount ? $"the blend's best {_candidates:N0} of all {ItemCount:N0} resources" : $"all {ItemCount:N0} resources, in the blend's order";
    }

    /// <summary>
    /// Trains the re-ranker. <paramref name="innerModels"/> were fitted on <paramref name="innerSplit"/>'s training part and
    /// <paramref name="servingModels"/> (same strategies, same order) on all training events. <paramref name="facets"/>
    /// describe the catalog (null: none known); <paramref name="contexts"/> give each student's forecasts and impressions
    /// by user index of the split's log (null: none known).
    /// </summary>
    public static RankerRecommender Fit(IReadOnlyList<IRecommender> innerModels, IReadOnlyList<IRecommender> servingModels, TemporalSplit innerSplit,
        RankerOptions? options = null, ItemFacets? facets = null, Func<int, StudentContext?>? contexts = null)
    {
        ArgumentNullException.ThrowIfNull(innerModels);
        ArgumentNullException.ThrowIfNull(servingModels);
        return Fit(() => innerModels, () => servingModels, innerSplit, options, facets, contexts);
    }

    /// <summary>
    /// Trains the re-ranker, fitting the inner models first and the serving models only once the LambdaMART training
    /// set is built, so the two sets of base models (EASE's dense matrix twice) never need to be in memory together.
    /// </summary>
    public static RankerRecommender Fit(Func<IReadOnlyList<IRecommender>> fitInnerModels, Func<IReadOnlyList<IRecommender>> fitServingModels, TemporalSplit innerSplit,
        RankerOptions? options = null, ItemFacets? facets = null, Func<int, StudentContext?>? contexts = null)
    {
        ArgumentNullException.ThrowIfNull(fitInnerModels);
        ArgumentNullException.ThrowIfNull(fitServingModels);
        ArgumentNullException.ThrowIfNull(innerSplit);
        options ??= new RankerOptions();
        return FitMany(fitInnerModels, fitServingModels, innerSplit, [(options.Learner is null ? EngineName : FastTreeName, options)], facets, contexts)[0].Ranker;
    }

    /// <summary>
    /// Trains several re-rankers on one LambdaMART training set (each <paramref name="rankers"/> entry names a strategy
    /// and its options; they share the candidate count and seed of the first): the inner models and the candidates'
    /// features are built once, each learner fits its model, and all serve over the same base models. Returns each
    /// ranker with the seconds its own learner took.
    /// </summary>
    public static IReadOnlyList<(RankerRecommender Ranker, double LearnerSeconds)> FitMany(Func<IReadOnlyList<IRecommender>> fitInnerModels,
        Func<IReadOnlyList<IRecommender>> fitServingModels, TemporalSplit innerSplit, IReadOnlyList<(string Name, RankerOptions Options)> rankers,
        ItemFacets? facets = null, Func<int, StudentContext?>? contexts = null)
    {
        ArgumentNullException.ThrowIfNull(fitInnerModels);
        ArgumentNullException.ThrowIfNull(fitServingModels);
        ArgumentNullException.ThrowIfNull(innerSplit);
        ArgumentNullException.ThrowIfNull(rankers);
        if (rankers.Count == 0)
        {
            throw new ArgumentException("At least one ranker is needed.", nameof(rankers));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(rankers[0].Options.Candidates, 2);
        var (models, names, itemCount, usedFacets, validations) = TrainReRankers(fitInnerModels, innerSplit, rankers, facets, contexts);
        var serving = fitServingModels();
        if (serving.Count != names.Length - ContextFeatureNames.Count
            || serving.Select((m, i) => m.Name != names[i] || m.ItemCount != itemCount).Any(bad => bad))
        {
            throw new ArgumentException("Inner and serving models must be the same strategies over the same catalog.", nameof(fitServingModels));
        }

        return [.. models.Select((m, i) => (new RankerRecommender(rankers[i].Name, [.. serving], m.Model, rankers[0].Options.Candidates, rankers[0].Options.ExactScanLimit, usedFacets, validations[i]), m.Seconds))];
    }

    // The inner models and the LambdaMART training set are locals of this method, so nothing holds them once it returns
    // (code that runs once is not optimised by the JIT, and its locals stay reachable until the method returns).
    private static ((IModel Model, double Seconds)[] Models, string[] Names, int ItemCount, ItemFacets Facets, RankerValidation[] Validations) TrainReRankers(
        Func<IReadOnlyList<IRecommender>> fitInnerModels, TemporalSplit innerSplit, IReadOnlyList<(string Name, RankerOptions Options)> rankers, ItemFacets? facets,
        Func<int, StudentContext?>? contexts)
    {
        var first = rankers[0].Options;
        var data = TrainingData(fitInnerModels, innerSplit, first, facets, contexts);
        var models = rankers.Select(r =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var model = r.Options.Learner is { } learner
                ? learner.Fit(LearningTask.Ranking, data.Train, first.Boosting.NumberOfThreads ?? Environment.ProcessorCount)
                : new GradientBoostingTrainer(r.Options.Boosting with { Seed = first.Seed }).Fit(LearningTask.Ranking, data.Train, data.Validation);
            if (model.Task != LearningTask.Ranking || model.FeatureCount != data.Names.Length)
            {
                throw new ArgumentException($"The learner of '{r.Name}' did not fit a ranking model over the candidates' features.", nameof(rankers));
            }

            return (model, clock.Elapsed.TotalSeconds);
        }).ToArray();
        var validations = models.Select(m => data.Guard.Judge(m.model, data.Names.Length)).ToArray();
        return (models, data.Names, data.ItemCount, data.Facets, validations);
    }

    private sealed record RankerTrainingData(TrainingSet Train, TrainingSet? Validation, RankerGuard Guard, string[] Names, int ItemCount, ItemFacets Facets);

    // The LambdaMART training set: one query group per sampled student of the inner split with a later interaction
    // among its candidates, from the students not held out. The held-out students give the early-stopping set and the
    // guard; the blend weights are tuned on the others. The inner models are not referenced once it returns.
    private static RankerTrainingData TrainingData(Func<IReadOnlyList<IRecommender>> fitInnerModels, TemporalSplit innerSplit,
        RankerOptions options, ItemFacets? facets, Func<int, StudentContext?>? contexts)
    {
        var innerModels = fitInnerModels();
        if (innerModels.Count == 0 || innerModels.Any(m => m.ItemCount != innerModels[0].ItemCount))
        {
            throw new ArgumentException("The ranker needs at least one base model, all over the same catalog.", nameof(fitInnerModels));
        }

        facets ??= ItemFacets.None(innerModels[0].ItemCount);
        if (facets.ItemCount != innerModels[0].ItemCount)
        {
            throw new ArgumentException("The item facets must cover the models' catalog.", nameof(facets));
        }

        IRecommender[] inner = [.. innerModels];
        var (students, guardStudents, tuningStudents) = Partition(innerSplit, options);
        var retrieval = CandidateRetrieval.Create(inner, options.ExactScanLimit, options.Candidates);
        var (set, _) = Groups(inner, retrieval, facets, innerSplit, students, options, contexts, keepAll: false);
        if (set is null)
        {
            throw new ArgumentException("No student of the inner split has a later interaction among its candidates; the ranker cannot learn.", nameof(innerSplit));
        }

        var (validation, guardRows) = Groups(inner, retrieval, facets, innerSplit, guardStudents, options, contexts, keepAll: true);
        var guard = RankerGuard.Create(inner, innerSplit, guardRows, tuningStudents, guardStudents, options);
        var names = inner.Select(m => m.Name).Concat(ContextFeatureNames).ToArray();
        return new RankerTrainingData(set, validation, guard, names, inner[0].ItemCount, facets);
    }

    /// <summary>
    /// Weights for a blend of <paramref name="innerModels"/> (fitted on <paramref name="innerSplit"/>'s training part)
    /// chosen as the ranker chooses what it serves when it does not re-rank: tuned by coordinate ascent on the students
    /// not held out, then compared on the held-out students with every model alone, the better serving. Never a test split.
    /// </summary>
    public static (float[] Weights, RankerValidation Validation) ValidatedBlendWeights(IReadOnlyList<IRecommender> innerModels, TemporalSplit innerSplit, RankerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(innerModels);
        ArgumentNullException.ThrowIfNull(innerSplit);
        options ??= new RankerOptions();
        var (_, guardStudents, tuningStudents) = Partition(innerSplit, options);
        var guard = RankerGuard.Create([.. innerModels], innerSplit, [], tuningStudents, guardStudents, options);
        var (weights, blendNdcg, _, best, bestNdcg) = guard.Blend();
        return (weights, new RankerValidation(guard.Students, double.NaN, blendNdcg, innerModels[best].Name, bestNdcg, false, weights));
    }

    // The inner split's students with later items: those the LambdaMART set learns from (at most MaxTrainingStudents),
    // the held-out ones (at most MaxValidationStudents), and those the blend weights are tuned on (a sample of the first).
    private static (int[] Students, int[] Guard, int[] Tuning) Partition(TemporalSplit innerSplit, RankerOptions options)
    {
        var random = new Random(options.Seed);
        var withLaterItems = Enumerable.Range(0, innerSplit.TrainMatrix.UserCount).Where(u => !innerSplit.TestItems(u).IsEmpty).ToArray();
        var students = withLaterItems.Where(u => !IsHeldOut(u, options)).OrderBy(_ => random.Next()).Take(options.MaxTrainingStudents).Order().ToArray();
        var guard = withLaterItems.Where(u => IsHeldOut(u, options)).OrderBy(_ => random.Next()).Take(options.MaxValidationStudents).Order().ToArray();
        var tuning = students.OrderBy(_ => random.Next()).Take(options.MaxValidationStudents).Order().ToArray();
        return (students, guard, tuning);
    }

    // A fixed mix of the student and the seed (HashCode is randomised per process, and runs must repeat).
    private static bool IsHeldOut(int user, RankerOptions options)
    {
        if (options.ValidationShare <= 0)
        {
            return false;
        }

        var x = ((ulong)(uint)user << 32) ^ (uint)options.Seed ^ 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x % 10_000 < options.ValidationShare * 10_000;
    }

    // Candidates, features and labels of the given students. The set keeps the groups with a later interaction among
    // the candidates (others carry no LambdaMART gradient); with keepAll, every student's candidates and later items
    // are also returned, for the guard.
    private static (TrainingSet? Set, GuardRow[] Rows) Groups(IRecommender[] inner, CandidateRetrieval? retrieval, ItemFacets facets, TemporalSplit innerSplit, int[] students, RankerOptions options,
        Func<int, StudentContext?>? contexts, bool keepAll)
    {
        var train = innerSplit.TrainMatrix;
        var features = inner.Length + ContextFeatureNames.Count;
        var rows = new float[students.Length][];
        var labels = new float[students.Length][];
        var guard = new GuardRow[keepAll ? students.Length : 0];
        Parallel.For(0, students.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Boosting.NumberOfThreads ?? -1 },
            () => new Workspace(inner, options.Candidates, facets, retrieval is not null),
            (s, _, workspace) =>
            {
                var u = students[s];
                var count = FillCandidates(inner, retrieval, facets, train.UserItems(u), train.UserWeights(u), train.UserTimestamps(u),
                    contexts?.Invoke(u) ?? StudentContext.None, workspace);
                var test = innerSplit.TestItems(u);
                var y = new float[count];
                var positives = 0;
                for (var c = 0; c < count; c++)
                {
                    y[c] = test.BinarySearch(workspace.Candidates[c]) >= 0 ? 1f : 0f;
                    positives += (int)y[c];
                }

                var x = workspace.Features.AsSpan(0, count * features).ToArray();
                if (positives > 0)
                {
                    rows[s] = x;
                    labels[s] = y;
                }

                if (keepAll)
                {
                    guard[s] = new GuardRow(workspace.Candidates[..count], x, test.ToArray());
                }

                return workspace;
            }, _ => { });

        var groupsKept = Enumerable.Range(0, students.Length).Where(s => labels[s] is not null).ToArray();
        if (groupsKept.Length == 0)
        {
            return (null, guard);
        }

        var total = groupsKept.Sum(s => labels[s].Length);
        var values = new float[total * features];
        var allLabels = new float[total];
        var groups = new int[total];
        var at = 0;
        foreach (var s in groupsKept)
        {
            rows[s].CopyTo(values.AsSpan(at * features));
            labels[s].CopyTo(allLabels.AsSpan(at));
            groups.AsSpan(at, labels[s].Length).Fill(s);
            at += labels[s].Length;
        }

        var names = inner.Select(m => m.Name).Concat(ContextFeatureNames).ToArray();
        return (new TrainingSet(new DenseMatrix(values, total, features), allLabels, groups) { FeatureNames = names }, guard);
    }

    // A held-out student's candidates (best blend first), their feature rows, and the student's later items.
    private sealed record GuardRow(int[] Candidates, float[] Features, int[] Relevant);

    // Chooses on the held-out students: first the blend (the given weights, unless the tuned blend or a model alone does
    // clearly better: a mean per-student NDCG@10 gain of more than one standard error of the paired differences, so a
    // choice among many weight vectors on few students keeps the prior), then whether the re-ranking does at least as
    // well as that blend.
    private sealed class RankerGuard(GuardRow[] rows, BlendValidation blends, BlendValidation tuning, float[] startWeights, float[] tunedWeights, string[] baseNames)
    {
        public static RankerGuard Create(IRecommender[] inner, TemporalSplit innerSplit, GuardRow[] rows, int[] tuningStudents, int[] guardStudents, RankerOptions options)
        {
            var threads = options.Boosting.NumberOfThreads ?? 0;
            var start = options.BlendStart is { } given && given.Count == inner.Length && given.Sum() > 0
                ? [.. given.Select(w => w / given.Sum())]
                : Enumerable.Repeat(1f / inner.Length, inner.Length).ToArray();
            var tuning = BlendValidation.Build(inner, innerSplit, tuningStudents, maxDegreeOfParallelism: threads);
            var tuned = tuning.Tune(start).Weights;
            return new RankerGuard(rows, BlendValidation.Build(inner, innerSplit, guardStudents, maxDegreeOfParallelism: threads), tuning, start, tuned, [.. inner.Select(m => m.Name)]);
        }

        public int Students => blends.Students.Count;

        // The same for every ranker judged on these students: chosen once.
        private (float[] Weights, double BlendNdcg, double[] PerStudent, int BestSingle, double BestSingleNdcg)? _blend;

        public (float[] Weights, double BlendNdcg, double[] PerStudent, int BestSingle, double BestSingleNdcg) Blend() => _blend ??= ChooseBlend();

        private (float[] Weights, double BlendNdcg, double[] PerStudent, int BestSingle, double BestSingleNdcg) ChooseBlend()
        {
            var chosen = (Weights: startWeights, PerStudent: blends.NdcgPerStudent(startWeights));
            var prior = chosen.PerStudent;
            var bestGain = 0.0;
            var (best, bestNdcg) = (0, double.NegativeInfinity);
            var candidates = new List<(float[] Weights, double[] PerStudent)> { (tunedWeights, blends.NdcgPerStudent(tunedWeights)) };
            for (var j = 0; j < baseNames.Length; j++)
            {
                var single = new float[baseNames.Length];
                single[j] = 1;
                var perStudent = blends.NdcgPerStudent(single);
                candidates.Add((single, perStudent));
                var ndcg = Mean(perStudent);
                if (ndcg > bestNdcg)
                {
                    (best, bestNdcg) = (j, ndcg);
                }
            }

            // The tuned weights are judged on the held-out students only; a model alone, which nothing was fitted to
            // choose, also on the students the weights were tuned on (more students: a real gap shows sooner).
            var priorEverywhere = prior.Concat(tuning.NdcgPerStudent(startWeights)).ToArray();
            for (var c = 0; c < candidates.Count; c++)
            {
                var (candidate, perStudent) = candidates[c];
                var gain = c == 0 ? ClearGain(perStudent, prior) : ClearGain([.. perStudent, .. tuning.NdcgPerStudent(candidate)], priorEverywhere);
                if (gain is { } g && g > bestGain)
                {
                    (chosen, bestGain) = ((candidate, perStudent), g);
                }
            }

            return (chosen.Weights, Mean(chosen.PerStudent), chosen.PerStudent, best, bestNdcg);
        }

        public RankerValidation Judge(IModel model, int featureCount)
        {
            const int K = 10;
            var top = new int[K];
            var ranker = new double[rows.Length];
            for (var s = 0; s < rows.Length; s++)
            {
                var row = rows[s];
                var predictions = new float[row.Candidates.Length];
                for (var c = 0; c < predictions.Length; c++)
                {
                    predictions[c] = (float)model.Predict(row.Features.AsSpan(c * featureCount, featureCount));
                }

                var count = TopK.Select(predictions, top);
                for (var i = 0; i < count; i++)
                {
                    top[i] = row.Candidates[top[i]];
                }

                ranker[s] = RankingMetrics.Compute(top.AsSpan(0, count), row.Relevant, K).Ndcg;
            }

            var (weights, blendNdcg, blend, best, bestNdcg) = Blend();

            // Without held-out students there is nothing to judge on: the re-ranking serves, as before this check. One
            // yes-or-no choice needs no margin (the blend's weights, chosen among many candidates, do).
            var reRanks = rows.Length == 0 || Mean(ranker) >= blendNdcg;
            return new RankerValidation(rows.Length, Mean(ranker), blendNdcg, baseNames[best], bestNdcg, reRanks, weights);
        }

        // The mean gain of a over b (students in the same order) when it exceeds one standard error of the paired
        // differences; null otherwise, and with fewer than two students.
        private static double? ClearGain(double[] a, double[] b)
        {
            var n = a.Length;
            if (n < 2 || b.Length != n)
            {
                return null;
            }

            double mean = 0;
            for (var i = 0; i < n; i++)
            {
                mean += a[i] - b[i];
            }

            mean /= n;
            double squares = 0;
            for (var i = 0; i < n; i++)
            {
                var d = a[i] - b[i] - mean;
                squares += d * d;
            }

            var standardError = Math.Sqrt(squares / (n - 1) / n);
            return mean > standardError && mean > 0 ? mean : null;
        }

        private static double Mean(double[] values) => values.Length == 0 ? 0 : values.Average();
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores) =>
        Score(historyItems, historyWeights, [], StudentContext.None, scores);

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<long> historyTimes, StudentContext context, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(context);
        scores = scores[..ItemCount];
        if (_blend is not null)
        {
            _blend.Score(historyItems, historyWeights, scores);
            return;
        }

        var workspace = _workspaces.TryTake(out var pooled) ? pooled : new Workspace(_bases, _candidates, _facets, _retrieval is not null);
        var count = FillCandidates(_bases, _retrieval, _facets, historyItems, historyWeights, historyTimes, context, workspace);

        // Outside the candidates keep the blend's order (from an index: an empty history's blend), far below any
        // re-ranked candidate; the history stays last.
        TensorPrimitives.Subtract(_retrieval?.ColdBlend ?? workspace.Blend.AsSpan(0, scores.Length), 1e6f, scores);
        if (_retrieval is not null)
        {
            foreach (var i in historyItems)
            {
                if ((uint)i < (uint)scores.Length)
                {
                    scores[i] = float.NegativeInfinity;
                }
            }
        }

        for (var c = 0; c < count; c++)
        {
            scores[workspace.Candidates[c]] = (float)_model.Predict(workspace.Features.AsSpan(c * FeatureCount, FeatureCount));
        }

        // Back to the pool only after a complete call (the profile is reset at the end of FillCandidates).
        if (_workspaces.Count < 4 * Environment.ProcessorCount)
        {
            _workspaces.Add(workspace);
        }
    }

    private int FeatureCount => _bases.Length + ContextFeatureNames.Count;

    /// <summary>The candidates (best blend first) and their feature rows, as <see cref="Score(ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{long}, StudentContext, Span{float})"/> sees them.</summary>
    internal (int[] Candidates, float[][] Features) Describe(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<long> historyTimes, StudentContext context)
    {
        var workspace = new Workspace(_bases, _candidates, _facets, _retrieval is not null);
        var count = FillCandidates(_bases, _retrieval, _facets, historyItems, historyWeights, historyTimes, context, workspace);
        var rows = new float[count][];
        for (var c = 0; c < count; c++)
        {
            rows[c] = workspace.Features.AsSpan(c * FeatureCount, FeatureCount).ToArray();
        }

        return (workspace.Candidates[..count], rows);
    }

    // Fills the workspace with the candidates (best blend first) and their feature rows; returns how many.
    private static int FillCandidates(IRecommender[] bases, CandidateRetrieval? retrieval, ItemFacets facets, ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights,
        ReadOnlySpan<long> historyTimes, StudentContext context, Workspace workspace)
    {
        var count = retrieval is null
            ? ScanCandidates(bases, historyItems, historyWeights, workspace)
            : RetrieveCandidates(bases, retrieval, historyItems, historyWeights, workspace);
        var stride = retrieval is null ? bases[0].ItemCount : workspace.Candidates.Length;
        var profile = workspace.Profile;
        profile.Build(facets, historyItems, historyWeights, historyTimes, context);
        var f = bases.Length + ContextFeatureNames.Count;
        var historyLength = MathF.Log(1 + historyItems.Length);
        for (var c = 0; c < count; c++)
        {
            var item = workspace.Candidates[c];
            var row = workspace.Features.AsSpan(c * f, f);
            for (var m = 0; m < bases.Length; m++)
            {
                row[m] = workspace.Parts[(m * stride) + (retrieval is null ? item : c)];
            }

            var x = row[bases.Length..];
            x[0] = c;
            x[1] = historyLength;
            profile.Describe(facets, item, x[2..]);
        }

        profile.Reset(facets, historyItems);
        return count;
    }

    // The exact scan: every base model scores the catalog (scaled by its largest magnitude there) into the blend, whose
    // best items outside the history are the candidates; models that score candidates only score them afterwards.
    // Parts hold each model's scores by item.
    private static int ScanCandidates(IRecommender[] bases, ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Workspace workspace)
    {
        var n = bases[0].ItemCount;
        var blend = workspace.Blend.AsSpan(0, n);
        blend.Clear();
        for (var m = 0; m < bases.Length; m++)
        {
            var part = workspace.Parts.AsSpan(m * n, n);
            if (part.IsEmpty || bases[m] is IItemScorer { ScoresCandidatesOnly: true })
            {
                continue;
            }

            bases[m].Score(historyItems, historyWeights, part);
            AddScaled(part, blend);
        }

        foreach (var i in historyItems)
        {
            blend[i] = float.NegativeInfinity;
        }

        var count = TopK.Select(blend, workspace.Candidates);

        // Models costly over the catalog but cheap per item are features of the candidates only.
        for (var m = 0; m < bases.Length; m++)
        {
            if (bases[m] is IItemScorer { ScoresCandidatesOnly: true } scorer && count > 0)
            {
                var picked = workspace.Picked.AsSpan(0, count);
                scorer.ScoreItems(historyItems, historyWeights, workspace.Candidates.AsSpan(0, count), picked);
                for (var c = 0; c < count; c++)
                {
                    workspace.Parts[(m * n) + workspace.Candidates[c]] = picked[c];
                }
            }
        }

        return count;
    }

    // Candidates from the index: every base model scores them only, scaled by its largest magnitude among them when it
    // takes part in the blend; they are then put in the blend's order (ties in the index's). Parts hold each model's
    // scores by candidate position.
    private static int RetrieveCandidates(IRecommender[] bases, CandidateRetrieval retrieval, ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights,
        Workspace workspace)
    {
        var k = workspace.Candidates.Length;
        var found = workspace.Retrieved;
        var count = retrieval.Retrieve(bases, historyItems, historyWeights, found);
        var blend = workspace.Blend.AsSpan(0, count);
        blend.Clear();
        var scratch = workspace.Picked.AsSpan(0, count);
        for (var m = 0; m < bases.Length; m++)
        {
            var scorer = (IItemScorer)bases[m];
            scorer.ScoreItems(historyItems, historyWeights, found.AsSpan(0, count), scratch);
            if (!scorer.ScoresCandidatesOnly)
            {
                AddScaled(scratch, blend);
            }

            scratch.CopyTo(workspace.Retrieval.AsSpan(m * k, count));
        }

        var order = workspace.Order.AsSpan(0, count);
        for (var c = 0; c < count; c++)
        {
            order[c] = c;
        }

        var blendScores = workspace.Blend;
        order.Sort((a, b) => blendScores[b].CompareTo(blendScores[a]) is var byScore and not 0 ? byScore : a.CompareTo(b));
        for (var c = 0; c < count; c++)
        {
            workspace.Candidates[c] = found[order[c]];
            for (var m = 0; m < bases.Length; m++)
            {
                workspace.Parts[(m * k) + c] = workspace.Retrieval[(m * k) + order[c]];
            }
        }

        return count;
    }

    // A model's scores scaled by their largest magnitude (left as they are when that is 0 or not finite), added to the blend.
    internal static void AddScaled(Span<float> part, Span<float> blend)
    {
        var max = part.IsEmpty ? 0 : TensorPrimitives.MaxMagnitude(part);
        if (max > 0 && float.IsFinite(max))
        {
            TensorPrimitives.Multiply(part, 1f / Math.Abs(max), part);
        }

        TensorPrimitives.Add(blend, part, blend);
    }

    private sealed class Workspace(IRecommender[] bases, int candidates, ItemFacets facets, bool retrieved)
    {
        // Exact scan: each base model's scores over the catalog; from an index: over the candidates, in blend order.
        public float[] Parts { get; } = new float[bases.Length * (retrieved ? Math.Min(candidates, bases[0].ItemCount) : bases[0].ItemCount)];

        // Exact scan: the blend over the catalog; from an index: over the candidates, in the index's order.
        public float[] Blend { get; } = new float[retrieved ? Math.Min(candidates, bases[0].ItemCount) : bases[0].ItemCount];

        // From an index only: the candidates in the index's order, each model's scores of them, and the blend's order.
        public int[] Retrieved { get; } = retrieved ? new int[Math.Min(candidates, bases[0].ItemCount)] : [];

        public float[] Retrieval { get; } = retrieved ? new float[bases.Length * Math.Min(candidates, bases[0].ItemCount)] : [];

        public int[] Order { get; } = retrieved ? new int[Math.Min(candidates, bases[0].ItemCount)] : [];

        public int[] Candidates { get; } = new int[Math.Min(candidates, bases[0].ItemCount)];

        public float[] Picked { get; } = new float[Math.Min(candidates, bases[0].ItemCount)];

        public float[] Features { get; } = new float[Math.Min(candidates, bases[0].ItemCount) * (bases.Length + ContextFeatureNames.Count)];

        public StudentProfile Profile { get; } = new(facets);
    }

    // The student's history summarised over the facets; sparse resets keep a query proportional to the history.
    private sealed class StudentProfile(ItemFacets facets)
    {
        private readonly float[] _subjectWeight = new float[facets.SubjectCount];
        private readonly float[] _recentSubject = new float[facets.SubjectCount];
        private readonly long[] _subjectLast = new long[facets.SubjectCount];
        private readonly bool[] _weak = new bool[facets.SubjectCount];
        private readonly float[] _topicWeight = new float[facets.TopicCount];
        private readonly float[] _typeWeight = new float[facets.TypeCount];
        private readonly Dictionary<int, int> _shown = [];
        private readonly List<int> _weakSet = [];
        private readonly List<int> _recent = [];
        private float _total;
        private float _recentDifficulty;
        private long _now;
        private bool _hasTimes;
        private bool _weakKnown;
        private float _level;

        public void Build(ItemFacets facets, ReadOnlySpan<int> items, ReadOnlySpan<float> weights, ReadOnlySpan<long> times, StudentContext context)
        {
            _hasTimes = times.Length == items.Length && items.Length > 0;
            _total = 0;
            long latest = 0;
            for (var h = 0; h < items.Length; h++)
            {
                var item = items[h];
                var w = h < weights.Length && weights[h] > 0 ? weights[h] : 1f;
                _total += w;
                if (facets.Subject(item) is var s and >= 0)
                {
                    _subjectWeight[s] += w;
                    if (_hasTimes)
                    {
                        _subjectLast[s] = Math.Max(_subjectLast[s], times[h]);
                    }
                }

                if (facets.Topic(item) is var t and >= 0)
                {
                    _topicWeight[t] += w;
                }

                if (facets.Type(item) is var k and >= 0)
                {
                    _typeWeight[k] += w;
                }

                if (_hasTimes)
                {
                    latest = Math.Max(latest, times[h]);
                }
            }

            _now = context.Now > 0 ? context.Now : latest;

            // The latest events (by time, ties by item index), or none without timestamps.
            _recent.Clear();
            _recentDifficulty = float.NaN;
            if (_hasTimes)
            {
                // Keep the RecentEvents latest in order (newest first) by insertion: histories are short.
                for (var h = 0; h < items.Length; h++)
                {
                    var at = _recent.Count;
                    while (at > 0 && Newer(h, _recent[at - 1], items, times))
                    {
                        at--;
                    }

                    if (at < RecentEvents)
                    {
                        _recent.Insert(at, h);
                        if (_recent.Count > RecentEvents)
                        {
                            _recent.RemoveAt(RecentEvents);
                        }
                    }
                }

                float sum = 0;
                var known = 0;
                foreach (var h in _recent)
                {
                    if (facets.Subject(items[h]) is var s and >= 0)
                    {
                        _recentSubject[s] += 1f / _recent.Count;
                    }

                    if (facets.Difficulty(items[h]) is var d && !float.IsNaN(d))
                    {
                        sum += d;
                        known++;
                    }
                }

                _recentDifficulty = known > 0 ? sum / known : float.NaN;
            }

            _weakKnown = context.WeakSubjects.Count > 0;
            _weakSet.Clear();
            foreach (var name in context.WeakSubjects)
            {
                if (facets.SubjectIndex(name) is var s and >= 0 && !_weak[s])
                {
                    _weak[s] = true;
                    _weakSet.Add(s);
                }
            }

            _level = context.Level;
            _shown.Clear();
            foreach (var shown in context.Shown)
            {
                if ((_now == 0 || shown.Timestamp <= _now) && (uint)shown.Item < (uint)facets.ItemCount)
                {
                    _shown[shown.Item] = _shown.GetValueOrDefault(shown.Item) + Math.Max(1, shown.Times);
                }
            }
        }

        private static bool Newer(int a, int b, ReadOnlySpan<int> items, ReadOnlySpan<long> times) =>
            times[a] > times[b] || (times[a] == times[b] && items[a] < items[b]);

        // Writes the features after blend_rank and history_length for one candidate.
        public void Describe(ItemFacets facets, int item, Span<float> x)
        {
            var total = _total > 0 ? _total : 1f;
            var s = facets.Subject(item);
            var t = facets.Topic(item);
            var k = facets.Type(item);
            var d = facets.Difficulty(item);
            x[0] = s >= 0 ? _subjectWeight[s] / total : float.NaN;
            x[1] = t >= 0 ? _topicWeight[t] / total : float.NaN;
            x[2] = k >= 0 ? _typeWeight[k] / total : float.NaN;
            x[3] = s >= 0 && _hasTimes ? _recentSubject[s] : float.NaN;
            x[4] = s >= 0 && _weakKnown ? (_weak[s] ? 1f : 0f) : float.NaN;
            x[5] = d;
            x[6] = d - _recentDifficulty;
            x[7] = d - _level;
            x[8] = s >= 0 && _hasTimes && _subjectLast[s] > 0 && _now > 0
                ? MathF.Log(1 + (Math.Max(0, _now - _subjectLast[s]) / 86_400f))
                : float.NaN;
            x[9] = MathF.Log(1 + _shown.GetValueOrDefault(item));
        }

        public void Reset(ItemFacets facets, ReadOnlySpan<int> items)
        {
            foreach (var item in items)
            {
                if (facets.Subject(item) is var s and >= 0)
                {
                    _subjectWeight[s] = 0;
                    _recentSubject[s] = 0;
                    _subjectLast[s] = 0;
                }

                if (facets.Topic(item) is var t and >= 0)
                {
                    _topicWeight[t] = 0;
                }

                if (facets.Type(item) is var k and >= 0)
                {
                    _typeWeight[k] = 0;
                }
            }

            foreach (var s in _weakSet)
            {
                _weak[s] = false;
            }
        }
    }

    internal void WritePayload(BinaryWriter writer)
    {
        writer.Write(PayloadLayout);
        writer.Write(_candidates);
        writer.Write(ExactScanLimit);
        writer.Write(_bases.Length);
        foreach (var b in _bases)
        {
            RecommenderSerializer.WriteNested(writer, b);
        }

        _facets.Write(writer);
        var model = _savedModel.Value;
        writer.Write(model.Length);
        writer.Write(model);
        writer.Write(Validation is not null);
        if (Validation is { } v)
        {
            writer.Write(v.Students);
            writer.Write(v.RankerNdcg);
            writer.Write(v.BlendNdcg);
            writer.Write(v.BestSingle);
            writer.Write(v.BestSingleNdcg);
            writer.Write(v.ReRanks);
            foreach (var w in v.BlendWeights)
            {
                writer.Write(w);
            }
        }
    }

    internal static RankerRecommender ReadPayload(BinaryReader reader, string name, ModelFormats formats)
    {
        var layout = reader.ReadInt32();
        if (layout is not PayloadLayout and not PayloadLayoutWithoutLimit and not PayloadLayoutWithoutValidation)
        {
            throw new InvalidDataException("The ranker was trained by an older engine without its student features; retrain the recommender.");
        }

        var candidates = ModelBinary.ReadCount(reader, int.MaxValue);
        var exactScanLimit = layout == PayloadLayout ? ModelBinary.ReadCount(reader, int.MaxValue) : int.MaxValue;
        var count = ModelBinary.ReadCount(reader, 64);
        var bases = new IRecommender[count];
        for (var i = 0; i < count; i++)
        {
            bases[i] = RecommenderSerializer.ReadNested(reader);
        }

        var facets = ItemFacets.Read(reader);
        var length = ModelBinary.ReadCount(reader, int.MaxValue);
        var bytes = reader.ReadBytes(length);
        IModel model;
        try
        {
            model = formats.Load(bytes);
        }
        catch (ModelFormatException e)
        {
            throw new InvalidDataException($"The ranker's LambdaMART model is unreadable: {e.Message}", e);
        }

        RankerValidation? validation = null;
        if (layout != PayloadLayoutWithoutValidation && reader.ReadBoolean())
        {
            var (students, rankerNdcg, blendNdcg, bestSingle, bestSingleNdcg, reRanks) =
                (reader.ReadInt32(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadString(), reader.ReadDouble(), reader.ReadBoolean());
            var weights = new float[count];
            for (var i = 0; i < count; i++)
            {
                weights[i] = reader.ReadSingle();
            }

            if (students < 0 || weights.Any(w => !float.IsFinite(w) || w < 0) || (!reRanks && weights.Sum() <= 0))
            {
                throw new InvalidDataException("The ranker's validation record is inconsistent.");
            }

            validation = new RankerValidation(students, rankerNdcg, blendNdcg, bestSingle, bestSingleNdcg, reRanks, weights);
        }

        if (count == 0 || candidates < 2 || model.Task != LearningTask.Ranking || model.FeatureCount != count + ContextFeatureNames.Count
            || bases.Any(b => b.ItemCount != bases[0].ItemCount) || facets.ItemCount != bases[0].ItemCount)
        {
            throw new InvalidDataException("The ranker's base models and features are inconsistent.");
        }

        return new RankerRecommender(name, bases, model, candidates, exactScanLimit, facets, validation);
    }
}
