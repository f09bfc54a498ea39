using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Training;
using StudyRecs.Learning;
using StudyRecs.Learning.MLNet;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Core.Recommendations;

/// <summary>What a retraining did: a new version (active or not), or why it trained nothing.</summary>
public sealed record RecommendationTrainingOutcome(TrainedModel? Model, string Message);

/// <summary>A fitted version measured for serialisation with its report, ready to register, or (none) why nothing was trained.</summary>
internal sealed record FittedVersion(PreparedRecommender? Prepared, RecommendationReport? Report, string CatalogMapJson, string DataHash, string? Refusal = null)
{
    public static FittedVersion Refused(string message) => new(null, null, "", "", message);
}

/// <summary>The logged events as the engine takes them, with the catalog aligned to the item index.</summary>
/// <param name="Contexts">Each student's forecasts and impressions by user index (null when nothing is known of the student).</param>
internal sealed record RecommendationTrainingData(InteractionLog Log, IReadOnlyList<ItemText?> Texts, IReadOnlyList<string> Subjects, long[] ResourceIds, long LastEventId, string DataHash,
    StudentContext?[] Contexts);

/// <summary>
/// Retrains the recommender from the logged events: every strategy is fitted on the first 80 % of each student's events
/// and scored on the rest (the engine's temporal split), the serving strategy is the one with the best NDCG@10 (a
/// learned ranker only when it beats every single model; of the engine's and ML.NET's FastTree ranker, the better one),
/// it is refitted on all events inside the fallback chain for
/// new students, and the result is registered as a <see cref="ModelTask.Recommendation"/> version under the same
/// activation rule as the grade models.
/// </summary>
public sealed partial class RecommenderTraining(
    IDbContextFactory<StudyRecsDbContext> dbs,
    StudentForecasts forecasts,
    IOptions<RecommendationOptions> options,
    IOptions<TrainingOptions> trainingOptions,
    TimeProvider time,
    ILogger<RecommenderTraining> logger)
{

    /// <summary>
    /// Trains a version unless no event arrived since the latest one (<paramref name="force"/> trains anyway), as a
    /// <see cref="TrainingRun"/> of kind <see cref="TrainingRunKind.Recommendations"/> whose step and strategy count the
    /// jobs page follows. A run that trains nothing ends failed with the reason; the schedule's checks that find no
    /// new event, or too few events to train on, record no run. Forced runs count as asked for by a person, the
    /// others as the schedule's.
    /// </summary>
    public async Task<RecommendationTrainingOutcome> TrainAsync(string by, bool force, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        long lastEventId;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            lastEventId = await TrainingEvents(db).MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
            var latest = await db.Set<TrainedModel>().AsNoTracking().Where(m => m.Task == ModelTask.Recommendation)
                .OrderByDescending(m => m.Version).Select(m => new { m.Version, m.CatalogJson }).FirstOrDefaultAsync(cancellationToken);
            if (!force && latest?.CatalogJson is { } catalog && RecommendationCatalogMap.Read(catalog).LastEventId >= lastEventId)
            {
                return new RecommendationTrainingOutcome(null, $"No new events since version {latest.Version}; nothing to train.");
            }

            // The schedule does not record a failed run every hour while students have not used the portal enough yet.
            var logged = force ? 0 : await TrainingEvents(db).CountAsync(cancellationToken);
            if (!force && logged < options.Value.MinimumEventsToTrain)
            {
                return new RecommendationTrainingOutcome(null, TooFewEvents(logged));
            }
        }

        var run = new RecommenderRun(dbs, time);
        await run.StartAsync(by, force ? TrainingTrigger.Manual : TrainingTrigger.Schedule, cancellationToken);
        try
        {
            var outcome = await TrainRunAsync(run, by, lastEventId, started, cancellationToken);
            await run.FinishAsync(outcome.Model is null ? TrainingRunStatus.Failed : TrainingRunStatus.Succeeded, outcome.Message);
            return outcome;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await run.FinishAsync(TrainingRunStatus.Interrupted, $"The retraining was stopped during \"{run.Step}\"; nothing of it was stored.");
            throw;
        }
        catch (Exception e)
        {
            await run.FinishAsync(TrainingRunStatus.Failed, $"Training failed: {e.Message}");
            throw;
        }
    }

    private async Task<RecommendationTrainingOutcome> TrainRunAsync(RecommenderRun run, string by, long lastEventId, long started, CancellationToken cancellationToken)
    {
        // Only the serving chain comes back, measured for serialisation: the events and every other model are garbage by then.
        var suiteOptions = SuiteOptions();
        var fitted = await FitAsync(lastEventId, suiteOptions, started, run, cancellationToken);
        if (fitted is not { Prepared: { } prepared, Report: { } report })
        {
            return new RecommendationTrainingOutcome(null, fitted.Refusal!);
        }

        var (serving, reason, events) = (report.Serving, report.Reason, report.Events);
        run.Report("Registering the version");

        // Written in place where the database can (SQLite, SQL Server): the chain is never held twice, as a model and as bytes.
        var content = new ArtifactContent(ArtifactFormats.Recommender, prepared.Length, prepared.WriteTo, prepared.ToArray);
        var settings = JsonSerializer.Serialize(new
        {
            hybrid_weights = suiteOptions.HybridWeights,
            minimum_history = options.Value.MinimumHistory,
            als_factors = suiteOptions.Als.Factors,
            als_iterations = suiteOptions.Als.Iterations,
            itemknn_neighbors = suiteOptions.ItemKnn.Neighbors,
            ease_regularization = suiteOptions.Ease.Regularization,
            popularity_half_life_days = suiteOptions.Popularity.HalfLifeDays,
            rankers = RankerSettings(suiteOptions),
            seed = trainingOptions.Value.Seed,
        });
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (model, activate, activation) = await ModelRegistration.RegisterAsync(db, new NewModelVersion(ModelTask.Recommendation, serving, settings, report.ToJson(),
            _ => content, by, events, fitted.DataHash, Stopwatch.GetElapsedTime(started).TotalSeconds, RecommendationReport.SelectionMetric,
            report.Strategies.Single(r => r.Strategy == serving).NdcgAtK ?? 0)
        {
            TrainingRunId = run.Id,
            CatalogJson = fitted.CatalogMapJson,
        }, time.GetUtcNow(), trainingOptions.Value.ActivationTolerance, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var message = $"Recommendation {model.Version} ({RecommendationStrategyNames.Describe(serving)}, {events} events): {(activate ? "active" : "kept inactive")}; {activation} {reason}";
        LogTrained(logger, model.Version, serving, events, activate);
        return new RecommendationTrainingOutcome(model, message);
    }

    private string TooFewEvents(int events) =>
        $"{events} training event(s) logged, {options.Value.MinimumEventsToTrain} are needed; the fallback chain keeps serving.";

    // Impressions say what was shown, not what a student did with it: they count for CTR and bandits, not for training.
    private static IQueryable<RecommendationEvent> TrainingEvents(StudyRecsDbContext db) =>
        db.Set<RecommendationEvent>().AsNoTracking().Where(e => e.Type != RecommendationEventType.Impression);

    /// <summary>Each learned ranker's library and settings in words, by strategy, for the model page.</summary>
    internal static Dictionary<string, string> RankerSettings(RecommenderSuiteOptions suiteOptions)
    {
        var b = suiteOptions.Ranker.Boosting;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RankerRecommender.EngineName] = string.Create(CultureInfo.InvariantCulture,
                $"{EngineInfo.Library}: trees {b.NumberOfTrees}, leaves {b.NumberOfLeaves}, learning rate {b.LearningRate}, min leaf {b.MinimumExampleCountPerLeaf}")
                + (b.EarlyStoppingRounds > 0 ? string.Create(CultureInfo.InvariantCulture, $" (fewer trees when {b.EarlyStoppingRounds} in a row do not help the held-out students)") : ""),
        };
        if (suiteOptions.FastTreeRanker is { } learner)
        {
            settings[RankerRecommender.FastTreeName] = $"{learner.Library}: {learner.DescribeSettings()}";
        }

        return settings;
    }

    private RecommenderSuiteOptions SuiteOptions()
    {
        var threads = trainingOptions.Value.Threads ?? 0;
        var seed = trainingOptions.Value.Seed;
        var defaults = new RecommenderSuiteOptions();
        return defaults with
        {
            ItemKnn = defaults.ItemKnn with { MaxDegreeOfParallelism = threads },
            Ease = defaults.Ease with { MaxDegreeOfParallelism = threads },
            Als = defaults.Als with { MaxDegreeOfParallelism = threads, Seed = seed },
            TwoTower = defaults.TwoTower with { MaxDegreeOfParallelism = threads, Seed = seed },
            Ranker = defaults.Ranker with { Seed = seed, ExactScanLimit = options.Value.RankerExactScanLimit, Boosting = defaults.Ranker.Boosting with { NumberOfThreads = threads > 0 ? threads : null } },
            FastTreeRanker = trainingOptions.Value.LibrariesToTrain.Contains(MLNetLearner.LibraryName, StringComparer.Ordinal) ? MLNetLearner.RankerLike(defaults.Ranker.Boosting, seed, logger) : null,
            HybridWeights = options.Value.HybridWeights is { Count: > 0 } weights ? weights : defaults.HybridWeights,
        };
    }

    // The events are handed over in a box that the fit empties once the serving models are fitted: code that runs once
    // is not optimised by the JIT, and its locals (an awaited result too) stay reachable until the method returns.
    private async Task<FittedVersion> FitAsync(long lastEventId, RecommenderSuiteOptions suiteOptions, long started, RecommenderRun run, CancellationToken cancellationToken)
    {
        var box = new StrongBox<RecommendationTrainingData?>();
        await LoadIntoAsync(box, lastEventId, cancellationToken);
        return Fit(box, suiteOptions, started, run, cancellationToken);
    }

    private async Task LoadIntoAsync(StrongBox<RecommendationTrainingData?> box, long lastEventId, CancellationToken cancellationToken) =>
        box.Value = await LoadAsync(lastEventId, cancellationToken);

    // Evaluation, the serving fit and serialisation, each in a method of its own so that what a phase built is
    // unreachable when the next begins, with a collection between phases so the process gives the memory back: the
    // artifact is allocated once the events, the evaluation and the fitting's scratch are gone.
    private FittedVersion Fit(StrongBox<RecommendationTrainingData?> box, RecommenderSuiteOptions suiteOptions, long started, RecommenderRun run, CancellationToken cancellationToken)
    {
        var (events, students, resources, catalogMap, dataHash) = Facts(box.Value!);
        LogStep(logger, $"loaded {events:N0} events of {students:N0} students over {resources:N0} resources", Stopwatch.GetElapsedTime(started).TotalSeconds);
        if (events < options.Value.MinimumEventsToTrain)
        {
            return FittedVersion.Refused(TooFewEvents(events));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var step = Step(started);
        var evaluated = Evaluate(box.Value!, suiteOptions, step, run, cancellationToken);
        if (evaluated is null)
        {
            return FittedVersion.Refused("No student has later events to check the models against yet; the fallback chain keeps serving.");
        }

        step("every strategy evaluated on the temporal split");
        ReleaseMemory();
        var (serving, reason) = ChooseServing(evaluated);
        LogChosen(logger, serving, reason);
        cancellationToken.ThrowIfCancellationRequested();

        run.Report($"Fitting {RecommendationStrategyNames.Describe(serving)} on all {events:N0} events");
        var chain = FitServing(box.Value!, serving, suiteOptions, step);
        box.Value = null;
        ReleaseMemory();
        var prepared = RecommenderSerializer.Prepare(chain);
        step($"{serving} fitted on all events ({prepared.Length:N0} bytes serialised)");
        var report = new RecommendationReport(RecommendationReport.CutOff, serving, reason, events, students, resources, evaluated);
        return new FittedVersion(prepared, report, catalogMap, dataHash);
    }

    private static (int Events, int Students, int Resources, string CatalogMap, string DataHash) Facts(RecommendationTrainingData data) =>
        (data.Log.Interactions.Length, data.Log.Users.Count, data.ResourceIds.Length, new RecommendationCatalogMap(data.ResourceIds, data.LastEventId).ToJson(), data.DataHash);

    // The serving strategy refitted on all events inside the fallback chain for new students.
    private FallbackRecommender FitServing(RecommendationTrainingData data, string serving, RecommenderSuiteOptions suiteOptions, Action<string> step)
    {
        var full = new RecommenderSuite(InteractionMatrix.Build(data.Log), data.Texts, suiteOptions, step)
        {
            TrainingEvents = data.Log,
            Contexts = u => data.Contexts[u],
        };
        return new FallbackRecommender(full.Fit(serving).Model, (ContentRecommender)full.Fit("content").Model, (PopularityRecommender)full.Fit("popularity").Model,
            data.Subjects, new FallbackOptions { MinimumHistory = options.Value.MinimumHistory });
    }

    // A retraining at the original design's scale frees gigabytes between its phases (EASE's dense matrix alone is
    // 400 MB at 10,000 resources); an ordinary collection frees them but keeps the pages, this one returns them.
    private static void ReleaseMemory() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    // The suite's steps ("fitting ease") as debug messages, with the seconds since the retraining started.
    private Action<string> Step(long started) => step => LogStep(logger, step, Stopwatch.GetElapsedTime(started).TotalSeconds);

    // Every strategy fitted on the temporal split's training part and scored on the rest; null when no student has
    // later events to score against.
    private List<RecommendationStrategyReport>? Evaluate(RecommendationTrainingData data, RecommenderSuiteOptions suiteOptions, Action<string> step, RecommenderRun run, CancellationToken cancellationToken)
    {
        var split = TemporalSplit.Create(data.Log);
        if (split.UsersWithTestItems == 0)
        {
            return null;
        }

        var suite = new RecommenderSuite(split.TrainMatrix, data.Texts, suiteOptions, step)
        {
            TrainingEvents = new InteractionLog(data.Log.Users, data.Log.Items, split.Train),
            Contexts = u => data.Contexts[u],
        };
        var reports = new List<RecommendationStrategyReport>();
        var trainers = RankerSettings(suiteOptions);
        suite.PrepareToFit(RecommenderSuite.Strategies);
        var strategies = RecommenderSuite.Strategies;
        for (var i = 0; i < strategies.Count; i++)
        {
            var strategy = strategies[i];
            cancellationToken.ThrowIfCancellationRequested();
            run.Report($"Evaluating {RecommendationStrategyNames.Describe(strategy)} on the students' later events", i + 1, strategies.Count);
            if (suite.Unavailable(strategy) is { } unavailable)
            {
                reports.Add(new RecommendationStrategyReport(strategy, null, null, null, null, null, null, 0, unavailable, trainers.GetValueOrDefault(strategy)));
                continue;
            }

            try
            {
                var fitted = suite.Fit(strategy);
                var e = RecommenderEvaluator.Evaluate(fitted.Model, split, RecommendationReport.CutOff, fitted.Seconds, trainingOptions.Value.Threads ?? 0,
                    u => data.Contexts[u]);
                reports.Add(new RecommendationStrategyReport(strategy, e.PrecisionAtK, e.RecallAtK, e.NdcgAtK, e.MapAtK, e.Coverage, e.TrainSeconds, e.UsersEvaluated, null,
                    trainers.GetValueOrDefault(strategy), Chosen(fitted.Model, suite),
                    fitted.Model is RankerRecommender ranker ? ranker.DescribeCandidates(RecommendationStrategyNames.Describe) : null));
            }
            catch (ArgumentException e)
            {
                // The engine refuses data it cannot fit (EASE's matrix not positive definite, a ranker without positives).
                LogStrategyFailed(logger, e, strategy);
                reports.Add(new RecommendationStrategyReport(strategy, null, null, null, null, null, null, 0, e.Message, trainers.GetValueOrDefault(strategy)));
            }
        }

        return reports;
    }

    // What the inner split's held-out students chose for the hybrid and the learned rankers, in words.
    private static string? Chosen(IRecommender model, RecommenderSuite suite) => model switch
    {
        RankerRecommender { Validation: { } v } r => v.Describe([.. r.BaseModels.Select(b => RecommendationStrategyNames.Describe(b.Name))], RecommendationStrategyNames.Describe),
        HybridRecommender h when suite.HybridValidation is { } v => v.DescribeBlend([.. h.Components.Select(c => RecommendationStrategyNames.Describe(c.Model.Name))], RecommendationStrategyNames.Describe),
        _ => null,
    };

    /// <summary>
    /// The strategy with the best NDCG@10 serves; a learned ranker only when it beats every single model, and of the
    /// engine's and ML.NET's rankers the better one (a tie goes to the engine's). The reason says which strategy serves
    /// and why, in words for the model page.
    /// </summary>
    internal static (string Strategy, string Reason) ChooseServing(IReadOnlyList<RecommendationStrategyReport> reports)
    {
        var singles = reports.Where(r => !RecommenderSuite.Rankers.Contains(r.Strategy) && r.NdcgAtK is not null).ToList();
        if (singles.Count == 0)
        {
            throw new InvalidOperationException("No strategy could be fitted: " + string.Join("; ", reports.Select(r => $"{r.Strategy}: {r.Unavailable}")));
        }

        // Ties go to the earlier (simpler) strategy in the suite's order.
        var best = singles.OrderByDescending(r => r.NdcgAtK!.Value).First();
        var bestSingle = $"{RecommendationStrategyNames.Describe(best.Strategy)} {F(best.NdcgAtK!.Value)}";
        var rankers = reports.Where(r => RecommenderSuite.Rankers.Contains(r.Strategy)).ToList();
        var trained = rankers.Where(r => r.NdcgAtK is not null).OrderByDescending(r => r.NdcgAtK!.Value).ToList();
        var ranker = trained.FirstOrDefault();
        var other = trained.Skip(1).FirstOrDefault();
        var versus = other is null ? "" : $"; it also beats the {RecommendationStrategyNames.Describe(other.Strategy)}, at {F(other.NdcgAtK!.Value)}";
        if (ranker?.NdcgAtK is { } rankerNdcg && singles.All(s => rankerNdcg > s.NdcgAtK!.Value))
        {
            return (ranker.Strategy, $"The {RecommendationStrategyNames.Describe(ranker.Strategy)} serves: its NDCG@10 {F(rankerNdcg)} beats every single model (best: {bestSingle}){versus}.");
        }

        var why = ranker is not null
            ? trained.Count > 1
                ? $"neither learned ranker beats it: the {RecommendationStrategyNames.Describe(ranker.Strategy)} reaches {F(ranker.NdcgAtK!.Value)}, the {RecommendationStrategyNames.Describe(other!.Strategy)} {F(other.NdcgAtK!.Value)}"
                : $"the {RecommendationStrategyNames.Describe(ranker.Strategy)} does not beat it ({F(ranker.NdcgAtK!.Value)})"
            : rankers.FirstOrDefault(r => r.Unavailable is not null && r.Strategy == RankerRecommender.EngineName) is { Unavailable: { } u }
                ? $"the learned ranker could not be trained ({u})"
                : "the learned ranker was not trained";
        var described = RecommendationStrategyNames.Describe(best.Strategy);
        return (best.Strategy, $"{char.ToUpperInvariant(described[0])}{described[1..]} serves: it has the best NDCG@10 ({F(best.NdcgAtK!.Value)}) of the single models, and {why}.");
    }

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    internal async Task<RecommendationTrainingData> LoadAsync(long lastEventId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);

        // Every catalog resource gets an item index (retired ones too: they are filtered at serving time), in id order.
        var catalog = await db.Set<LearningResource>().AsNoTracking().OrderBy(r => r.Id)
            .Select(r => new { r.Id, r.Title, r.Description, r.Subject, r.Topic, r.Tags, r.Type, r.Difficulty }).ToListAsync(cancellationToken);
        var items = new IdIndex(catalog.Select(r => r.Id.ToString(CultureInfo.InvariantCulture)));
        var texts = catalog.Select(r => (ItemText?)new ItemText(r.Title, r.Description, r.Subject, r.Topic, string.Join(' ', r.Tags))
        {
            Type = ResourceNames.Of(r.Type),
            Difficulty = ResourceNames.Of(r.Difficulty),
        }).ToList();
        // Streamed: millions of events are never materialised as entities at once, only as compact interactions.
        var events = TrainingEvents(db).Where(e => e.Id <= lastEventId).OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.StudentId, e.ResourceId, e.Type, e.AtUtc }).AsAsyncEnumerable();

        var users = new IdIndex();
        var interactions = new List<Interaction>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(string.Join(',', items.Ids) + "\n"));
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            if (!items.TryGetIndex(e.ResourceId.ToString(CultureInfo.InvariantCulture), out var item))
            {
                continue;
            }

            var kind = Kind(e.Type);
            interactions.Add(new Interaction(users.GetOrAdd(e.StudentId), item, UnixSeconds(e.AtUtc),
                InteractionKinds.DefaultWeight(kind), kind));
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{e.StudentId}\t{e.ResourceId}\t{e.Type}\t{e.AtUtc.Ticks}\n")));
        }

        var contexts = await ContextsAsync(users, items, lastEventId, cancellationToken);
        return new RecommendationTrainingData(new InteractionLog(users, items, [.. interactions]), texts, catalog.Select(r => r.Subject).ToList(),
            catalog.Select(r => r.Id).ToArray(), lastEventId, Convert.ToHexStringLower(hash.GetHashAndReset()), contexts);
    }

    // What the ranker knows of each student besides the events: today's forecasts (weak subjects, level) and the
    // impressions logged up to the last training event; the ranker counts only impressions before each student's "now".
    private async Task<StudentContext?[]> ContextsAsync(IdIndex users, IdIndex items, long lastEventId, CancellationToken cancellationToken)
    {
        var outlooks = await forecasts.OutlooksAsync(users.Ids, cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var impressions = await db.Set<RecommendationEvent>().AsNoTracking()
            .Where(e => e.Type == RecommendationEventType.Impression && e.Id <= lastEventId)
            .Select(e => new { e.StudentId, e.ResourceId, e.AtUtc }).ToListAsync(cancellationToken);
        var shown = new Dictionary<int, List<ShownItem>>();
        foreach (var e in impressions)
        {
            if (users.TryGetIndex(e.StudentId, out var u) && items.TryGetIndex(e.ResourceId.ToString(CultureInfo.InvariantCulture), out var item))
            {
                (shown.TryGetValue(u, out var list) ? list : shown[u] = []).Add(new ShownItem(item, UnixSeconds(e.AtUtc)));
            }
        }

        var contexts = new StudentContext?[users.Count];
        for (var u = 0; u < users.Count; u++)
        {
            var outlook = outlooks.GetValueOrDefault(users[u]);
            var seen = shown.GetValueOrDefault(u);
            if (outlook is not null || seen is not null)
            {
                contexts[u] = RecommendationContexts.Create(outlook?.WeakSubjects ?? [], outlook?.SubjectCount ?? 0, 0, seen ?? []);
            }
        }

        return contexts;
    }

    internal static long UnixSeconds(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeSeconds();

    /// <summary>The engine's event kind: weights complete 4 > like 3 > click 2 > view 1; a dismissal stays a dismissal (never a positive).</summary>
    internal static InteractionKind Kind(RecommendationEventType type) => type switch
    {
        RecommendationEventType.Click => InteractionKind.Click,
        RecommendationEventType.View => InteractionKind.View,
        RecommendationEventType.Complete => InteractionKind.Complete,
        RecommendationEventType.Like => InteractionKind.Like,
        RecommendationEventType.Dismiss => InteractionKind.Dismiss,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Impressions are not training events."),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recommendation strategy {Strategy} could not be fitted on the logged events.")]
    private static partial void LogStrategyFailed(ILogger logger, Exception exception, string strategy);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recommendation retraining: {Step} ({Seconds:0.0} s in).")]
    private static partial void LogStep(ILogger logger, string step, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recommendation strategy {Strategy} chosen to serve: {Reason}")]
    private static partial void LogChosen(ILogger logger, string strategy, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recommendation version {Version} registered ({Strategy}, {Events} events); active: {Active}.")]
    private static partial void LogTrained(ILogger logger, string version, string strategy, int events, bool active);
}
