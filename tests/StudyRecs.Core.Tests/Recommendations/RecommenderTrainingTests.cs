using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Tests.Training;
using StudyRecs.Core.Training;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Core.Tests.Recommendations;

public class RecommenderTrainingTests
{
    /// <summary>
    /// Two communities of students: each works through resources of its own half of the catalog, mostly in the same
    /// order, with completions, likes, clicks and views; a few dismissals.
    /// </summary>
    internal static List<RecommendationEvent> CommunityEvents(IReadOnlyList<LearningResource> catalog, DateTime end, int students = 40, int seed = 3)
    {
        var random = new Random(seed);
        var halves = new[] { catalog.Take(catalog.Count / 2).ToList(), catalog.Skip(catalog.Count / 2).ToList() };
        var types = new[] { RecommendationEventType.Complete, RecommendationEventType.Like, RecommendationEventType.Click, RecommendationEventType.View };
        var events = new List<RecommendationEvent>();
        for (var s = 0; s < students; s++)
        {
            var half = halves[s % 2];
            var start = random.Next(0, 4);
            for (var step = 0; step < 10; step++)
            {
                var resource = half[(start + step + (random.NextDouble() < 0.2 ? random.Next(0, half.Count) : 0)) % half.Count];
                var type = random.NextDouble() < 0.05 ? RecommendationEventType.Dismiss : types[random.Next(types.Length)];
                events.Add(new RecommendationEvent
                {
                    StudentId = $"S{s:000}",
                    UserName = $"s{s}@test.local",
                    ResourceId = resource.Id,
                    Type = type,
                    Strategy = "popularity",
                    Position = step + 1,
                    RequestId = $"seed-{s}-{step}",
                    DwellSeconds = type == RecommendationEventType.View ? 60 : null,
                    AtUtc = end.AddHours(-(students * 10) + (s * 10) + step),
                });
            }
        }

        return events;
    }

