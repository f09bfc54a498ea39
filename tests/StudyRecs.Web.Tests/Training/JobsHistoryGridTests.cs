using Bunit;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Training;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>
/// The jobs page's training-run history: a grid paged and sorted in the database, its page and order kept in the
/// address (restored from a link, back and forward; nonsense ignored), sortable on a phone, and live.
/// </summary>
public class JobsHistoryGridTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private const string By = "Triggered by";
    private static readonly SemaphoreSlim Seeding = new(1, 1);

    private PortalFactory Factory => portal.Factory;

    /// <summary>30 finished runs by grid-01 (oldest) to grid-30 (newest): two pages of 25.</summary>
    private async Task SeedAsync()
    {
        await Seeding.WaitAsync();
        try
        {
            await Factory.QueryAsync(async db =>
            {
                if (await db.Set<TrainingRun>().AnyAsync(r => r.TriggeredBy.StartsWith("grid-")))
                {
                    return 0;
                }

                var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
                for (var i = 1; i <= 30; i++)
                {
                    db.Add(new TrainingRun
                    {
                        TriggeredBy = $"grid-{i:00}",
                        StartedAt = start.AddHours(i),
                        FinishedAt = start.AddHours(i).AddMinutes(3),
                        Status = i % 2 == 0 ? TrainingRunStatus.Succeeded : TrainingRunStatus.Failed,
                        ResultSummary = "done",
                        Kind = i % 10 == 0 ? TrainingRunKind.Recommendations : TrainingRunKind.Grades,
                    });
                }

                return await db.SaveChangesAsync();
            });
        }
        finally
        {
            Seeding.Release();
        }
    }

    private static IReadOnlyList<string> Names(int from, int to) =>
        [.. (from <= to ? Enumerable.Range(from, to - from + 1) : Enumerable.Range(to, from - to + 1).Reverse()).Select(i => $"grid-{i:00}")];

    private BunitContext Admin() => PortalComponents.ForPortal(Factory, Roles.Admin, "jobs-grid@test.local");

    [Fact]
    public async Task Header_clicks_and_the_pager_read_other_rows_from_the_database_and_write_page_and_sort_into_the_address()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "admin/jobs");
        var page = ctx.Render<Jobs>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(30, 6), GridDriver.Column(page, By)));
        // Both kinds of training are listed, each named.
        Assert.Equal(Names(30, 6).Select(n => n is "grid-30" or "grid-20" or "grid-10" ? "Recommender" : "Grade models"), GridDriver.Column(page, "Trains"));

        await GridDriver.ClickHeaderAsync(page, By);
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(1, 25), GridDriver.Column(page, By)));
        Assert.Equal("TriggeredBy", GridDriver.Address(ctx, "sort"));
        Assert.Null(GridDriver.Address(ctx, "desc"));

        await GridDriver.NextPageAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(26, 30), GridDriver.Column(page, By)));
        Assert.Equal("2", GridDriver.Address(ctx, "page"));

        await GridDriver.ClickHeaderAsync(page, By);
        await page.WaitForAssertionAsync(() => Assert.Equal("true", GridDriver.Address(ctx, "desc")));
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(5, 1), GridDriver.Column(page, By)));
    }

    [Fact]
    public async Task A_link_with_page_and_sort_shows_those_rows_and_back_and_forward_follow_the_address()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "admin/jobs?page=2&sort=triggeredby&desc=true");
        var page = ctx.Render<Jobs>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(5, 1), GridDriver.Column(page, By)));

        GridDriver.Go(ctx, "admin/jobs?sort=TriggeredBy");
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(1, 25), GridDriver.Column(page, By)));

        GridDriver.Go(ctx, "admin/jobs?page=2");
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(5, 1), GridDriver.Column(page, By)));

        GridDriver.Go(ctx, "admin/jobs");
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(30, 6), GridDriver.Column(page, By)));
    }

    [Theory]
    [InlineData("page=-5")]
    [InlineData("page=abc&sort=nope&desc=maybe")]
    [InlineData("page=99999999999")]
    [InlineData("page=40&sort=Error")]
    public async Task Nonsense_in_the_address_is_ignored(string query)
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "admin/jobs?" + query);
        var page = ctx.Render<Jobs>();

        await page.WaitForAssertionAsync(() => Assert.Equal(Names(30, 6), GridDriver.Column(page, By)));
        Assert.Empty(page.FindAll(".mud-alert-text-error"));
    }

    [Fact]
    public async Task The_phone_sort_select_sorts_the_history()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "admin/jobs");
        var page = ctx.Render<Jobs>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(30, 6), GridDriver.Column(page, By)));

        await GridDriver.PhoneSortAsync(page, "TriggeredBy", descending: false);

        await page.WaitForAssertionAsync(() => Assert.Equal(Names(1, 25), GridDriver.Column(page, By)));
        Assert.Equal("TriggeredBy", GridDriver.Address(ctx, "sort"));
    }
}
