using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.StudyPlans;
using StudyRecs.Core.Tests.Training;
using StudyRecs.Core.Training;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Core.Tests.Recommendations;

public class RecommendationServiceTests
{
    private static WeakSubject Weak(string subject, bool atRisk) => new(
        new Forecast(subject, 2, 48, new MarksInterval(40, 56, 0.9), "D", [], atRisk ? 0.6 : 0.2, atRisk, 50, [], true, "r1", "c1"), 12, atRisk ? "at risk" : "below target");

    // What the dashboard passes: the student's forecasts with these weak subjects.
    private static StudentOverview Overview(string student, params WeakSubject[] weak) =>
        new(student, 2, "B", true, true, [], weak, [], ServingModels.None);

    private static RecommendationEvent Event(string student, long resource, RecommendationEventType type, string request, DateTime at, string? strategy = "fallback") => new()
    {
        StudentId = student,
        UserName = "test",
        ResourceId = resource,
        Type = type,
        Strategy = strategy,
        RequestId = request,
        AtUtc = at,
        DwellSeconds = type == RecommendationEventType.View ? 10 : null,
    };

    private static async Task StoreAsync(CoreTestHost host, params RecommendationEvent[] events) =>
        await host.WithScopeAsync(sp => RecommendationEventStore.StoreNewAsync(sp.GetRequiredService<StudyRecsDbContext>(), events, CancellationToken.None));

