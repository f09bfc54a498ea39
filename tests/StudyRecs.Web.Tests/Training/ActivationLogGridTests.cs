using Bunit;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Training;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>
/// The models page's activation log: a grid of the task's activations paged and sorted in the database, its page and
/// order kept in the address (restored from a link; nonsense ignored), sortable on a phone.
/// </summary>
public class ActivationLogGridTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private const string Who = "Who";
    private static readonly SemaphoreSlim Seeding = new(1, 1);

    private PortalFactory Factory => portal.Factory;

    /// <summary>30 classification activations by log-01 (oldest) to log-30 (newest), and one regression activation that must not show.</summary>
    private async Task SeedAsync()
    {
        await Seeding.WaitAsync();
        try
        {
            await Factory.QueryAsync(async db =>
            {
                if (await db.Set<ModelActivationAudit>().AnyAsync(a => a.By.StartsWith("log-")))
                {
                    return 0;
                }

                var at = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
                for (var i = 1; i <= 30; i++)
                {
                    db.Add(new ModelActivationAudit
                    {
                        Task = ModelTask.Classification,
                        By = $"log-{i:00}",
                        At = at.AddHours(i),
                        FromVersion = $"202611{i:00}000000",
                        ToVersion = $"202612{i:00}000000",
                        Reason = "test",
                    });
                }

                db.Add(new ModelActivationAudit { Task = ModelTask.Regression, By = "log-regression", At = at, ToVersion = "20261101000000", Reason = "other task" });
                return await db.SaveChangesAsync();
            });
        }
        finally
        {
            Seeding.Release();
        }
    }

    private static IReadOnlyList<string> Names(int from, int to) =>
        [.. (from <= to ? Enumerable.Range(from, to - from + 1) : Enumerable.Range(to, from - to + 1).Reverse()).Select(i => $"log-{i:00}")];

    private BunitContext Admin() => PortalComponents.ForPortal(Factory, Roles.Admin, "log-grid@test.local");

    [Fact]
    public async Task Header_clicks_and_the_pager_read_other_rows_from_the_database_and_write_page_and_sort_into_the_address()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "models?task=classification");
        var page = ctx.Render<Models>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(30, 6), GridDriver.Column(page, Who)));

        await GridDriver.ClickHeaderAsync(page, Who);
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(1, 25), GridDriver.Column(page, Who)));
        Assert.Equal("By", GridDriver.Address(ctx, "sort"));
        Assert.Equal("classification", GridDriver.Address(ctx, "task"));

        await GridDriver.NextPageAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(26, 30), GridDriver.Column(page, Who)));
        Assert.Equal("2", GridDriver.Address(ctx, "page"));
    }

    [Fact]
    public async Task A_link_with_page_and_sort_shows_those_rows_and_another_task_starts_on_its_first_page()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "models?task=classification&page=2&sort=ToVersion");
        var page = ctx.Render<Models>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(26, 30), GridDriver.Column(page, Who)));

        GridDriver.Go(ctx, "models?task=regression");
        await page.WaitForAssertionAsync(() => Assert.Equal(["log-regression"], GridDriver.Column(page, Who)));
    }

    [Theory]
    [InlineData("page=-5")]
    [InlineData("page=abc&sort=Reason&desc=1")]
    [InlineData("page=3")]
    public async Task Nonsense_in_the_address_is_ignored(string query)
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "models?task=classification&" + query);
        var page = ctx.Render<Models>();

        await page.WaitForAssertionAsync(() => Assert.Equal(Names(30, 6), GridDriver.Column(page, Who)));
    }

    [Fact]
    public async Task The_phone_sort_select_sorts_the_log()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "models?task=classification");
        var page = ctx.Render<Models>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names(30, 6), GridDriver.Column(page, Who)));

        await GridDriver.PhoneSortAsync(page, "By", descending: false);

        await page.WaitForAssertionAsync(() => Assert.Equal(Names(1, 25), GridDriver.Column(page, Who)));
        Assert.Equal("By", GridDriver.Address(ctx, "sort"));
    }
}
