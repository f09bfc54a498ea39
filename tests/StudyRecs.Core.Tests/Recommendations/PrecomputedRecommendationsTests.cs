using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Tests.Training;

namespace StudyRecs.Core.Tests.Recommendations;

public class PrecomputedRecommendationsTests
{
    private static StudentOverview Overview(string student) => new(student, 2, "B", true, true, [], [], [], ServingModels.None);

    private static Task<RecommendationList> RecommendAsync(CoreTestHost host, RecommendationQuery query) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationService>().RecommendAsync(query, CancellationToken.None));

    private static Task<PrecomputeOutcome> PrecomputeAsync(CoreTestHost host) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<PrecomputedRecommendations>().RunAsync(null, CancellationToken.None));

    private static Task<List<PrecomputedRecommendationList>> StoredAsync(CoreTestHost host) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<PrecomputedRecommendationList>().AsNoTracking().OrderBy(l => l.StudentId).ToListAsync());

    /// <summary>A trained recommender over the community events (40 students, S000 to S039, active until the clock's now).</summary>
    private static async Task<(CoreTestHost Host, string Version)> TrainedAsync()
    {
        var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            db.AddRange(RecommenderTrainingTests.CommunityEvents(catalog, host.Clock.Now.UtcDateTime));
            // A student last active long ago gets no nightly list.
            db.Add(new RecommendationEvent { StudentId = "OLD1", UserName = "t", ResourceId = catalog[0].Id, Type = RecommendationEventType.Click, RequestId = "old", AtUtc = host.Clock.Now.UtcDateTime.AddDays(-90) });
            return await db.SaveChangesAsync();
        });
        var trained = await host.WithScopeAsync(sp => sp.GetRequiredService<RecommenderTraining>().TrainAsync("job", false, CancellationToken.None));
        Assert.True(await host.Services.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None));
        return (host, trained.Model!.Version);
    }

    [Fact]
    public async Task The_nightly_job_writes_each_active_students_list_and_serving_reads_it_while_it_is_fresh()
    {
        var (host, version) = await TrainedAsync();
        await using var _ = host;

        var outcome = await PrecomputeAsync(host);

        var stored = await StoredAsync(host);
        Assert.Equal(40, outcome.Students);
        Assert.Equal(40, outcome.Lists);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"S{i:000}"), stored.Select(l => l.StudentId));
        Assert.All(stored, l => Assert.Equal((version, host.Clock.Now.UtcDateTime), (l.ModelVersion, l.ComputedAtUtc)));
        Assert.Contains("40 of 40 active students' lists written", outcome.Message, StringComparison.Ordinal);

        // Served from the table: the resources in the order the night's scoring gave (20 kept per student).
        var nightly = System.Text.Json.JsonSerializer.Deserialize<List<PrecomputedItem>>(stored[0].ItemsJson)!;
        Assert.Equal(20, nightly.Count);
        var served = await RecommendAsync(host, new RecommendationQuery("S000", 5, Overview: Overview("S000")));
        Assert.EndsWith($"; from the nightly list of {host.Clock.Now.UtcDateTime:yyyy-MM-dd HH:mm} UTC", served.StrategyReason, StringComparison.Ordinal);
        Assert.Equal(stored[0].Strategy, served.Strategy);
        Assert.Equal(nightly.Take(5).Select(i => i.ResourceId), served.Items.Select(i => i.ResourceId));
        Assert.Equal(nightly.Take(5).Select(i => i.Reason), served.Items.Select(i => i.Reason));
        Assert.Equal([1, 2, 3, 4, 5], served.Items.Select(i => i.Position));
        Assert.All(served.Items, i => Assert.False(string.IsNullOrWhiteSpace(i.Reason)));

        // What the student completed since is left out and the next resource moves up.
        var first = served.Items[0].ResourceId;
        await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationEventRecorder>().StoreNowAsync(new RecommendationEvent
        {
            StudentId = "S000",
            UserName = "t",
            ResourceId = first,
            Type = RecommendationEventType.Complete,
            RequestId = served.RequestId,
        }, CancellationToken.None).ContinueWith(_ => 0));
        var after = await RecommendAsync(host, new RecommendationQuery("S000", 5, Overview: Overview("S000")));
        Assert.Contains("nightly list", after.StrategyReason, StringComparison.Ordinal);
        Assert.DoesNotContain(first, after.Items.Select(i => i.ResourceId));
        Assert.Equal(served.Items.Skip(1).Select(i => i.ResourceId), after.Items.Take(4).Select(i => i.ResourceId));

        // A subject, a requested strategy, more items than the list holds and the nightly job itself score live.
        Assert.DoesNotContain("nightly", (await RecommendAsync(host, new RecommendationQuery("S000", 3, Subject: "Calculus", Overview: Overview("S000")))).StrategyReason, StringComparison.Ordinal);
        Assert.Equal("requested", (await RecommendAsync(host, new RecommendationQuery("S000", 3, Strategy: "content", Overview: Overview("S000")))).StrategyReason);
        Assert.DoesNotContain("nightly", (await RecommendAsync(host, new RecommendationQuery("S000", 21, Overview: Overview("S000")))).StrategyReason, StringComparison.Ordinal);
        Assert.DoesNotContain("nightly", (await RecommendAsync(host, new RecommendationQuery("S000", 5, Overview: Overview("S000"), Live: true))).StrategyReason, StringComparison.Ordinal);

        // A student without a list is scored live.
        Assert.DoesNotContain("nightly", (await RecommendAsync(host, new RecommendationQuery("OLD1", 5, Overview: Overview("OLD1")))).StrategyReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_list_too_old_of_another_version_damaged_or_during_an_AB_test_is_not_served()
    {
        var (host, version) = await TrainedAsync();
        await using var _ = host;
        await PrecomputeAsync(host);

        async Task<string> ReasonAsync() => (await RecommendAsync(host, new RecommendationQuery("S001", 5, Overview: Overview("S001")))).StrategyReason;
        Assert.Contains("nightly list", await ReasonAsync(), StringComparison.Ordinal);

        // Older than Recommendations:PrecomputedMaxAgeHours (26).
        var start = host.Clock.Now;
        host.Clock.Now = start.AddHours(27);
        Assert.DoesNotContain("nightly", await ReasonAsync(), StringComparison.Ordinal);
        host.Clock.Now = start.AddHours(25);
        Assert.Contains("nightly list", await ReasonAsync(), StringComparison.Ordinal);

        // Scored by another version than the serving one.
        await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<PrecomputedRecommendationList>().Where(l => l.StudentId == "S001")
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.ModelVersion, "20200101-000000")));
        Assert.DoesNotContain("nightly", await ReasonAsync(), StringComparison.Ordinal);

        // A damaged row is scored live, not an error.
        await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<PrecomputedRecommendationList>().Where(l => l.StudentId == "S001")
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.ModelVersion, version).SetProperty(l => l.ItemsJson, "{not json")));
        Assert.DoesNotContain("nightly", await ReasonAsync(), StringComparison.Ordinal);

        // While an A/B test runs, its groups decide (and are logged) at serving time.
        Assert.Contains("nightly list", (await RecommendAsync(host, new RecommendationQuery("S002", 5, Overview: Overview("S002")))).StrategyReason, StringComparison.Ordinal);
        var (test, errors) = await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationExperiments>().CreateAsync(
            new ExperimentDraft("t", "popularity", "content", null, DateOnly.FromDateTime(host.Clock.Now.UtcDateTime).AddDays(3)), ["popularity", "content"], "admin", CancellationToken.None));
        Assert.Empty(errors);
        Assert.StartsWith("A/B test “t”", (await RecommendAsync(host, new RecommendationQuery("S002", 5, Overview: Overview("S002")))).StrategyReason, StringComparison.Ordinal);

        // The next night replaces the lists and removes those of students no longer active.
        host.Clock.Now = start.AddDays(40);
        var outcome = await PrecomputeAsync(host);
        Assert.Equal((0, 0, 40), (outcome.Students, outcome.Lists, outcome.Removed));
        Assert.Empty(await StoredAsync(host));
        Assert.Equal("No student had recommendation activity in the window: no list was written.", outcome.Message);
        Assert.NotNull(test);
    }
}
