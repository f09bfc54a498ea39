using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;
using StudyRecs.Web.Features.Predictions;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Predictions;

/// <summary>The live prediction audit: filters in the address, pages read from the database, a clear empty state.</summary>
public class PredictionAuditPageTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private PortalFactory Factory => portal.Factory;

    /// <summary>Stores <paramref name="count"/> logs of <paramref name="subject"/>, every third at risk, one second apart.</summary>
    private async Task SeedAsync(string subject, int count, string user = "teacher@uni.test")
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var start = new DateTime(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc);
        db.AddRange(Enumerable.Range(0, count).Select(i => new PredictionLog
        {
            AtUtc = start.AddSeconds(i),
            RequestId = Guid.NewGuid().ToString("N"),
            UserName = user,
            Subject = subject,
            Source = "api",
            InputJson = "{}",
            OutputJson = "{}",
            RegressionVersion = "20261101000000",
            ClassificationVersion = "20261101000000",
            PredictedMarks = 60 + i,
            PredictedGrade = "B",
            AtRisk = i % 3 == 0,
            LatencyMs = 1.5,
        }));
        await db.SaveChangesAsync();
    }

    private (BunitContext Context, NavigationManager Navigation) Open(string address)
    {
        var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "audit-admin@test.local");
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(address);
        return (ctx, navigation);
    }

    private static int Rows(IRenderedComponent<PredictionAudit> page) => page.FindAll(".audit-grid tbody time").Count;

    [Fact]
    public async Task Filters_in_the_address_select_the_rows_and_the_pager_reads_the_next_page_from_the_database()
    {
        await SeedAsync("AuditPaging", 30);
        await SeedAsync("AuditOther", 4);
        var (ctx, navigation) = Open("admin/predictions?subject=AuditPaging");
        await using var _ctx = ctx;
        var page = ctx.Render<PredictionAudit>();

        await page.WaitForAssertionAsync(() => Assert.Equal(25, Rows(page)), Patience);
        Assert.Equal("30 predictions.", page.Find(".audit-count").TextContent.Trim());
        Assert.DoesNotContain("AuditOther", page.Find(".audit-grid").TextContent, StringComparison.Ordinal);
        // Newest first.
        Assert.Equal("2026-11-20 08:00:29", page.FindAll(".audit-grid tbody time")[0].TextContent);

        await LiveEvents.ClickAsync(() => page.Find("button[aria-label='Next page']"));
        await page.WaitForAssertionAsync(() => Assert.Equal(5, Rows(page)), Patience);
        Assert.Equal("2026-11-20 08:00:04", page.FindAll(".audit-grid tbody time")[0].TextContent);

        // 30 logs, every third at risk: 10.
        navigation.NavigateTo("admin/predictions?subject=AuditPaging&risk=yes");
        await page.WaitForAssertionAsync(() => Assert.Equal(("10 predictions.", 10), (page.Find(".audit-count").TextContent.Trim(), Rows(page))), Patience);
    }

    [Fact]
    public async Task The_filter_form_writes_its_filters_into_the_address_and_clearing_them_shows_everything()
    {
        await SeedAsync("AuditForm", 3, user: "someone-special@uni.test");
        var (ctx, navigation) = Open("admin/predictions");
        await using var _ctx = ctx;
        var page = ctx.Render<PredictionAudit>();
        await page.WaitForAssertionAsync(() => Assert.True(Rows(page) > 0), Patience);

        // Awaited: the text field takes its value asynchronously, and the filter must not be read before it has.
        await LiveEvents.ChangeAsync(() => page.FindAll(".audit-filters input")[0], "someone-special");
        // The page's parameters are set again (as when the sign-in state is refreshed): what was typed stays.
        page.Render();
        Assert.Equal("someone-special", page.FindAll(".audit-filters input")[0].GetAttribute("value"));
        await page.Find("form.audit-filters").SubmitAsync();

        Assert.EndsWith("admin/predictions?user=someone-special", navigation.Uri, StringComparison.Ordinal);
        await page.WaitForAssertionAsync(() => Assert.Equal("3 predictions.", page.Find(".audit-count").TextContent.Trim()), Patience);
        Assert.Equal("someone-special", page.FindAll(".audit-filters input")[0].GetAttribute("value"));

        // MudButton runs its handler asynchronously, and a busy renderer queues the click: wait for the address.
        await LiveEvents.ClickAsync(() => page.Find("button.clear-filters"));
        await page.WaitForAssertionAsync(() => Assert.EndsWith("admin/predictions", navigation.Uri, StringComparison.Ordinal), Patience);
        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll("button.clear-filters")), Patience);
    }

    [Fact]
    public async Task Nothing_matching_says_so_and_a_bad_date_is_named_and_ignored()
    {
        await SeedAsync("AuditEmpty", 2);
        var (ctx, _) = Open("admin/predictions?subject=NoSuchSubject&from=yesterday");
        await using var _ctx = ctx;
        var page = ctx.Render<PredictionAudit>();

        await page.WaitForAssertionAsync(() => Assert.Contains("No prediction matches these filters", page.Find(".empty-state").TextContent, StringComparison.Ordinal), Patience);
        Assert.Equal(0, Rows(page));
        Assert.Contains("From date “yesterday” is not a date like 2026-11-22; it was ignored.", page.Find("[role=status].notice").TextContent, StringComparison.Ordinal);
    }
}
