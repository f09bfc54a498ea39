using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.StudyPlans;
using StudyRecs.Core.Tests.Training;

namespace StudyRecs.Core.Tests.Recommendations;

/// <summary>An imported score set served as the strategy <c>imported:LABEL</c>, beside the trained ones.</summary>
public class ImportedScoreServingTests
{
    private const string Label = "ext-model";
    private const string Strategy = "imported:ext-model";

    private static StudentOverview Overview(string student) => new(student, 2, "B", true, true, [], [], [], ServingModels.None);

    private static RecommendationEvent Event(string student, long resource, RecommendationEventType type, string request, DateTime at) => new()
    {
        StudentId = student,
        UserName = "test",
        ResourceId = resource,
        Type = type,
        Strategy = "fallback",
        RequestId = request,
        AtUtc = at,
    };

    private static string Csv(params (string Student, long Resource, double Score)[] rows) =>
        "user_id,resource_id,score\n" + string.Concat(rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Student},{r.Resource},{r.Score}\n")));

    private static Task<ImportedScoreResult> ImportAsync(CoreTestHost host, string csv, string label = Label) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<ImportedScoreImport>().ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "scores.csv", label, "test", CancellationToken.None));

    private static Task<RecommendationList> RecommendAsync(CoreTestHost host, string student, int count, string? strategy = null) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationService>().RecommendAsync(new RecommendationQuery(student, count, strategy, Overview: Overview(student)), CancellationToken.None));

    /// <summary>The catalog, and students the portal knows from their events: S1 established (three resources used), S2 and S3 new.</summary>
    private static async Task<IReadOnlyList<LearningResource>> SeedAsync(CoreTestHost host)
    {
        var catalog = await host.SeedCatalogAsync();
        var at = host.Clock.Now.UtcDateTime.AddHours(-2);
        await host.WithScopeAsync(sp => RecommendationEventStore.StoreNewAsync(sp.GetRequiredService<StudyRecsDbContext>(),
        [
            Event("S1", catalog[10].Id, RecommendationEventType.View, "h1", at),
            Event("S1", catalog[11].Id, RecommendationEventType.View, "h2", at),
            Event("S1", catalog[12].Id, RecommendationEventType.Like, "h3", at),
            Event("S2", catalog[13].Id, RecommendationEventType.View, "h4", at),
            Event("S3", catalog[14].Id, RecommendationEventType.View, "h5", at),
        ], CancellationToken.None));
        return catalog;
    }

    private static async Task<RecommendationModel> RefreshAsync(CoreTestHost host)
    {
        var active = host.Services.GetRequiredService<ActiveRecommender>();
        await active.RefreshAsync(CancellationToken.None);
        return await active.GetAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Serves_the_imported_order_leaving_out_completed_dismissed_and_retired_resources()
    {
        await using var host = await CoreTestHost.StartAsync();
        var c = await SeedAsync(host);
        Assert.True((await ImportAsync(host, Csv(("S1", c[20].Id, 0.9), ("S1", c[3].Id, 0.8), ("S1", c[40].Id, 0.7), ("S1", c[5].Id, 0.6), ("S1", c[30].Id, -0.5), ("S1", c[6].Id, 2.5),
            ("S2", c[7].Id, 1)))).IsAccepted);
        var at = host.Clock.Now.UtcDateTime.AddHours(-1);
        await host.WithScopeAsync(sp => RecommendationEventStore.StoreNewAsync(sp.GetRequiredService<StudyRecsDbContext>(),
            [Event("S1", c[3].Id, RecommendationEventType.Complete, "u1", at), Event("S1", c[40].Id, RecommendationEventType.Dismiss, "u2", at)], CancellationToken.None));
        await host.WithScopeAsync(sp => sp.GetRequiredService<ResourceCatalog>().RetireAsync(c[5].Id, "test", CancellationToken.None));

        var model = await RefreshAsync(host);
        var list = await RecommendAsync(host, "S1", 10, Strategy);

        Assert.Contains(Strategy, model.Strategies.Keys);
        Assert.Equal((Strategy, "requested"), (list.Strategy, list.StrategyReason));
        Assert.Equal([c[6].Id, c[20].Id, c[30].Id], list.Items.Select(i => i.ResourceId));
        Assert.Equal([1, 2, 3], list.Items.Select(i => i.Position));
        Assert.Equal([2.5, 0.9, -0.5], list.Items.Select(i => Math.Round(i.Score, 3)));
    }

    [Fact]
    public async Task Students_without_usable_scores_get_the_fallback_chain_and_the_reason_says_why()
    {
        await using var host = await CoreTestHost.StartAsync();
        var c = await SeedAsync(host);
        Assert.True((await ImportAsync(host, Csv(("S1", c[20].Id, 0.9), ("S3", c[14].Id, 0.5)))).IsAccepted);
        await host.WithScopeAsync(sp => RecommendationEventStore.StoreNewAsync(sp.GetRequiredService<StudyRecsDbContext>(),
            [Event("S3", c[14].Id, RecommendationEventType.Complete, "u3", host.Clock.Now.UtcDateTime)], CancellationToken.None));
        await RefreshAsync(host);

        var unscored = await RecommendAsync(host, "S2", 5, Strategy);
        var usedUp = await RecommendAsync(host, "S3", 5, Strategy);

        Assert.Equal(("fallback", "fallback chain: imported:ext-model has no scores for this student"), (unscored.Strategy, unscored.StrategyReason));
        Assert.Equal(5, unscored.Items.Count);
        Assert.Equal(("fallback", "fallback chain: every resource imported:ext-model scored for this student is completed, dismissed or retired"), (usedUp.Strategy, usedUp.StrategyReason));
        Assert.Equal(5, usedUp.Items.Count);
        Assert.DoesNotContain(usedUp.Items, i => i.ResourceId == c[14].Id);
    }

    [Fact]
    public async Task The_set_is_pinned_chosen_online_logged_and_counted_like_any_strategy()
    {
        await using var host = await CoreTestHost.StartAsync();
        var c = await SeedAsync(host);
        Assert.True((await ImportAsync(host, Csv(("S1", c[20].Id, 0.9), ("S1", c[21].Id, 0.8)))).IsAccepted);
        await RefreshAsync(host);

        var online = await RecommendAsync(host, "S1", 5);
        Assert.StartsWith("chosen online (thompson) among ", online.StrategyReason, StringComparison.Ordinal);
        Assert.Contains(Strategy, online.StrategyReason, StringComparison.Ordinal);

        await host.WithScopeAsync(async sp =>
        {
            await sp.GetRequiredService<RecommendationSettings>().PinAsync(Strategy, "admin", CancellationToken.None);
            return 0;
        });
        var pinned = await RecommendAsync(host, "S1", 5);
        Assert.Equal((Strategy, "pinned by an administrator"), (pinned.Strategy, pinned.StrategyReason));
        Assert.Equal([c[20].Id, c[21].Id], pinned.Items.Select(i => i.ResourceId));

        // What the student is shown and clicks is logged under the strategy, so the bandit and the analytics count it.
        await host.WithScopeAsync(async sp =>
        {
            var service = sp.GetRequiredService<RecommendationService>();
            await service.RecordImpressionsAsync(pinned, "s1@test.local", CancellationToken.None);
            await sp.GetRequiredService<RecommendationEventRecorder>().ClickAsync("S1", "s1@test.local", pinned.RequestId, c[20].Id, pinned.Strategy, 1, CancellationToken.None);
            return 0;
        });
        var writer = host.Services.GetServices<IHostedService>().OfType<RecommendationEventWriter>().Single();
        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        var stored = await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<RecommendationEvent>().AsNoTracking()
            .Where(e => e.RequestId == pinned.RequestId).ToListAsync());
        Assert.Equal(3, stored.Count);
        Assert.All(stored, e => Assert.Equal(Strategy, e.Strategy));
        var arms = await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationSettings>().ArmsAsync(CancellationToken.None));
        Assert.Equal((2L, 1L), arms.Where(a => a.Strategy == Strategy).Select(a => (a.Impressions, a.Rewards)).Single());
        var stats = await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationStatistics>().GlobalAsync(7, CancellationToken.None));
        var figures = Assert.Single(stats.Strategies, s => s.Key == Strategy);
        Assert.Equal((2, 1, 0.5), (figures.Shown, figures.Clicks, figures.Ctr));
    }

    [Fact]
    public async Task A_re_import_serves_the_new_scores_at_once_and_a_deleted_set_stops_being_a_strategy()
    {
        await using var host = await CoreTestHost.StartAsync();
        var c = await SeedAsync(host);
        Assert.True((await ImportAsync(host, Csv(("S1", c[20].Id, 0.9), ("S1", c[21].Id, 0.8)))).IsAccepted);
        await RefreshAsync(host);
        Assert.Equal([c[20].Id, c[21].Id], (await RecommendAsync(host, "S1", 5, Strategy)).Items.Select(i => i.ResourceId));

        var again = await ImportAsync(host, Csv(("S1", c[22].Id, 0.1), ("S1", c[21].Id, 0.3)));

        // Served by label: the node needs no refresh to read the committed replacement.
        Assert.True(again.Replaced);
        Assert.Equal([c[21].Id, c[22].Id], (await RecommendAsync(host, "S1", 5, Strategy)).Items.Select(i => i.ResourceId));

        await host.WithScopeAsync(async sp =>
        {
            await sp.GetRequiredService<RecommendationSettings>().PinAsync(Strategy, "admin", CancellationToken.None);
            return 0;
        });
        Assert.True((await host.WithScopeAsync(sp => sp.GetRequiredService<ImportedScoreImport>().DeleteAsync(Label, CancellationToken.None))).Deleted);
        var model = await RefreshAsync(host);

        Assert.DoesNotContain(Strategy, model.Strategies.Keys);
        Assert.Empty(model.ImportedLabels);
        Assert.Null(await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationSettings>().PinnedStrategyAsync(CancellationToken.None)));
        await Assert.ThrowsAsync<ArgumentException>(() => RecommendAsync(host, "S1", 5, Strategy));
        Assert.Equal(0, await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<ImportedScore>().CountAsync()));
        Assert.Equal(new ImportedScoreDeletion(false, null), await host.WithScopeAsync(sp => sp.GetRequiredService<ImportedScoreImport>().DeleteAsync(Label, CancellationToken.None)));
    }

    [Fact]
    public async Task An_ab_test_plays_the_set_and_the_set_cannot_be_deleted_until_the_test_stops()
    {
        await using var host = await CoreTestHost.StartAsync();
        var c = await SeedAsync(host);
        Assert.True((await ImportAsync(host, Csv(("S1", c[20].Id, 0.9), ("S1", c[21].Id, 0.8)))).IsAccepted);
        var model = await RefreshAsync(host);
        var today = DateOnly.FromDateTime(host.Clock.Now.UtcDateTime);
        var (test, errors) = await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationExperiments>()
            .CreateAsync(new ExperimentDraft("Imported vs content", Strategy, "content", null, today.AddDays(6)), [.. model.Strategies.Keys], "admin", CancellationToken.None));
        Assert.Empty(errors);

        var list = await RecommendAsync(host, "S1", 5);
        var refused = await host.WithScopeAsync(sp => sp.GetRequiredService<ImportedScoreImport>().DeleteAsync(Label, CancellationToken.None));

        Assert.StartsWith("A/B test “Imported vs content”, group ", list.StrategyReason, StringComparison.Ordinal);
        Assert.Equal(test!.StrategyOf(ExperimentSplit.ArmOf(test.Salt, "S1")), list.Strategy);
        Assert.Equal((false, test.Id), (refused.Deleted, refused.PlayedBy?.Id));
        Assert.Contains(Strategy, (await RefreshAsync(host)).Strategies.Keys);

        Assert.True(await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationExperiments>().StopAsync(test.Id, "admin", CancellationToken.None)));
        Assert.True((await host.WithScopeAsync(sp => sp.GetRequiredService<ImportedScoreImport>().DeleteAsync(Label, CancellationToken.None))).Deleted);
    }

    [Fact]
    public async Task Students_are_known_from_datasets_accounts_and_recommendation_events()
    {
        await using var host = await CoreTestHost.StartAsync();
        var c = await SeedAsync(host);
        await host.ImportGeneratedAsync(students: 2);
        await host.WithScopeAsync(sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            db.Add(new ApplicationUser { UserName = "a1@test.local", Email = "a1@test.local", StudentId = "A1" });
            return db.SaveChangesAsync();
        });

        var rejected = await ImportAsync(host, Csv(("S00001", c[1].Id, 1), ("A1", c[1].Id, 1), ("S2", c[1].Id, 1), ("X1", c[1].Id, 1), ("X1", c[2].Id, 1)));
        var accepted = await ImportAsync(host, Csv(("S00001", c[1].Id, 1), ("A1", c[1].Id, 1), ("S2", c[1].Id, 1)));

        Assert.False(rejected.IsAccepted);
        Assert.Equal([5L, 6L], rejected.Problems.Select(p => p.Line));
        Assert.All(rejected.Problems, p => Assert.Equal("unknown-student", p.Rule));
        Assert.Equal(3, accepted.Set!.Students);
    }

    [Fact]
    public void Imported_strategy_names_fit_the_events_strategy_column_and_only_safe_labels_are_strategies()
    {
        Assert.Equal(RecommendationEvent.MaxStrategyLength, ImportedScoreSet.StrategyName(new string('a', ImportedScoreSet.MaxLabelLength)).Length);
        Assert.True(RecommendationEventRules.IsStrategy(Strategy));
        Assert.True(RecommendationEventRules.IsStrategy("imported:" + new string('9', ImportedScoreSet.MaxLabelLength)));
        Assert.False(RecommendationEventRules.IsStrategy("imported:" + new string('9', ImportedScoreSet.MaxLabelLength + 1)));
        Assert.False(RecommendationEventRules.IsStrategy("imported:"));
        Assert.False(RecommendationEventRules.IsStrategy("imported:Ext"));
        Assert.False(RecommendationEventRules.IsStrategy("imported:-x"));
        Assert.False(RecommendationEventRules.IsStrategy("imported:a b"));
        Assert.False(RecommendationEventRules.IsStrategy("imported:<script>"));
        Assert.Equal("imported scores 'ext-model'", RecommendationStrategyNames.Describe(Strategy));
    }
}
