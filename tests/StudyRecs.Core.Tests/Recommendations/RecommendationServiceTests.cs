using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.StudyPlans;

namespace StudyRecs.Core.Tests.Recommendations;

public class RecommendationServiceTests
{
    private static WeakSubject Weak(string subject, bool atRisk) => new(
        new Forecast(subject, 2, 48, new MarksInterval(40, 56, 0.9), "D", [], atRisk ? 0.6 : 0.2, atRisk, 50, [], true, "r1", "c1"), 12, atRisk ? "at risk" : "below target");

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

    private static async Task StoreAsync(RecommendationTestHost host, params RecommendationEvent[] events) =>
        await host.WithScopeAsync(sp => RecommendationEventStore.StoreNewAsync(sp.GetRequiredService<StudyRecsDbContext>(), events, CancellationToken.None));

    private static Task<RecommendationList> RecommendAsync(RecommendationTestHost host, RecommendationQuery query) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationService>().RecommendAsync(query, CancellationToken.None));

    [Fact]
    public async Task Before_any_training_a_new_student_gets_resources_of_their_weak_subjects_with_the_reason()
    {
        await using var host = await RecommendationTestHost.StartAsync();
        await host.SeedCatalogAsync();

        var list = await RecommendAsync(host, new RecommendationQuery("NEW1", 5, WeakSubjects: [Weak("Calculus", atRisk: true), Weak("Physics", atRisk: false)]));

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
        await using var host = await RecommendationTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var calculus = catalog.Where(r => r.Subject == "Calculus").ToList();
        Assert.True(calculus.Count >= 4);
        var at = host.Clock.Now.UtcDateTime;
        await StoreAsync(host, Event("S9", calculus[0].Id, RecommendationEventType.Complete, "a", at), Event("S9", calculus[1].Id, RecommendationEventType.Dismiss, "a", at));
        await host.WithScopeAsync(sp => sp.GetRequiredService<ResourceCatalog>().RetireAsync(calculus[2].Id, "test", CancellationToken.None));

        var list = await RecommendAsync(host, new RecommendationQuery("S9", 74, Subject: "calculus", WeakSubjects: [Weak("Calculus", true)]));

        var ids = list.Items.Select(i => i.ResourceId).ToList();
        Assert.DoesNotContain(calculus[0].Id, ids);
        Assert.DoesNotContain(calculus[1].Id, ids);
        Assert.DoesNotContain(calculus[2].Id, ids);
        Assert.Equal(calculus.Skip(3).Select(r => r.Id).Order(), ids.Order());
    }

    [Fact]
    public async Task An_established_student_is_served_by_the_trained_model_with_reasons_from_their_history_and_an_admin_can_pin_a_strategy()
    {
        await using var host = await RecommendationTestHost.StartAsync();
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
        var online = await RecommendAsync(host, new RecommendationQuery("S000", 10, WeakSubjects: []));
        Assert.Equal(trained.Version, online.ModelVersion);
        Assert.NotEqual("fallback", online.Strategy);
        Assert.StartsWith("chosen online (thompson)", online.StrategyReason);
        Assert.Contains(trained.Algorithm, online.StrategyReason);

        var list = await RecommendAsync(host, new RecommendationQuery("S000", 10, Strategy: trained.Algorithm, WeakSubjects: []));
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
        var pinned = await RecommendAsync(host, new RecommendationQuery("S000", 10, WeakSubjects: []));
        Assert.Equal(("popularity", "pinned by an administrator"), (pinned.Strategy, pinned.StrategyReason));

        var requested = await RecommendAsync(host, new RecommendationQuery("S000", 3, Strategy: "content", WeakSubjects: []));
        Assert.Equal(("content", "requested"), (requested.Strategy, requested.StrategyReason));
        Assert.Contains(requested.Items, i => i.Reason.StartsWith("similar to '", StringComparison.Ordinal) || i.Reason.StartsWith("students with similar activity", StringComparison.Ordinal));

        await Assert.ThrowsAsync<ArgumentException>(() => RecommendAsync(host, new RecommendationQuery("S000", 3, Strategy: "magic", WeakSubjects: [])));
    }

    [Fact]
    public async Task Impressions_are_trials_and_clicks_and_completions_are_rewards_of_their_strategy()
    {
        await using var host = await RecommendationTestHost.StartAsync();
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
        await using var host = await RecommendationTestHost.StartAsync();
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
        await using var host = await RecommendationTestHost.StartAsync();

        var list = await RecommendAsync(host, new RecommendationQuery("S1", 5, WeakSubjects: [Weak("Calculus", true)]));

        Assert.True(list.IsEmpty);
        Assert.Equal("fallback", list.Strategy);
        Assert.Empty(await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationService>().SimilarAsync(1, 3, CancellationToken.None)) ?? []);
    }
}