    private static Task<RecommendationList> RecommendAsync(CoreTestHost host, RecommendationQuery query) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationService>().RecommendAsync(query, CancellationToken.None));

    [Fact]
    public async Task Before_any_training_a_new_student_gets_resources_of_their_weak_subjects_with_the_reason()
    {
        await using var host = await CoreTestHost.StartAsync();
        await host.SeedCatalogAsync();

        var list = await RecommendAsync(host, new RecommendationQuery("NEW1", 5, Overview: Overview("NEW1", Weak("Calculus", atRisk: true), Weak("Physics", atRisk: false))));

        Assert.Equal("fallback", list.Strategy);
        Assert.Null(list.ModelVersion);
        Assert.Equal(5, list.Items.Count);
        Assert.All(list.Items, i => Assert.Contains(i.Subject, new[] { "Calculus", "Physics" }));
        Assert.Contains(list.Items, i => i.Reason == "you are at risk in Calculus");
        Assert.All(list.Items.Where(i => i.Subject == "Physics"), i => Assert.Equal("you are below your target in Physics", i.Reason));
        Assert.Equal([1, 2, 3, 4, 5], list.Items.Select(i => i.Position));
        Assert.Equal(32, list.RequestId.Length);
    }

    [Fact]
    public async Task Completed_dismissed_and_retired_resources_are_never_recommended()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var calculus = catalog.Where(r => r.Subject == "Calculus").ToList();
        Assert.True(calculus.Count >= 4);
        var at = host.Clock.Now.UtcDateTime;
        await StoreAsync(host, Event("S9", calculus[0].Id, RecommendationEventType.Complete, "a", at), Event("S9", calculus[1].Id, RecommendationEventType.Dismiss, "a", at));
        await host.WithScopeAsync(sp => sp.GetRequiredService<ResourceCatalog>().RetireAsync(calculus[2].Id, "test", CancellationToken.None));

        var list = await RecommendAsync(host, new RecommendationQuery("S9", 74, Subject: "calculus", Overview: Overview("S9", Weak("Calculus", true))));

        var ids = list.Items.Select(i => i.ResourceId).ToList();
        Assert.DoesNotContain(calculus[0].Id, ids);
        Assert.DoesNotContain(calculus[1].Id, ids);
        Assert.DoesNotContain(calculus[2].Id, ids);
        Assert.Equal(calculus.Skip(3).Select(r => r.Id).Order(), ids.Order());
    }

    [Fact]
    public async Task An_established_student_is_served_by_the_trained_model_with_reasons_from_their_history_and_an_admin_can_pin_a_strategy()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var events = RecommenderTrainingTests.CommunityEvents(catalog, host.Clock.Now.UtcDateTime);
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            db.AddRange(events);
            return await db.SaveChangesAsync();
        });
        var trained = (await host.WithScopeAsync(sp => sp.GetRequiredService<RecommenderTraining>().TrainAsync("job", false, CancellationToken.None))).Model!;
        Assert.True(await host.Services.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None));

        // S000 belongs to the community of the first half of the catalog.
        var online = await RecommendAsync(host, new RecommendationQuery("S000", 10, Overview: Overview("S000")));
        Assert.Equal(trained.Version, online.ModelVersion);
        Assert.NotEqual("fallback", online.Strategy);
        Assert.StartsWith("chosen online (thompson)", online.StrategyReason);
        Assert.Contains(trained.Algorithm, online.StrategyReason);

        var list = await RecommendAsync(host, new RecommendationQuery("S000", 10, Strategy: trained.Algorithm, Overview: Overview("S000")));
        var firstHalf = catalog.Take(catalog.Count / 2).Select(r => r.Id).ToHashSet();
        Assert.True(list.Items.Count(i => firstHalf.Contains(i.ResourceId)) >= 6, string.Join(", ", list.Items.Select(i => i.Title)));
        Assert.All(list.Items, i => Assert.False(string.IsNullOrWhiteSpace(i.Reason)));
        var completed = events.Where(e => e.StudentId == "S000" && e.Type == RecommendationEventType.Complete).Select(e => e.ResourceId).ToHashSet();
        Assert.DoesNotContain(list.Items, i => completed.Contains(i.ResourceId));

        await host.WithScopeAsync(async sp =>
        {
            await sp.GetRequiredService<RecommendationSettings>().PinAsync("popularity", "admin", CancellationToken.None);
            return 0;
        });
        var pinned = await RecommendAsync(host, new RecommendationQuery("S000", 10, Overview: Overview("S000")));
        Assert.Equal(("popularity", "pinned by an administrator"), (pinned.Strategy, pinned.StrategyReason));

        var requested = await RecommendAsync(host, new RecommendationQuery("S000", 3, Strategy: "content", Overview: Overview("S000")));
        Assert.Equal(("content", "requested"), (requested.Strategy, requested.StrategyReason));
        Assert.Contains(requested.Items, i => i.Reason.StartsWith("similar to '", StringComparison.Ordinal) || i.Reason.StartsWith("students with similar activity", StringComparison.Ordinal));

        await Assert.ThrowsAsync<ArgumentException>(() => RecommendAsync(host, new RecommendationQuery("S000", 3, Strategy: "magic", Overview: Overview("S000"))));
    }

    [Fact]
    public async Task Impressions_are_trials_and_clicks_and_completions_are_rewards_of_their_strategy()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var at = host.Clock.Now.UtcDateTime;
        await StoreAsync(host,
            Event("S1", catalog[0].Id, RecommendationEventType.Impression, "q1", at, "ease"),
            Event("S1", catalog[1].Id, RecommendationEventType.Impression, "q1", at, "ease"),
            Event("S1", catalog[0].Id, RecommendationEventType.Click, "q1", at, "ease"),
            Event("S1", catalog[0].Id, RecommendationEventType.View, "q1", at, "ease"),
            Event("S1", catalog[2].Id, RecommendationEventType.Impression, "q2", at, "als"));
        // A repeat of a stored event counts nothing again.
        await StoreAsync(host, Event("S1", catalog[0].Id, RecommendationEventType.Click, "q1", at, "ease"), Event("S1", catalog[1].Id, RecommendationEventType.Complete, "q1", at, "ease"));

        var arms = await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationSettings>().ArmsAsync(CancellationToken.None));

        Assert.Equal([("als", 1L, 0L), ("ease", 2L, 2L)], arms.Select(a => (a.Strategy, a.Impressions, a.Rewards)));
    }

    [Fact]
    public async Task Without_a_trained_version_the_served_chain_follows_the_catalog()
    {
        await using var host = await CoreTestHost.StartAsync();
        await host.SeedCatalogAsync();
        var active = host.Services.GetRequiredService<ActiveRecommender>();
        var before = await active.GetAsync(CancellationToken.None);
        Assert.False(await active.RefreshAsync(CancellationToken.None));

        var added = await host.WithScopeAsync(sp => sp.GetRequiredService<ResourceCatalog>().CreateAsync(
            new ResourceInput { Title = "Eigenvalues by picture", Subject = "Linear Algebra", Difficulty = "beginner", Type = "video", Url = "https://example.edu/eigen", Minutes = "12" }, "test", CancellationToken.None));

        Assert.True(await active.RefreshAsync(CancellationToken.None));
        var after = await active.GetAsync(CancellationToken.None);
        Assert.Equal(before.ResourceIds.Count + 1, after.ResourceIds.Count);
        Assert.True(after.TryGetIndex(added.Resource!.Id, out _));
    }

    [Fact]
    public async Task An_empty_catalog_gives_an_empty_list_not_an_error()
    {
        await using var host = await CoreTestHost.StartAsync();

        var list = await RecommendAsync(host, new RecommendationQuery("S1", 5, Overview: Overview("S1", Weak("Calculus", true))));

        Assert.True(list.IsEmpty);
        Assert.Equal("fallback", list.Strategy);
        Assert.Empty(await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationService>().SimilarAsync(1, 3, CancellationToken.None)) ?? []);
    }

    [Theory]
    [InlineData("ranker")]
    [InlineData("ranker-fasttree")]
    public async Task A_serving_ranker_scores_with_the_students_forecasts_event_times_and_impressions(string strategy)
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var now = host.Clock.Now.UtcDateTime;
        var events = RecommenderTrainingTests.CommunityEvents(catalog, now.AddHours(-1));
        // Every student was shown, twice, three resources of their own community that they then left alone: the
        // ranker can learn that what was shown and not taken is not wanted.
        var impressions = new List<RecommendationEvent>();
        var ignored = new Dictionary<string, List<long>>();
        foreach (var student in events.GroupBy(e => e.StudentId))
        {
            var community = int.Parse(student.Key[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0
                ? catalog.Take(catalog.Count / 2) : catalog.Skip(catalog.Count / 2);
            var used = student.Select(e => e.ResourceId).ToHashSet();
            var first = student.Min(e => e.AtUtc);
            ignored[student.Key] = [.. community.Select(r => r.Id).Where(id => !used.Contains(id)).Take(3)];
            foreach (var id in ignored[student.Key])
            {
                impressions.Add(Event(student.Key, id, RecommendationEventType.Impression, $"{student.Key}-{id}-a", first.AddMinutes(-20)));
                impressions.Add(Event(student.Key, id, RecommendationEventType.Impression, $"{student.Key}-{id}-b", first.AddMinutes(-10)));
            }
        }

        await host.WithScopeAsync(sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            db.AddRange(events);
            db.AddRange(impressions);
            return db.SaveChangesAsync();
        });
        var trained = (await host.WithScopeAsync(sp => sp.GetRequiredService<RecommenderTraining>().TrainAsync("job", false, CancellationToken.None))).Model!;

        // Serve the learned ranker (the engine's or ML.NET's) whatever the selection chose, fitted on the same data as
        // the training job would; the serving node reads ML.NET's model inside the chain.
        var rankerOptions = new RankerOptions { Candidates = 30, Boosting = new StudyRecs.Learning.Boosting.GradientBoostingOptions { NumberOfTrees = 30, NumberOfLeaves = 6, MinimumExampleCountPerLeaf = 5, NdcgTruncationLevel = 10 } };
        var data = await host.WithScopeAsync(sp => sp.GetRequiredService<RecommenderTraining>().LoadAsync(long.MaxValue, CancellationToken.None));
        var suite = new RecommenderSuite(InteractionMatrix.Build(data.Log), data.Texts, new RecommenderSuiteOptions
        {
            Als = new AlsOptions { Factors = 4, Iterations = 3 },
            Ranker = rankerOptions,
            FastTreeRanker = StudyRecs.Learning.MLNet.MLNetLearner.RankerLike(rankerOptions.Boosting, 0),
        })
        {
            TrainingEvents = data.Log,
            Contexts = u => data.Contexts[u],
        };
        var ranker = (RankerRecommender)suite.Fit(strategy).Model;
        var chain = new FallbackRecommender(ranker, (ContentRecommender)suite.Fit("content").Model, (PopularityRecommender)suite.Fit("popularity").Model, data.Subjects);
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            var stored = await db.Set<TrainedModel>().SingleAsync(m => m.Version == trained.Version);
            stored.Algorithm = strategy;
            var bytes = RecommenderSerializer.Serialize(chain);
            stored.ArtifactSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            stored.ArtifactLength = bytes.Length;
            await db.Set<ModelArtifact>().Where(a => a.ModelId == stored.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Bytes, bytes));
            return await db.SaveChangesAsync();
        });
        Assert.True(await host.Services.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None));

        var weak = Weak(catalog[^1].Subject, atRisk: true);
        var list = await RecommendAsync(host, new RecommendationQuery("S000", 8, Strategy: strategy, Overview: Overview("S000", weak)));

        // What the ranker must have seen: the history with each resource's latest event time, the weak subject and
        // level of the forecasts, the two impressions and the current time.
        Assert.Equal(strategy, list.Strategy);
        var indexOf = catalog.Select((r, i) => (r.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var mine = events.Where(e => e.StudentId == "S000").ToList();
        var dismissed = mine.Where(e => e.Type == RecommendationEventType.Dismiss).Select(e => e.ResourceId).ToHashSet();
        var history = mine.Where(e => !dismissed.Contains(e.ResourceId)).GroupBy(e => e.ResourceId)
            .Select(g => (Item: indexOf[g.Key], Weight: g.Sum(e => InteractionKinds.DefaultWeight(RecommenderTraining.Kind(e.Type))),
                Time: RecommenderTraining.UnixSeconds(g.Max(e => e.AtUtc))))
            .OrderBy(h => h.Item).ToList();
        var excluded = mine.Where(e => e.Type is RecommendationEventType.Complete or RecommendationEventType.Dismiss)
            .Select(e => indexOf[e.ResourceId]).ToHashSet();
        float[] Expected(StudentContext context)
        {
            var scores = new float[ranker.ItemCount];
            ranker.Score([.. history.Select(h => h.Item)], [.. history.Select(h => h.Weight)], [.. history.Select(h => h.Time)], context, scores);
            foreach (var i in excluded)
            {
                scores[i] = float.NegativeInfinity;
            }

            return scores;
        }

        var context = new StudentContext
        {
            Now = host.Clock.Now.ToUnixTimeSeconds(),
            WeakSubjects = [weak.Forecast.Subject],
            Level = RecommendationContexts.Level([weak], 0),
            Shown = [.. impressions.Where(e => e.StudentId == "S000").GroupBy(e => e.ResourceId)
                .Select(g => new ShownItem(indexOf[g.Key], RecommenderTraining.UnixSeconds(g.Max(e => e.AtUtc)), g.Count()))],
        };
        var expected = Expected(context);
        Assert.Equal(expected.OrderDescending().Take(8), list.Items.Select(i => (float)i.Score));
        Assert.All(list.Items, i => Assert.Equal(expected[indexOf[i.ResourceId]], (float)i.Score));

        // The context matters to this ranker: without the impressions the same history ranks differently.
        Assert.NotEqual(expected, Expected(context with { Shown = [] }));
    }

    [Fact]
    public async Task Resources_used_by_several_students_this_week_are_trending_and_older_favourites_are_popular()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var now = host.Clock.Now.UtcDateTime;
        var fresh = catalog[0];
        var older = catalog[1];
        var events = new List<RecommendationEvent>();
        for (var s = 0; s < 4; s++)
        {
            events.Add(Event($"F{s}", fresh.Id, s == 3 ? RecommendationEventType.Impression : RecommendationEventType.Complete, $"f{s}", now.AddDays(-2)));
            events.Add(Event($"O{s}", older.Id, RecommendationEventType.Complete, $"o{s}", now.AddDays(-10)));
            events.Add(Event($"O{s}", older.Id, RecommendationEventType.Complete, $"o{s}-again", now.AddDays(-9)));
        }

        await StoreAsync(host, [.. events]);

        var list = await RecommendAsync(host, new RecommendationQuery("NEW", 5, Overview: Overview("NEW")));

        var reasons = list.Items.ToDictionary(i => i.ResourceId, i => i.Reason);
        // Three students completed it two days ago (the fourth only saw it): trending; the other is older news.
        Assert.Equal($"trending in {fresh.Subject} this week: 3 students used it", reasons[fresh.Id]);
        Assert.Equal($"popular in {older.Subject}", reasons[older.Id]);
    }
}
