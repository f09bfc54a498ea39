using System.Net;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Recommendations;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Recommendations;

public sealed class RecommendationPagesTests(RecommendationPortalFixture portal) : IClassFixture<RecommendationPortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private static string NewStudent() => "PG-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task The_student_dashboard_shows_recommended_for_you_on_first_load_and_logs_the_impressions_once()
    {
        var studentId = NewStudent();
        var student = await Factory.SignInAsync(Roles.Student, studentId);

        var page = await Html.GetAsync(student, "/student");

        var block = page.QuerySelector("ol.recommendations")!;
        var requestId = block.GetAttribute("data-request-id")!;
        var links = block.QuerySelectorAll("a.recommendation-title").Select(a => a.GetAttribute("href")!).ToList();
        Assert.Equal(5, links.Count);
        Assert.All(links, l => Assert.StartsWith($"/recommendations/go/{requestId}/", l));
        Assert.All(block.QuerySelectorAll(".recommendation-reason"), r => Assert.StartsWith("Why: ", r.TextContent));
        var impressions = await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Impression), 5);
        Assert.Equal([1, 2, 3, 4, 5], impressions.Where(e => e.RequestId == requestId).Select(e => e.Position!.Value).Order());

        Assert.Equal(5, impressions.Count);
        // Every item has its feedback buttons (they work over the live connection: StudentDashboardLiveTests).
        Assert.Equal(["I completed it", "More like this", "Not for me"], block.QuerySelectorAll("li")[0].QuerySelectorAll(".recommendation-feedback button").Select(b => b.TextContent.Trim()));
        Assert.Empty(page.QuerySelectorAll("form[action*='recommendations/feedback']"));
    }

    [Fact]
    public async Task Staff_see_the_analytics_with_ctr_by_strategy_and_day_and_students_do_not()
    {
        var studentId = NewStudent();
        var student = await Factory.SignInAsync(Roles.Student, studentId);
        var page = await Html.GetAsync(student, "/student");
        var click = page.QuerySelector("a.recommendation-title")!.GetAttribute("href")!;
        Assert.Equal(HttpStatusCode.Redirect, (await student.GetAsync(click)).StatusCode);
        await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Click), 1);
        Assert.Equal(HttpStatusCode.Redirect, (await student.GetAsync("/recommendations/analytics")).StatusCode);

        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var analytics = await Html.GetAsync(teacher, "/recommendations/analytics?days=7");

        var rows = analytics.QuerySelectorAll("table.data-table tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.StartsWith("fallback", StringComparison.Ordinal));
        Assert.Equal(2, analytics.QuerySelectorAll("figure.svg-chart svg").Length);
        Assert.Contains("Catalog coverage", analytics.Body!.TextContent);
        Assert.Contains("recommendations/analytics", (await Html.GetAsync(teacher, "/teacher")).QuerySelector("nav[aria-label=Main]")!.InnerHtml);
    }

    [Fact]
    public async Task An_admin_previews_any_students_list_with_reasons_without_counting_it_and_pins_a_strategy()
    {
        var studentId = NewStudent();
        var admin = await Factory.SignInAsync(Roles.Admin);

        var preview = await Html.GetAsync(admin, $"/admin/recommendations?student={studentId}");

        Assert.Equal(10, preview.QuerySelectorAll("ol.recommendations li").Length);
        Assert.Contains("fallback chain", preview.Body!.TextContent);
        Assert.Empty(preview.QuerySelectorAll(".recommendation-feedback"));
        Assert.All(preview.QuerySelectorAll(".recommendation-reason"), r => Assert.True(r.TextContent.Length > "Why: ".Length));
        await Task.Delay(500);
        Assert.Empty(await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId), 0));
        Assert.Contains("The active model cannot serve", (await Html.GetAsync(admin, $"/admin/recommendations?student={studentId}&strategy=magic")).Body!.TextContent);

        var form = preview.QuerySelectorAll("form").Single(f => f.GetAttribute("action") == "admin/recommendations/pin");
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var pin = await admin.PostAsync("/admin/recommendations/pin", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["strategy"] = "popularity" }));
        Assert.Equal("/admin/recommendations", Redirects.LocalTarget(pin));
        Assert.Contains("pinned to popularity", (await Html.GetAsync(admin, "/admin/recommendations")).Body!.TextContent);
        var unpin = await admin.PostAsync("/admin/recommendations/pin", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["strategy"] = "" }));
        Assert.Equal("/admin/recommendations", Redirects.LocalTarget(unpin));
        Assert.DoesNotContain("pinned to", (await Html.GetAsync(admin, "/admin/recommendations")).Body!.TextContent);

        var teacher = await Factory.SignInAsync(Roles.Teacher);
        Assert.Equal(HttpStatusCode.Redirect, (await teacher.GetAsync("/admin/recommendations")).StatusCode);
    }

    [Fact]
    public async Task The_reindex_button_reloads_the_catalog_and_queues_a_retraining()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        var page = await Html.GetAsync(admin, "/admin/recommendations");
        var form = page.QuerySelectorAll("form").Single(f => f.GetAttribute("action") == "admin/recommendations/reindex");
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        var pressed = await admin.PostAsync("/admin/recommendations/reindex", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal("/admin/recommendations", Redirects.LocalTarget(pressed));
        Assert.Contains($"Catalog reloaded ({portal.Resources.Count} resources served)", (await Html.GetAsync(admin, "/admin/recommendations")).Body!.TextContent);
    }
}
