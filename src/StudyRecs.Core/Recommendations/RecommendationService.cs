using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Resources;
using StudyRecs.Core.StudyPlans;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Core.Recommendations;

/// <summary>What to recommend: for whom, how many, optionally with a given strategy or within one subject.</summary>
/// <param name="Overview">The student's forecasts when the caller has them already; otherwise they are forecast.</param>
/// <param name="Preview">An administrator's preview: not shown to the student, so not logged as served in an A/B test.</param>
/// <param name="Live">Score now even when a fresh nightly list exists (the nightly job itself).</param>
public sealed record RecommendationQuery(string StudentId, int Count, string? Strategy = null, string? Subject = null, StudentOverview? Overview = null, bool Preview = false, bool Live = false);

/// <summary>One recommended resource, at its 1-based position, with the reason in plain words.</summary>
public sealed record RecommendedResource(long ResourceId, string Title, string Url, string Subject, string Type, string Difficulty, int Minutes, int Position, double Score, string Reason);

/// <summary>An answer: its request id (events refer to it), the strategy that produced it and why that one.</summary>
public sealed record RecommendationList(string RequestId, string StudentId, string Strategy, string StrategyReason, string? ModelVersion, IReadOnlyList<RecommendedResource> Items)
{
    public bool IsEmpty => Items.Count == 0;
}

