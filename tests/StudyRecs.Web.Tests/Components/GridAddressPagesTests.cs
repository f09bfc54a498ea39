using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Resources;
using StudyRecs.Web.Features.Accounts.Admin;
using StudyRecs.Web.Features.Predictions;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Components;

/// <summary>
/// The other server-paged grids (datasets, users, resources, prediction audit) keep their page and sort in the address
/// through the shared <c>GridAddress</c>: a link shows those rows (read from the database), a sort or page change is
/// written back, nonsense is ignored, and the phone's sort select sorts. Each grid gets 30 rows of its own: two pages.
/// </summary>
public class GridAddressPagesTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static readonly SemaphoreSlim Seeding = new(1, 1);
    private static bool seeded;

    private PortalFactory Factory => portal.Factory;

    private static IReadOnlyList<string> Names(string prefix, int from, int to, string suffix = "") =>
        [.. (from <= to ? Enumerable.Range(from, to - from + 1) : Enumerable.Range(to, from - to + 1).Reverse()).Select(i => $"{prefix}{i:00}{suffix}")];

    private async Task SeedAsync()
    {
        await Seeding.WaitAsync();
        try
        {
            if (seeded)
            {
                return;
            }

            var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
            await using (var scope = Factory.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
                for (var i = 1; i <= 30; i++)
                {
                    // Inserted in reverse name order, so upload order (the default) and name order differ.
                    var n = 31 - i;
                    db.Add(new UploadedDataset
                    {
                        FileName = $"grid-{n:00}.csv",
                        Sha256 = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
                        Status = DatasetStatus.Rejected,
                        UploadedAt = start.AddHours(i),
                        StatusChangedAt = start.AddHours(i),
                        TotalRows = n,
                        ErrorCount = 1,
                    });
                    db.Add(new PredictionLog
                    {
                        AtUtc = start.UtcDateTime.AddSeconds(i),
                        RequestId = Guid.NewGuid().ToString("N"),
                        UserName = "grid-audit@uni.test",
                        Subject = $"gs-{i:00}",
                        Source = "api",
                        InputJson = "{}",
                        OutputJson = "{}",
                        RegressionVersion = "20261101000000",
                        ClassificationVersion = "20261101000000",
                        PredictedMarks = 60,
                        PredictedGrade = "B",
                        LatencyMs = 1.5,
                    });
                }

                await db.SaveChangesAsync();
                var catalog = scope.ServiceProvider.GetRequiredService<ResourceCatalog>();
                for (var i = 1; i <= 30; i++)
                {
                    var input = new ResourceInput
                    {
                        Title = $"gridres-{i:00}",
                        Subject = "Physics",
                        Difficulty = "beginner",
                        Type = "article",
                        Url = $"https://example.edu/gridres-{i:00}",
                        Minutes = (100 - i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    };
                    Assert.True((await catalog.CreateAsync(input, "test", CancellationToken.None)).Succeeded);
                }
            }

            for (var i = 1; i <= 30; i++)
            {
                await Factory.CreateUserAsync(Roles.Student, $"GU{31 - i:00}", $"gridu-{i:00}@test.local");
            }

            seeded = true;
        }
        finally
        {
            Seeding.Release();
        }
    }

    private BunitContext Admin() => PortalComponents.ForPortal(Factory, Roles.Admin, "grids-admin@test.local");

    [Fact]
    public async Task Datasets_grid_keeps_page_and_sort_in_the_address()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "datasets?status=Rejected&page=2&sort=FileName&desc=true");
        var page = ctx.Render<Features.Datasets.Datasets>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("grid-", 5, 1, ".csv"), GridDriver.Column(page, "File")));

        GridDriver.Go(ctx, "datasets?status=Rejected&sort=nope&page=-5");
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("grid-", 1, 25, ".csv"), GridDriver.Column(page, "File")));

        await GridDriver.PhoneSortAsync(page, "FileName", descending: true);
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("grid-", 30, 6, ".csv"), GridDriver.Column(page, "File")));
        Assert.Equal(("FileName", "true", "Rejected"), (GridDriver.Address(ctx, "sort"), GridDriver.Address(ctx, "desc"), GridDriver.Address(ctx, "status")));

        await GridDriver.NextPageAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("grid-", 5, 1, ".csv"), GridDriver.Column(page, "File")));
        Assert.Equal("2", GridDriver.Address(ctx, "page"));
    }

    [Fact]
    public async Task Users_grid_keeps_page_and_sort_in_the_address()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "admin/users?q=gridu-&page=2&sort=StudentId&desc=true");
        var page = ctx.Render<Users>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("GU", 5, 1), GridDriver.Column(page, "Student id")));

        GridDriver.Go(ctx, "admin/users?q=gridu-&page=abc&sort=Roles");
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("gridu-", 1, 25, "@test.local"), GridDriver.Column(page, "E-mail")));

        await GridDriver.PhoneSortAsync(page, "StudentId", descending: false);
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("GU", 1, 25), GridDriver.Column(page, "Student id")));
        Assert.Equal("StudentId", GridDriver.Address(ctx, "sort"));
        Assert.Equal("gridu-", GridDriver.Address(ctx, "q"));
    }

    [Fact]
    public async Task Resources_grid_keeps_page_and_sort_in_the_address()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "resources?q=gridres&page=2&sort=Minutes");
        var page = ctx.Render<Features.Resources.Resources>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("gridres-", 5, 1), GridDriver.Column(page, "Title")));

        GridDriver.Go(ctx, "resources?q=gridres&page=9");
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("gridres-", 1, 25), GridDriver.Column(page, "Title")));

        await GridDriver.ClickHeaderAsync(page, "Minutes");
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("gridres-", 30, 6), GridDriver.Column(page, "Title")));
        Assert.Equal("Minutes", GridDriver.Address(ctx, "sort"));

        await GridDriver.PhoneSortAsync(page, "Title", descending: true);
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("gridres-", 30, 6), GridDriver.Column(page, "Title")));
        Assert.Equal(("Title", "true"), (GridDriver.Address(ctx, "sort"), GridDriver.Address(ctx, "desc")));
    }

    [Fact]
    public async Task Prediction_audit_keeps_its_page_in_the_address()
    {
        await SeedAsync();
        await using var ctx = Admin();
        GridDriver.Go(ctx, "admin/predictions?user=grid-audit@uni.test&page=2");
        var page = ctx.Render<PredictionAudit>();
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("gs-", 5, 1), GridDriver.Column(page, "Subject")));
        Assert.DoesNotContain(page.FindComponents<MudBlazor.MudSelect<string>>(), s => s.Instance.Label == "Sort by");

        GridDriver.Go(ctx, "admin/predictions?user=grid-audit@uni.test&page=-5");
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("gs-", 30, 6), GridDriver.Column(page, "Subject")));

        await GridDriver.NextPageAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Equal(Names("gs-", 5, 1), GridDriver.Column(page, "Subject")));
        Assert.Equal(("2", "grid-audit@uni.test"), (GridDriver.Address(ctx, "page"), GridDriver.Address(ctx, "user")));
    }
}