    private static async Task StoreAsync(CoreTestHost host, IEnumerable<RecommendationEvent> events) =>
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            db.AddRange(events);
            return await db.SaveChangesAsync();
        });

    private static Task<RecommendationTrainingOutcome> TrainAsync(CoreTestHost host, bool force = false) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<RecommenderTraining>().TrainAsync("job", force, CancellationToken.None));

    [Fact]
    public async Task Trains_every_strategy_on_the_events_and_registers_an_active_recommendation_version_with_its_metrics()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var events = CommunityEvents(catalog, host.Clock.Now.UtcDateTime);
        events.Add(new RecommendationEvent { StudentId = "S000", UserName = "x", ResourceId = catalog[0].Id, Type = RecommendationEventType.Impression, RequestId = "imp", AtUtc = host.Clock.Now.UtcDateTime });
        await StoreAsync(host, events);

        var outcome = await TrainAsync(host);

        var model = Assert.IsType<TrainedModel>(outcome.Model);
        Assert.Equal(ModelTask.Recommendation, model.Task);
        Assert.True(model.IsActive, outcome.Message);
        Assert.Equal(RecommendationReport.SelectionMetric, model.SelectionMetric);
        Assert.Equal(events.Count - 1, model.RowsUsed); // the impression is not a training event
        var report = RecommendationReport.Read(model.MetricsJson)!;
        Assert.Equal(RecommenderSuite.Strategies, report.Strategies.Select(s => s.Strategy));
        Assert.All(report.Strategies.Where(s => !RecommenderSuite.Rankers.Contains(s.Strategy)), s => Assert.True(s.NdcgAtK > 0, $"{s.Strategy}: {s.Unavailable}"));
        // Both learned rankers were tried (the test host trains with both libraries) and say what trained them.
        Assert.Equal("studyrecs: trees 100, leaves 31, learning rate 0.1, min leaf 50 (fewer trees when 20 in a row do not help the held-out students)",
            report.Strategies.Single(s => s.Strategy == "ranker").Trainer);
        Assert.Equal("ml.net: trees 100, leaves 31, learning rate 0.1, min leaf 50", report.Strategies.Single(s => s.Strategy == "ranker-fasttree").Trainer);
        // The hybrid and both rankers say what the inner split's held-out students chose, in words; single models say nothing.
        Assert.StartsWith("weights ", report.Strategies.Single(s => s.Strategy == "hybrid").Chosen, StringComparison.Ordinal);
        Assert.All(report.Strategies.Where(s => RecommenderSuite.Rankers.Contains(s.Strategy)),
            s => Assert.Matches("^(re-ranks|serves ).*held-out students", s.Chosen));
        Assert.All(report.Strategies.Where(s => s.Strategy is not ("hybrid" or "ranker" or "ranker-fasttree")), s => Assert.Null(s.Chosen));
        // A catalog this small is scanned exactly for the rankers' candidates (Recommendations:RankerExactScanLimit).
        Assert.All(report.Strategies.Where(s => RecommenderSuite.Rankers.Contains(s.Strategy)),
            s => Assert.Contains("(exact scan, up to 50,000 resources)", s.Candidates, StringComparison.Ordinal));
        Assert.All(report.Strategies.Where(s => !RecommenderSuite.Rankers.Contains(s.Strategy)), s => Assert.Null(s.Candidates));
        // In words: the best single model is named as the page names strategies, not by its internal name.
        Assert.All(report.Strategies.Where(s => s.Chosen is not null), s => Assert.DoesNotMatch(@"best single model[ ,(]+(itemknn|ease|als|popularity|content)[,)]", s.Chosen));
        Assert.Equal(model.Algorithm, report.Serving);
        Assert.Contains(RecommendationStrategyNames.Describe(report.Serving), report.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(report.Strategies.Single(s => s.Strategy == report.Serving).NdcgAtK, model.SelectionScore);
        // Community structure is learnable: the serving strategy beats popularity.
        Assert.True(model.SelectionScore > report.Strategies.Single(s => s.Strategy == "popularity").NdcgAtK, report.Reason);

        Assert.Equal((ArtifactFormats.Recommender, null, null), (model.ArtifactFormat, model.FeatureSchemaJson, model.DatasetIdsJson));
        var map = RecommendationCatalogMap.Read(model.CatalogJson!);
        Assert.Equal(catalog.Select(r => r.Id), map.ResourceIds);
        // The chain is written in place (SQLite): read it back as the serving nodes do, and check its recorded hash.
        var artifact = await host.WithScopeAsync(sp => ModelArtifacts.ReadAsync(sp.GetRequiredService<StudyRecsDbContext>(), model.Id, s =>
        {
            using var copy = new MemoryStream();
            s.CopyTo(copy);
            return copy.ToArray();
        }, CancellationToken.None));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(artifact!)), model.ArtifactSha256);
        Assert.Equal(artifact!.Length, model.ArtifactLength);
        var chain = Assert.IsType<FallbackRecommender>(RecommenderSerializer.Deserialize(artifact!, StudyRecs.Learning.MLNet.MLNetModelFormat.WithEngine));
        Assert.Equal(catalog.Count, chain.ItemCount);
        Assert.Equal(catalog[5].Subject, chain.SubjectOf(5));

        // The retraining is a run of its own kind, finished with the outcome, and the version names it; grade listings leave it out.
        var run = Assert.Single(await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().RecentRunsAsync(10, null, CancellationToken.None)));
        Assert.Equal((TrainingRunKind.Recommendations, TrainingRunStatus.Succeeded, "Finished", TrainingTrigger.Schedule, "job"), (run.Kind, run.Status, run.Step, run.Trigger, run.TriggeredBy));
        Assert.Equal(RecommenderSuite.Strategies.Count, run.CandidateCount);
        Assert.StartsWith($"Recommendation {model.Version} (", run.ResultSummary);
        Assert.Equal(run.Id, model.TrainingRunId);
        Assert.Empty(await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().RecentRunsAsync(10, TrainingRunKind.Grades, CancellationToken.None)));
    }

    [Fact]
    public async Task Above_the_exact_scan_limit_the_rankers_candidates_come_from_an_index_over_item_embeddings()
    {
        await using var host = await CoreTestHost.StartAsync(extra: new Dictionary<string, string?> { ["Recommendations:RankerExactScanLimit"] = "5" });
        var catalog = await host.SeedCatalogAsync();
        Assert.True(catalog.Count > 5);
        await StoreAsync(host, CommunityEvents(catalog, host.Clock.Now.UtcDateTime));

        var outcome = await TrainAsync(host);

        var report = RecommendationReport.Read(Assert.IsType<TrainedModel>(outcome.Model).MetricsJson)!;
        var ranker = report.Strategies.Single(s => s.Strategy == RankerRecommender.EngineName);
        Assert.True(ranker.NdcgAtK > 0, ranker.Unavailable);
        // Whether the re-ranking serves or the blend (it lost on the held-out students), the page says how it found its candidates.
        Assert.Matches("the [0-9,]+ nearest resources in an approximate \\(HNSW\\) index over the item embeddings of matrix factorisation \\(ALS\\), as the catalog's [0-9,]+ resources are more than the exact-scan limit of 5",
            ranker.Candidates);
    }

    [Fact]
    public async Task The_rankers_student_context_holds_the_impressions_logged_up_to_the_training_and_the_resources_facets()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var now = host.Clock.Now.UtcDateTime;
        var events = CommunityEvents(catalog, now);
        RecommendationEvent Impression(string student, long resource, DateTime at, string request) =>
            new() { StudentId = student, UserName = "x", ResourceId = resource, Type = RecommendationEventType.Impression, RequestId = request, AtUtc = at };
        events.Add(Impression("S000", catalog[3].Id, now.AddHours(-1), "i1"));
        events.Add(Impression("S000", catalog[3].Id, now.AddMinutes(-30), "i2"));
        events.Add(Impression("S001", catalog[4].Id, now.AddMinutes(-20), "i3"));
        events.Add(Impression("GHOST", catalog[4].Id, now, "i4"));
        await StoreAsync(host, events);
        var lastId = await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<RecommendationEvent>().MaxAsync(e => e.Id));
        // Logged after the training snapshot: not part of it.
        await StoreAsync(host, [Impression("S000", catalog[5].Id, now, "late")]);

        var data = await host.WithScopeAsync(sp => sp.GetRequiredService<RecommenderTraining>().LoadAsync(lastId, CancellationToken.None));

        Assert.True(data.Log.Users.TryGetIndex("S000", out var s0));
        Assert.True(data.Log.Users.TryGetIndex("S001", out var s1));
        Assert.False(data.Log.Users.TryGetIndex("GHOST", out _)); // impressions alone do not make a student of the log
        var item3 = data.Log.Items.Ids.ToList().IndexOf(catalog[3].Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var shown = data.Contexts[s0]!.Shown;
        Assert.Equal(2, shown.Count);
        Assert.All(shown, s => Assert.Equal(item3, s.Item));
        Assert.Equal(new DateTimeOffset(now.AddMinutes(-30), TimeSpan.Zero).ToUnixTimeSeconds(), shown.Max(s => s.Timestamp));
        Assert.Single(data.Contexts[s1]!.Shown);
        // No grade models here: no forecasts, so no weak subjects and no level.
        Assert.Empty(data.Contexts[s0]!.WeakSubjects);
        Assert.True(float.IsNaN(data.Contexts[s0]!.Level));
        Assert.All(Enumerable.Range(0, data.Log.Users.Count).Where(u => u != s0 && u != s1), u => Assert.Null(data.Contexts[u]));
        // Type and difficulty of each resource reach the ranker's facets.
        Assert.Equal(ResourceNames.Of(catalog[0].Type), data.Texts[0]!.Type);
        Assert.Equal(ResourceNames.Of(catalog[0].Difficulty), data.Texts[0]!.Difficulty);
    }

    [Theory]
    [InlineData(0, 0, 0, float.NaN)]
    [InlineData(4, 1, 1, 1.25f)] // at risk 0, below target 1, two others 2: 5 / 4
    [InlineData(2, 2, 0, 0f)]
    [InlineData(3, 0, 0, 2f)]
    public void The_forecast_level_averages_the_study_plans_level_per_subject(int subjects, int atRisk, int below, float expected)
    {
        static StudyRecs.Core.StudyPlans.WeakSubject Weak(bool risk) => new(new StudyRecs.Core.Predictions.Forecast("X", 1, 40, new StudyRecs.Core.Predictions.MarksInterval(30, 50, 0.9), "D", [], risk ? 0.6 : 0.1, risk, 50, [], true, "r", "c"), 5, "");
        var weak = Enumerable.Range(0, atRisk).Select(_ => Weak(true)).Concat(Enumerable.Range(0, below).Select(_ => Weak(false))).ToList();
        Assert.Equal(expected, RecommendationContexts.Level(weak, subjects));
    }

    [Fact]
    public async Task Skips_when_no_event_arrived_since_the_latest_version_and_trains_again_after_one()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        await StoreAsync(host, CommunityEvents(catalog, host.Clock.Now.UtcDateTime));
        var first = (await TrainAsync(host)).Model!;

        var skipped = await TrainAsync(host);
        Assert.Null(skipped.Model);
        Assert.Contains(first.Version, skipped.Message);

        // An impression is not a training event either.
        await StoreAsync(host, [new RecommendationEvent { StudentId = "S001", UserName = "x", ResourceId = catalog[1].Id, Type = RecommendationEventType.Impression, RequestId = "late", AtUtc = host.Clock.Now.UtcDateTime }]);
        Assert.Null((await TrainAsync(host)).Model);
        Assert.NotNull((await TrainAsync(host, force: true)).Model);

        await StoreAsync(host, [new RecommendationEvent { StudentId = "S001", UserName = "x", ResourceId = catalog[1].Id, Type = RecommendationEventType.Complete, RequestId = "late", AtUtc = host.Clock.Now.UtcDateTime }]);
        var second = (await TrainAsync(host)).Model!;
        Assert.True(string.CompareOrdinal(second.Version, first.Version) > 0);
        Assert.Equal(first.RowsUsed + 1, second.RowsUsed);

        // Skipped checks leave no run; each training does, the forced one as asked for by a person.
        var runs = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().RecentRunsAsync(10, TrainingRunKind.Recommendations, CancellationToken.None));
        Assert.Equal([TrainingTrigger.Schedule, TrainingTrigger.Manual, TrainingTrigger.Schedule], runs.Select(r => r.Trigger));
        Assert.All(runs, r => Assert.Equal(TrainingRunStatus.Succeeded, r.Status));
    }

    [Fact]
    public async Task Too_few_events_train_nothing_and_say_how_many_are_needed()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        await StoreAsync(host, CommunityEvents(catalog, host.Clock.Now.UtcDateTime, students: 2));

        var outcome = await TrainAsync(host);

        Assert.Null(outcome.Model);
        Assert.Contains("50 are needed", outcome.Message);

        // The schedule's check records no run; Run now records one that says why it trained nothing, for the jobs page.
        Assert.Empty(await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().RecentRunsAsync(10, null, CancellationToken.None)));
        var forced = await TrainAsync(host, force: true);
        Assert.Equal((null, outcome.Message), (forced.Model, forced.Message));
        var run = Assert.Single(await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().RecentRunsAsync(10, null, CancellationToken.None)));
        Assert.Equal((TrainingRunKind.Recommendations, TrainingRunStatus.Failed, outcome.Message, null, TrainingTrigger.Manual), (run.Kind, run.Status, run.Error, run.ResultSummary, run.Trigger));
        Assert.NotNull(run.FinishedAt);
    }

    private static RecommendationStrategyReport Ndcg(string strategy, double? ndcg, string? unavailable = null) =>
        new(strategy, 0, 0, ndcg, 0, 0, 0, ndcg is null ? 0 : 10, unavailable);

    [Fact]
    public void The_ranker_serves_only_when_it_beats_every_single_model()
    {
        var (beats, why) = RecommenderTraining.ChooseServing([Ndcg("popularity", 0.1), Ndcg("ease", 0.3), Ndcg("hybrid", 0.32), Ndcg("ranker", 0.35)]);
        Assert.Equal("ranker", beats);
        Assert.Contains("beats every single model (best: hybrid blend 0.3200)", why);

        var (ties, tieWhy) = RecommenderTraining.ChooseServing([Ndcg("popularity", 0.1), Ndcg("hybrid", 0.32), Ndcg("ranker", 0.32)]);
        Assert.Equal("hybrid", ties);
        Assert.Equal("Hybrid blend serves: it has the best NDCG@10 (0.3200) of the single models, and the learned ranker (StudyRecs LambdaMART) does not beat it (0.3200).", tieWhy);

        var (failed, failedWhy) = RecommenderTraining.ChooseServing([Ndcg("itemknn", 0.2), Ndcg("ease", null, "not positive definite"), Ndcg("ranker", null, "no positive candidate")]);
        Assert.Equal("itemknn", failed);
        Assert.Contains("could not be trained (no positive candidate)", failedWhy);
    }

    [Fact]
    public void Of_the_two_learned_rankers_the_better_one_serves_when_it_beats_every_single_model_and_the_page_is_told_why()
    {
        var (fastTree, why) = RecommenderTraining.ChooseServing([Ndcg("ease", 0.3), Ndcg("hybrid", 0.32), Ndcg("ranker", 0.34), Ndcg("ranker-fasttree", 0.36)]);
        Assert.Equal("ranker-fasttree", fastTree);
        Assert.Equal("The learned ranker (ML.NET FastTree LambdaMART) serves: its NDCG@10 0.3600 beats every single model (best: hybrid blend 0.3200); "
            + "it also beats the learned ranker (StudyRecs LambdaMART), at 0.3400.", why);

        // Equal rankers: the engine's (first in the suite's order) serves.
        Assert.Equal("ranker", RecommenderTraining.ChooseServing([Ndcg("ease", 0.3), Ndcg("ranker", 0.34), Ndcg("ranker-fasttree", 0.34)]).Strategy);

        var (single, singleWhy) = RecommenderTraining.ChooseServing([Ndcg("ease", 0.4), Ndcg("ranker", 0.34), Ndcg("ranker-fasttree", 0.36)]);
        Assert.Equal("ease", single);
        Assert.Equal("EASE serves: it has the best NDCG@10 (0.4000) of the single models, and neither learned ranker beats it: "
            + "the learned ranker (ML.NET FastTree LambdaMART) reaches 0.3600, the learned ranker (StudyRecs LambdaMART) 0.3400.", singleWhy);

        // ML.NET's ranker left out (the run trains the engine's learners only): the engine's ranker decides alone.
        var (engineOnly, _) = RecommenderTraining.ChooseServing([Ndcg("ease", 0.3), Ndcg("ranker", 0.34), Ndcg("ranker-fasttree", null, "not among the learners")]);
        Assert.Equal("ranker", engineOnly);
    }
}
