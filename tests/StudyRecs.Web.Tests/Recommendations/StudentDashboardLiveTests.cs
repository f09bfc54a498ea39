using System.Globalization;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Recommendations;
using StudyRecs.Web.Features.Dashboards;
using StudyRecs.Web.Features.Recommendations;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Recommendations;

/// <summary>The live student dashboard (bUnit on the real portal services): recommendations and their feedback buttons.</summary>
public sealed class StudentDashboardLiveTests(RecommendationPortalFixture portal) : IClassFixture<RecommendationPortalFixture>
{
    private static string NewStudent() => "LV-" + Guid.NewGuid().ToString("N")[..8];

    private BunitContext Student(string? studentId, Action<BunitContext>? arrange = null)
    {
        return PortalComponents.ForPortal(portal.Factory, Roles.Student, $"{studentId ?? "unlinked"}@test.local", studentId, arrange);
    }

    private static List<string> ShownIds(IRenderedComponent<StudentDashboard> page) =>
        [.. page.FindAll("ol.recommendations > li").Select(li => li.GetAttribute("data-resource-id")!)];

    [Fact]
    public async Task Recommendations_are_chosen_and_logged_once_per_page_view()
    {
        var studentId = NewStudent();
        BunitPersistentComponentState handOver = default!;
        await using var ctx = Student(studentId, c => handOver = c.AddBunitPersistentComponentState());

        // The first render (the prerendered page) chooses the lists and logs them...
        var prerendered = ctx.Render<StudentDashboard>();
        prerendered.WaitForAssertion(() => Assert.Equal(5, prerendered.FindAll("ol.recommendations > li").Count), TimeSpan.FromSeconds(20));
        var requestId = prerendered.Find("ol.recommendations").GetAttribute("data-request-id");
        var shownIds = ShownIds(prerendered);

        // ...and hands them to the live page, which shows the same list without choosing or logging again.
        handOver.TriggerOnPersisting();
        var live = ctx.Render<StudentDashboard>();
        live.WaitForAssertion(() => Assert.Equal(requestId, live.Find("ol.recommendations").GetAttribute("data-request-id")), TimeSpan.FromSeconds(20));
        Assert.Equal(shownIds, ShownIds(live));
        live.Render();
        Assert.Equal(requestId, live.Find("ol.recommendations").GetAttribute("data-request-id"));

        await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Impression), 5);
        await Task.Delay(1500); // time for a second (wrong) logging to land before counting
        var impressions = await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Impression), 5);
        Assert.Equal(requestId, Assert.Single(impressions.Select(e => e.RequestId).Distinct()));
        Assert.Equal([1, 2, 3, 4, 5], impressions.Select(e => e.Position!.Value).Order());

        // A new view of the page (nothing handed over) is a new list, logged once more.
        var next = ctx.Render<StudentDashboard>();
        next.WaitForAssertion(() => Assert.NotEqual(requestId, next.Find("ol.recommendations").GetAttribute("data-request-id")), TimeSpan.FromSeconds(20));
        var both = await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Impression), 10);
        Assert.Equal(2, both.Select(e => e.RequestId).Distinct().Count());
        Assert.Equal(10, both.Count);
    }

    [Fact]
    public async Task A_feedback_button_stores_the_event_takes_the_item_off_the_list_in_place_and_says_so()
    {
        var studentId = NewStudent();
        await using var ctx = Student(studentId);
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var page = ctx.Render<StudentDashboard>();
        page.WaitForAssertion(() => Assert.Equal(5, ShownIds(page).Count), TimeSpan.FromSeconds(20));
        var requestId = page.Find("ol.recommendations").GetAttribute("data-request-id");
        var dismissedId = ShownIds(page)[0];

        await LiveEvents.ClickAsync(() => page.FindAll("ol.recommendations > li")[0].QuerySelectorAll("button").Single(b => b.TextContent.Contains("Not for me", StringComparison.Ordinal)));

        page.WaitForAssertion(() => Assert.DoesNotContain(dismissedId, ShownIds(page)), TimeSpan.FromSeconds(20));
        Assert.Equal(4, ShownIds(page).Count);
        snackbars.WaitForAssertion(() => Assert.Contains("it will not be suggested again", snackbars.Markup, StringComparison.Ordinal));
        // Stored at once (not batched), with the list it was shown in.
        var dismissal = Assert.Single(await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Dismiss), 1));
        Assert.Equal((long.Parse(dismissedId, CultureInfo.InvariantCulture), requestId, 1), (dismissal.ResourceId, dismissal.RequestId, dismissal.Position));

        var like = ShownIds(page)[0];
        await LiveEvents.ClickAsync(() => page.FindAll("ol.recommendations > li")[0].QuerySelectorAll("button").Single(b => b.TextContent.Contains("More like this", StringComparison.Ordinal)));
        page.WaitForAssertion(() => Assert.DoesNotContain(like, ShownIds(page)), TimeSpan.FromSeconds(20));
        snackbars.WaitForAssertion(() => Assert.Contains("you will see more like", snackbars.Markup, StringComparison.Ordinal));

        // The next view of the dashboard (first load) does not offer the dismissed resource again.
        var student = await portal.Factory.SignInAsync(Roles.Student, studentId);
        var next = await Html.GetAsync(student, "/student");
        var ids = next.QuerySelectorAll("ol.recommendations > li").Select(li => li.GetAttribute("data-resource-id")).ToList();
        Assert.NotEmpty(ids);
        Assert.DoesNotContain(dismissedId, ids);
    }

    [Fact]
    public async Task A_forged_choice_for_a_made_up_resource_or_a_non_feedback_type_stores_nothing()
    {
        var studentId = NewStudent();
        await using var ctx = Student(studentId);
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var page = ctx.Render<StudentDashboard>();
        page.WaitForAssertion(() => Assert.Equal(5, ShownIds(page).Count), TimeSpan.FromSeconds(20));
        var block = page.FindComponent<RecommendationBlock>();
        var list = block.Instance.List!;

        // A resource that is not in the catalog (e.g. deleted since the page was shown): a warning, nothing stored.
        await page.InvokeAsync(() => block.Instance.OnFeedback.InvokeAsync(new RecommendationBlock.Choice(list, list.Items[0] with { ResourceId = 999_999 }, RecommendationEventType.Complete)));
        snackbars.WaitForAssertion(() => Assert.Contains("no longer in the catalog", snackbars.Markup, StringComparison.Ordinal));
        // An impression or a click is not feedback: ignored.
        await page.InvokeAsync(() => block.Instance.OnFeedback.InvokeAsync(new RecommendationBlock.Choice(list, list.Items[1], RecommendationEventType.Impression)));
        await page.InvokeAsync(() => block.Instance.OnFeedback.InvokeAsync(new RecommendationBlock.Choice(list, list.Items[1], RecommendationEventType.Click)));

        Assert.Equal(5, ShownIds(page).Count);
        await Task.Delay(1000);
        Assert.Empty(await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId && e.Type != RecommendationEventType.Impression), 1));
    }

    [Fact]
    public async Task A_student_without_forecast_rows_still_gets_recommendations_and_a_plain_summary()
    {
        await using var ctx = Student(NewStudent());

        var page = ctx.Render<StudentDashboard>();

        page.WaitForAssertion(() => Assert.Equal(5, ShownIds(page).Count), TimeSpan.FromSeconds(20));
        Assert.Contains("No marks of yours have been uploaded yet", page.Find(".summary-card").TextContent, StringComparison.Ordinal);
        Assert.Contains("No gradebook rows yet", page.Markup, StringComparison.Ordinal);
        Assert.Equal(3 * 5, page.FindAll("ol.recommendations > li button").Count);
    }

    [Fact]
    public async Task An_unlinked_account_is_told_to_ask_for_a_link_and_nothing_is_recommended()
    {
        await using var ctx = Student(null);

        var page = ctx.Render<StudentDashboard>();

        Assert.Contains("Your account is not linked to a student id yet", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("ol.recommendations"));
        Assert.Empty(page.FindAll("button"));
    }
}
