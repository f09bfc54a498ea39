using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;
using StudyRecs.Web.Features.Recommendations;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Recommendations;

/// <summary>The A/B test page on a portal with a trained recommender (its own database: a running test changes what every student gets).</summary>
public sealed class ExperimentsPageTests(RecommendationPortalFixture portal) : IClassFixture<RecommendationPortalFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private PortalFactory Factory => portal.Factory;

    private async Task TrainAsync()
    {
        await portal.SeedCommunityEventsAsync("AB");
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<RecommenderTraining>().TrainAsync("test", true, CancellationToken.None);
            Assert.NotNull(outcome.Model);
        }

        await Factory.Services.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None);
    }

    private async Task<List<RecommendationExperiment>> StoredTestsAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<RecommendationExperiment>().AsNoTracking().ToListAsync();
    }

    [Fact]
    public async Task An_admin_starts_and_stops_a_test_its_students_get_their_groups_strategy_and_teachers_only_read_it()
    {
        await TrainAsync();
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "ab-admin@test.local");
        var dialogs = ctx.Render<MudDialogProvider>();
        ctx.Render<MudPopoverProvider>();
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("recommendations/experiments");
        var page = ctx.Render<ExperimentsPage>();
        await page.WaitForAssertionAsync(() => Assert.Contains("No A/B test yet", page.Find(".empty-state").TextContent, StringComparison.Ordinal), Patience);

        // Hostile input first: no name, the same strategy twice and a date that is not one. Nothing is stored.
        var strategyA = page.FindComponents<MudSelect<string>>().Single(c => c.Instance.Label == "Group A gets");
        await strategyA.InvokeAsync(() => strategyA.Instance.ValueChanged.InvokeAsync(RecommendationStrategyNames.Fallback));
        await LiveEvents.ChangeAsync(() => page.Find("#experiment-end"), "31/12/2026");
        await LiveEvents.ClickAsync(() => page.Find("button.experiment-create"));
        await page.WaitForAssertionAsync(() => Assert.Contains("“31/12/2026” is not a date", page.Find(".notice-error").TextContent, StringComparison.Ordinal), Patience);
        await LiveEvents.ChangeAsync(() => page.Find("#experiment-end"), DateTime.UtcNow.AddDays(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await LiveEvents.ClickAsync(() => page.Find("button.experiment-create"));
        await page.WaitForAssertionAsync(() =>
        {
            var notice = page.Find(".notice-error").TextContent;
            Assert.Contains("Give the test a name", notice, StringComparison.Ordinal);
            Assert.Contains("Groups A and B have the same strategy", notice, StringComparison.Ordinal);
        }, Patience);
        Assert.Empty(await StoredTestsAsync());

        await LiveEvents.InputAsync(() => page.Find("#experiment-name"), "Popularity against the fallback");
        await strategyA.InvokeAsync(() => strategyA.Instance.ValueChanged.InvokeAsync("popularity"));
        await LiveEvents.ClickAsync(() => page.Find("button.experiment-create"));

        var test = Assert.Single(await StoredTestsAsync());
        Assert.Equal(("popularity", "fallback", "ab-admin@test.local"), (test.StrategyA, test.StrategyB, test.CreatedBy));
        await page.WaitForAssertionAsync(() => Assert.EndsWith($"/recommendations/experiments?id={test.Id}", navigation.Uri, StringComparison.Ordinal), Patience);
        await page.WaitForAssertionAsync(() =>
        {
            Assert.Contains("Results: Popularity against the fallback", page.Find(".experiment-report").TextContent, StringComparison.Ordinal);
            Assert.Contains("Too early to compare", page.Find(".experiment-findings").TextContent, StringComparison.Ordinal);
            Assert.Equal("Running", page.Find(".experiment-status").TextContent.Trim());
        }, Patience);
        Assert.Contains(ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == "“Popularity against the fallback” is running: established students now get the strategy of their group.");

        // A community student opens the dashboard: the list comes from their group's strategy and is logged as served in the test.
        var studentId = "AB000";
        var student = await Factory.SignInAsync(Roles.Student, studentId);
        var dashboard = await Html.GetAsync(student, "/student");
        var requestId = dashboard.QuerySelector("ol.recommendations")!.GetAttribute("data-request-id")!;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var exposure = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<RecommendationExposure>().AsNoTracking().SingleAsync(x => x.RequestId == requestId);
            Assert.Equal((test.Id, studentId, ExperimentSplit.ArmOf(test.Salt, studentId)), (exposure.ExperimentId, exposure.StudentId, exposure.Arm));
        }

        var impressions = await portal.StoredAsync(q => q.Where(e => e.RequestId == requestId && e.Type == RecommendationEventType.Impression), 1);
        Assert.All(impressions, e => Assert.Equal(test.StrategyOf(ExperimentSplit.ArmOf(test.Salt, studentId)), e.Strategy));

        // Teachers read the tests and the results, without the form or the stop button; students are sent away.
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var read = await Html.GetAsync(teacher, $"/recommendations/experiments?id={test.Id}");
        Assert.Contains("Popularity against the fallback", read.Body!.TextContent);
        Assert.Null(read.QuerySelector(".experiment-form"));
        Assert.Null(read.QuerySelector("button.experiment-stop"));
        Assert.Equal(HttpStatusCode.Redirect, (await student.GetAsync("/recommendations/experiments")).StatusCode);
        var analytics = await Html.GetAsync(teacher, "/recommendations/analytics");
        Assert.Contains("A/B test: Popularity against the fallback", analytics.Body!.TextContent);

        // Scripts read the same results from the API (snake_case, rates as fractions).
        using (var api = System.Text.Json.JsonDocument.Parse(await (await teacher.GetAsync($"/api/v1/recommendations/experiments/{test.Id}")).Content.ReadAsStringAsync()))
        {
            var root = api.RootElement;
            Assert.Equal(("Popularity against the fallback", "running"), (root.GetProperty("experiment").GetProperty("name").GetString(), root.GetProperty("experiment").GetProperty("status").GetString()));
            Assert.Equal(["A", "B"], root.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("group").GetString()));
            Assert.False(root.GetProperty("enough_data").GetBoolean());
            Assert.StartsWith("Too early to compare", root.GetProperty("findings")[0].GetString(), StringComparison.Ordinal);
        }

        Assert.Contains($"\"id\":{test.Id}", await teacher.GetStringAsync("/api/v1/recommendations/experiments"), StringComparison.Ordinal);
        var missing = await teacher.GetAsync("/api/v1/recommendations/experiments/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("There is no A/B test 999999", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A test id that is not one is a message, not an error page.
        var bad = await teacher.GetAsync("/recommendations/experiments?id=%3Cscript%3E");
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("There is no A/B test “<script>”; choose one from the list.", Html.Parse(await bad.Content.ReadAsStringAsync()).QuerySelector(".notice-error")!.TextContent);

        // Stopping asks first, then students go back to the online choice.
        await LiveEvents.ClickAsync(() => page.Find("button.experiment-stop"));
        dialogs.WaitForAssertion(() => Assert.Contains(dialogs.FindAll(".mud-dialog-actions button"), b => b.TextContent.Trim() == "Stop"), Patience);
        await LiveEvents.ClickAsync(() => dialogs.FindAll(".mud-dialog-actions button").Last(b => b.TextContent.Trim() == "Stop"));
        await page.WaitForAssertionAsync(() => Assert.Equal("Stopped early", page.Find(".experiment-status").TextContent.Trim()), Patience);
        Assert.NotNull(Assert.Single(await StoredTestsAsync()).StoppedAtUtc);
        Assert.Empty(page.FindAll("button.experiment-stop"));
    }
}
