using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Features.Recommendations;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Recommendations;

/// <summary>The live analytics page on a portal where no recommendation was ever shown: an empty state, and the period in the address.</summary>
public sealed partial class RecommendationAnalyticsPageTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    [GeneratedRegex(@"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})")]
    private static partial Regex Period();

    [Fact]
    public async Task Without_events_the_page_says_so_instead_of_empty_charts()
    {
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Teacher, "analytics-teacher@test.local");
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("recommendations/analytics");
        var page = ctx.Render<RecommendationAnalytics>();

        await page.WaitForAssertionAsync(() => Assert.Contains("No recommendation was shown in this period", page.Find(".empty-state").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Empty(page.FindAll("figure svg"));
        Assert.Empty(page.FindAll(".stat-value"));
    }

    [Fact]
    public async Task The_period_is_chosen_live_and_a_bad_period_in_the_address_shows_thirty_days()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var response = await teacher.GetAsync("/recommendations/analytics?days=%3Cscript%3E");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = Html.Parse(await response.Content.ReadAsStringAsync()).Body!.TextContent;
        var match = Period().Match(text);
        Assert.True(match.Success, text);
        var days = (DateTime.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) - DateTime.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).Days;
        Assert.InRange(days, 29, 30);

        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Teacher, "analytics-teacher@test.local");
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("recommendations/analytics");
        var page = ctx.Render<RecommendationAnalytics>();
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".empty-state")), TimeSpan.FromSeconds(30));

        await LiveEvents.ClickAsync(() => page.FindAll(".period-choice button, .period-choice .mud-toggle-item").First(b => b.TextContent.Contains("Last 90 days", StringComparison.Ordinal)));

        await page.WaitForAssertionAsync(() => Assert.EndsWith("/recommendations/analytics?days=90", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await page.WaitForAssertionAsync(() =>
        {
            var shown = Period().Match(page.Markup);
            Assert.True(shown.Success);
            Assert.InRange((DateTime.Parse(shown.Groups[2].Value, CultureInfo.InvariantCulture) - DateTime.Parse(shown.Groups[1].Value, CultureInfo.InvariantCulture)).Days, 89, 90);
        }, TimeSpan.FromSeconds(30));
    }
}