/// <summary>
/// Recommends resources to one student: the student's events are the history, the weak subjects from the forecasts
/// steer the fallback chain for students with little history, the strategy for established students is pinned by an
/// admin or chosen online by the bandit, and completed, dismissed and retired resources are never recommended.
/// </summary>
public sealed class RecommendationService(
    IDbContextFactory<StudyRecsDbContext> dbs,
    ActiveRecommender active,
    StudentForecasts forecasts,
    RecommendationSettings settings,
    RecommendationExperiments experiments,
    RecommendationEventRecorder recorder,
    IStrategyBandit bandit,
    IOptions<RecommendationOptions> options,
    TimeProvider time)
{
    /// <summary>The strategies the active model can serve, by name.</summary>
    public async Task<IReadOnlyCollection<string>> StrategiesAsync(CancellationToken cancellationToken) =>
        (await active.GetAsync(cancellationToken)).Strategies.Keys.ToList();

    public async Task<RecommendationList> RecommendAsync(RecommendationQuery query, CancellationToken cancellationToken)
    {
        var model = await active.GetAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var history = await HistoryAsync(db, model, query.StudentId, cancellationToken);
        if (query is { Live: false, Strategy: null, Subject: null } && await NightlyAsync(db, model, history, query, cancellationToken) is { } nightly)
        {
            return nightly;
        }

        var overview = query.Overview ?? await forecasts.OverviewAsync(query.StudentId, cancellationToken);
        var weak = overview.WeakSubjects;
        var focus = weak.Select(w => w.Forecast.Subject).ToArray();
        var (strategy, why, test) = await ChooseAsync(model, query, history.Items.Length, cancellationToken);

        var scores = new float[model.Chain.ItemCount];
        if (scores.Length == 0)
        {
            // An empty catalog: nothing to recommend.
            return new RecommendationList(Guid.CreateVersion7().ToString("N"), query.StudentId, strategy, why, model.Version, []);
        }

        if (strategy == RecommendationStrategyNames.Fallback)
        {
            model.Chain.Score(history.Items, history.Weights, focus, scores);
        }
        else if (model.Strategies[strategy] is ImportedScoreStrategy imported)
        {
            (strategy, why) = await ImportedOrFallbackAsync(db, model, imported, query.StudentId, history, why, scores, cancellationToken);
            if (strategy == RecommendationStrategyNames.Fallback)
            {
                model.Chain.Score(history.Items, history.Weights, focus, scores);
            }
        }
        else if (model.Strategies[strategy] is IContextualRecommender contextual)
        {
            var context = RecommendationContexts.Create(weak, overview.Subjects.Count, time.GetUtcNow().ToUnixTimeSeconds(),
                await ShownAsync(db, model, query.StudentId, cancellationToken));
            contextual.Score(history.Items, history.Weights, history.Times, context, scores);
        }
        else
        {
            model.Strategies[strategy].Score(history.Items, history.Weights, scores);
        }

        var retired = await db.Set<LearningResource>().AsNoTracking().Where(r => r.IsRetired).Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var id in retired.Concat(history.Completed).Concat(history.Dismissed))
        {
            if (model.TryGetIndex(id, out var item))
            {
                scores[item] = float.NegativeInfinity;
            }
        }

        if (ResourceText.SubjectKey(query.Subject) is { Length: > 0 } subjectKey)
        {
            for (var i = 0; i < scores.Length; i++)
            {
                if (ResourceText.SubjectKey(model.Chain.SubjectOf(i)) != subjectKey)
                {
                    scores[i] = float.NegativeInfinity;
                }
            }
        }

        var top = new int[Math.Min(query.Count, scores.Length)];
        top = top[..TopK.Select(scores, top)];
        var ids = top.Select(i => model.ResourceIds[i]).ToList();
        var resources = await db.Set<LearningResource>().AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        var titles = await TitlesAsync(db, model, history, top, focus, cancellationToken);
        var thisWeek = await StudentsThisWeekAsync(db, ids, cancellationToken);
        var items = new List<RecommendedResource>(top.Length);
        foreach (var item in top)
        {
            if (!resources.TryGetValue(model.ResourceIds[item], out var r))
            {
                continue; // Deleted from the catalog since the model was trained.
            }

            var reason = Reason(model, history, item, r, weak, focus, titles, thisWeek.GetValueOrDefault(r.Id));
            items.Add(new RecommendedResource(r.Id, r.Title, r.Url, r.Subject, ResourceNames.Of(r.Type), ResourceNames.Of(r.Difficulty), r.Minutes, items.Count + 1, scores[item], reason));
        }

        var requestId = Guid.CreateVersion7().ToString("N");
        if (test is { } t && !query.Preview)
        {
            // The exposure log: this list's events count for the student's group.
            RecommendationExperiments.AddExposure(db, t.Experiment, t.Arm, query.StudentId, requestId, time.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(cancellationToken);
        }

        return new RecommendationList(requestId, query.StudentId, strategy, why, model.Version, items);
    }

    /// <summary>Resources whose text is closest to <paramref name="resourceId"/> (retired ones left out), or null when it is not in the served catalog.</summary>
    public async Task<IReadOnlyList<RecommendedResource>?> SimilarAsync(long resourceId, int count, CancellationToken cancellationToken)
    {
        var model = await active.GetAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var source = await db.Set<LearningResource>().AsNoTracking().Where(r => r.Id == resourceId).Select(r => r.Title).FirstOrDefaultAsync(cancellationToken);
        if (source is null || !model.TryGetIndex(resourceId, out var item))
        {
            return null;
        }

        var retired = (await db.Set<LearningResource>().AsNoTracking().Where(r => r.IsRetired).Select(r => r.Id).ToListAsync(cancellationToken)).ToHashSet();
        var similar = model.Chain.Content.Similar(item, count + retired.Count)
            .Where(s => s.Item != item && s.Score > 0 && !retired.Contains(model.ResourceIds[s.Item])).Take(count).ToList();
        var ids = similar.Select(s => model.ResourceIds[s.Item]).ToList();
        var resources = await db.Set<LearningResource>().AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        return [.. similar.Where(s => resources.ContainsKey(model.ResourceIds[s.Item])).Select((s, position) =>
        {
            var r = resources[model.ResourceIds[s.Item]];
            return new RecommendedResource(r.Id, r.Title, r.Url, r.Subject, ResourceNames.Of(r.Type), ResourceNames.Of(r.Difficulty), r.Minutes, position + 1, s.Score, $"similar to '{source}'");
        })];
    }

    /// <summary>Logs that a block showed these recommendations to the student (the page renders them; nothing needs a script).</summary>
    public async Task RecordImpressionsAsync(RecommendationList list, string userName, CancellationToken cancellationToken)
    {
        foreach (var item in list.Items)
        {
            await recorder.RecordAsync(new RecommendationEvent
            {
                StudentId = list.StudentId,
                UserName = userName,
                ResourceId = item.ResourceId,
                Type = RecommendationEventType.Impression,
                Strategy = list.Strategy,
                Position = item.Position,
                RequestId = list.RequestId,
            }, cancellationToken);
        }
    }

    private async Task<(string Strategy, string Why, (RecommendationExperiment Experiment, ExperimentArm Arm)? Test)> ChooseAsync(
        RecommendationModel model, RecommendationQuery query, int historyLength, CancellationToken cancellationToken)
    {
        if (query.Strategy is { } requested)
        {
            if (!model.Strategies.ContainsKey(requested))
            {
                throw new ArgumentException($"The active model cannot serve '{requested}'; it serves {string.Join(", ", model.Strategies.Keys)}.", nameof(query));
            }

            return (requested, "requested", null);
        }

        if (historyLength < options.Value.MinimumHistory)
        {
            return (RecommendationStrategyNames.Fallback, $"fallback chain: {historyLength} resource(s) in the history, {options.Value.MinimumHistory} are needed for the trained models", null);
        }

        // An A/B test runs over established students only and comes before the pin and the online choice.
        if (await experiments.RunningAsync(cancellationToken) is { } experiment)
        {
            var arm = ExperimentSplit.ArmOf(experiment.Salt, query.StudentId);
            var strategy = experiment.StrategyOf(arm);
            if (model.Strategies.ContainsKey(strategy))
            {
                return (strategy, $"A/B test “{experiment.Name}”, group {arm}", (experiment, arm));
            }
        }

        if (await settings.PinnedStrategyAsync(cancellationToken) is { } pinned && model.Strategies.ContainsKey(pinned) && pinned != RecommendationStrategyNames.Fallback)
        {
            return (pinned, "pinned by an administrator", null);
        }

        var arms = model.Strategies.Keys.Where(k => k != RecommendationStrategyNames.Fallback).Order(StringComparer.Ordinal).ToList();
        if (arms.Count == 0)
        {
            return (RecommendationStrategyNames.Fallback, "the fallback chain is the only strategy", null);
        }

        var known = (await settings.ArmsAsync(cancellationToken)).ToDictionary(a => a.Strategy, StringComparer.Ordinal);
        var statistics = arms.Select(a => known.TryGetValue(a, out var s) ? new ArmStatistics(s.Impressions, s.Rewards) : default).ToArray();
        var chosen = arms[bandit.Choose(statistics, Random.Shared)];
        return (chosen, $"chosen online ({options.Value.Bandit}) among {string.Join(", ", arms)}", null);
    }

    // An imported set serves the students it scored; the others (and those who used every resource it scored for
    // them) get the fallback chain, and the reason says so.
    private static async Task<(string Strategy, string Why)> ImportedOrFallbackAsync(StudyRecsDbContext db, RecommendationModel model, ImportedScoreStrategy imported,
        string studentId, StudentHistory history, string why, float[] scores, CancellationToken cancellationToken)
    {
        var (scored, usable) = await imported.ScoreAsync(db, model, studentId, history.Completed.Concat(history.Dismissed), scores, cancellationToken);
        if (usable > 0)
        {
            return (imported.Name, why);
        }

        return (RecommendationStrategyNames.Fallback, scored == 0
            ? $"fallback chain: {imported.Name} has no scores for this student"
            : $"fallback chain: every resource {imported.Name} scored for this student is completed, dismissed or retired");
    }

    /// <summary>
    /// The student's nightly list, still fresh and of the served version, without what they completed or dismissed since
    /// and without retired resources; null (score live) when there is none, when too few of its resources are left, or
    /// while an A/B test runs (its groups are assigned and logged when a list is served).
    /// </summary>
    private async Task<RecommendationList?> NightlyAsync(StudyRecsDbContext db, RecommendationModel model, StudentHistory history, RecommendationQuery query, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (await PrecomputedRecommendations.FreshAsync(db, query.StudentId, model.Version, now, options.Value.PrecomputedMaxAgeHours, cancellationToken) is not { } fresh
            || fresh.Items.Count < query.Count || await experiments.RunningAsync(cancellationToken) is not null)
        {
            return null;
        }

        var ids = fresh.Items.Select(i => i.ResourceId).ToList();
        var resources = await db.Set<LearningResource>().AsNoTracking().Where(r => ids.Contains(r.Id) && !r.IsRetired).ToDictionaryAsync(r => r.Id, cancellationToken);
        var items = new List<RecommendedResource>(query.Count);
        foreach (var i in fresh.Items)
        {
            if (items.Count == query.Count)
            {
                break;
            }

            if (resources.TryGetValue(i.ResourceId, out var r) && !history.Completed.Contains(r.Id) && !history.Dismissed.Contains(r.Id))
            {
                items.Add(new RecommendedResource(r.Id, r.Title, r.Url, r.Subject, ResourceNames.Of(r.Type), ResourceNames.Of(r.Difficulty), r.Minutes, items.Count + 1, i.Score, i.Reason));
            }
        }

        if (items.Count < query.Count)
        {
            return null;
        }

        var when = fresh.List.ComputedAtUtc.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return new RecommendationList(Guid.CreateVersion7().ToString("N"), query.StudentId, fresh.List.Strategy, $"{fresh.List.StrategyReason}; from the nightly list of {when} UTC", model.Version, items);
    }

    private sealed record StudentHistory(int[] Items, float[] Weights, long[] Times, Dictionary<int, RecommendationEventType> LastKind, HashSet<long> Completed, HashSet<long> Dismissed);

    // How often each resource was shown to the student, with the latest showing.
    private static async Task<List<ShownItem>> ShownAsync(StudyRecsDbContext db, RecommendationModel model, string studentId, CancellationToken cancellationToken)
    {
        var shown = await db.Set<RecommendationEvent>().AsNoTracking()
            .Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Impression)
            .GroupBy(e => e.ResourceId).Select(g => new { ResourceId = g.Key, Times = g.Count(), Last = g.Max(e => e.AtUtc) }).ToListAsync(cancellationToken);
        var items = new List<ShownItem>(shown.Count);
        foreach (var s in shown)
        {
            if (model.TryGetIndex(s.ResourceId, out var item))
            {
                items.Add(new ShownItem(item, RecommenderTraining.UnixSeconds(s.Last), s.Times));
            }
        }

        return items;
    }

    private static async Task<StudentHistory> HistoryAsync(StudyRecsDbContext db, RecommendationModel model, string studentId, CancellationToken cancellationToken)
    {
        var events = await db.Set<RecommendationEvent>().AsNoTracking()
            .Where(e => e.StudentId == studentId && e.Type != RecommendationEventType.Impression)
            .OrderBy(e => e.AtUtc).ThenBy(e => e.Id).Select(e => new { e.ResourceId, e.Type, e.AtUtc }).ToListAsync(cancellationToken);
        var weights = new Dictionary<int, float>();
        var times = new Dictionary<int, long>();
        var lastKind = new Dictionary<int, RecommendationEventType>();
        var completed = new HashSet<long>();
        var dismissed = new HashSet<long>();
        foreach (var e in events)
        {
            if (e.Type == RecommendationEventType.Complete)
            {
                completed.Add(e.ResourceId);
            }
            else if (e.Type == RecommendationEventType.Dismiss)
            {
                dismissed.Add(e.ResourceId);
                continue;
            }

            if (model.TryGetIndex(e.ResourceId, out var item))
            {
                weights[item] = weights.GetValueOrDefault(item) + InteractionKinds.DefaultWeight(RecommenderTraining.Kind(e.Type));
                times[item] = RecommenderTraining.UnixSeconds(e.AtUtc);
                lastKind[item] = e.Type;
            }
        }

        foreach (var id in dismissed)
        {
            if (model.TryGetIndex(id, out var item))
            {
                weights.Remove(item);
            }
        }

        var items = weights.Keys.Order().ToArray();
        return new StudentHistory(items, [.. items.Select(i => weights[i])], [.. items.Select(i => times[i])], lastKind, completed, dismissed);
    }

    // Titles of the history items that reasons may name ("similar to 'Limits 101' you liked").
    private static async Task<Dictionary<long, string>> TitlesAsync(StudyRecsDbContext db, RecommendationModel model, StudentHistory history, int[] top, string[] focus, CancellationToken cancellationToken)
    {
        var related = top.Select(i => model.Explainer.Explain(history.Items, i, focus).RelatedItem).Where(i => i >= 0).Select(i => model.ResourceIds[i]).Distinct().ToList();
        return related.Count == 0 ? [] : await db.Set<LearningResource>().AsNoTracking().Where(r => related.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Title, cancellationToken);
    }

    // Students who used each resource (any event but an impression or a dismissal) in the last seven days.
    private async Task<Dictionary<long, int>> StudentsThisWeekAsync(StudyRecsDbContext db, List<long> ids, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-7);
        var recent = await db.Set<RecommendationEvent>().AsNoTracking()
            .Where(e => ids.Contains(e.ResourceId) && e.AtUtc >= since && e.AtUtc <= now && e.Type != RecommendationEventType.Impression && e.Type != RecommendationEventType.Dismiss)
            .Select(e => new { e.ResourceId, e.StudentId }).Distinct().ToListAsync(cancellationToken);
        return recent.GroupBy(e => e.ResourceId).ToDictionary(g => g.Key, g => g.Count());
    }

    private static string Reason(RecommendationModel model, StudentHistory history, int item, LearningResource resource, IReadOnlyList<WeakSubject> weak, string[] focus,
        Dictionary<long, string> titles, int studentsThisWeek)
    {
        var reason = model.Explainer.Explain(history.Items, item, focus);
        switch (reason.Kind)
        {
            case ReasonKind.FocusSubject:
                var subject = weak.FirstOrDefault(w => string.Equals(w.Forecast.Subject.Trim(), reason.Subject, StringComparison.OrdinalIgnoreCase));
                return subject is { Forecast.AtRisk: true } ? $"you are at risk in {subject.Forecast.Subject}" : $"you are below your target in {subject?.Forecast.Subject ?? resource.Subject}";
            case ReasonKind.SimilarStudents:
                return "students with similar activity completed this";
            case ReasonKind.SimilarContent when titles.TryGetValue(model.ResourceIds[reason.RelatedItem], out var title):
                var verb = history.LastKind.GetValueOrDefault(reason.RelatedItem) switch
                {
                    RecommendationEventType.Like => "liked",
                    RecommendationEventType.Complete => "completed",
                    RecommendationEventType.Click => "opened",
                    _ => "viewed",
                };
                return $"similar to '{title}' you {verb}";
            default:
                return studentsThisWeek >= TrendingStudents
                    ? $"trending in {resource.Subject} this week: {studentsThisWeek} students used it"
                    : model.Chain.Popularity.ItemScores[item] > 0
                    ? $"popular in {resource.Subject}"
                    : $"{Article(ResourceNames.Of(resource.Difficulty))} {ResourceNames.Of(resource.Type)} in {resource.Subject}";
        }
    }

    // Students in the last seven days that make a resource "trending" rather than merely popular.
    private const int TrendingStudents = 3;

    private static string Article(string word) => ("aeiou".Contains(char.ToLowerInvariant(word[0])) ? "an " : "a ") + word;
}
