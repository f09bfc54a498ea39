using System.Net;
using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Datasets;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Faults;

/// <summary>
/// The database locked by another process for a while: the API answers 503 Problem Details with Retry-After, the portal a
/// friendly page, never a 500; once the lock is gone the same requests work again.
/// </summary>
public sealed class DatabaseTroubleTests : IDisposable
{
    private readonly PortalFactory portal = new() { SqliteOnly = true, Settings = { ["Database:SqliteBusyTimeoutMilliseconds"] = "200" } };

    public void Dispose() => portal.Dispose();

    /// <summary>
    /// Another process holds SQLite's write lock (an exclusive transaction that has written): in WAL mode readers go on,
    /// every writer waits the busy timeout (200 ms here) and then gets SQLITE_BUSY.
    /// </summary>
    private SqliteConnection LockDatabase()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(portal.DataDirectory, "studyrecs.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE; UPDATE AspNetUsers SET AccessFailedCount = AccessFailedCount;";
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// The upload page over its live connection: chooses a generated gradebook of students other than the API's (so the page
    /// never stops to ask about overlapping rows) and presses Upload.
    /// </summary>
    private static async Task UploadFromPageAsync(IRenderedComponent<Upload> page, int seed)
    {
        var csv = new StringWriter();
        Core.Datasets.Generation.PerformanceDataGenerator.WriteCsv(new Core.Datasets.Generation.PerformanceDataSpec(5, Subjects: 3, Semesters: 2, Seed: seed, FirstStudent: 101), csv);
        DatasetPageDriver.Choose(page, csv.ToString(), $"generated-{seed}.csv");
        await LiveEvents.ClickAsync(() => page.Find("button.upload-button"));
    }

    [Fact]
    public async Task A_locked_database_gives_503_with_retry_after_and_everything_works_again_when_it_returns()
    {
        var api = await portal.SignInWithBearerTokenAsync(Roles.Teacher);
        var (ctx, teacherId) = await DatasetPageDriver.SignedInAsync(portal, Roles.Teacher);
        await using var _ctx = ctx;
        var page = ctx.Render<Upload>();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/datasets")).StatusCode);

        var holder = LockDatabase();
        try
        {
            var apiAnswer = await api.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(students: 5, seed: 3));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, apiAnswer.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(10), apiAnswer.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", apiAnswer.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Database unavailable", await apiAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // The live page says so in place and keeps the chosen file for another try.
            await UploadFromPageAsync(page, seed: 5);
            await page.WaitForAssertionAsync(() => Assert.Contains("database is busy", page.Find("[role=alert]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            Assert.DoesNotContain("Exception", page.Markup, StringComparison.Ordinal);
            Assert.Empty(page.FindAll(".upload-result"));

            // Readers are not held up by SQLite's writer lock.
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/datasets")).StatusCode);
        }
        finally
        {
            holder.Dispose();
        }

        var retried = await api.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(students: 5, seed: 3));
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        await LiveEvents.ClickAsync(() => page.Find("button.upload-button"));
        await page.WaitForAssertionAsync(() => Assert.Contains("Accepted", page.Find(".upload-result [role=status]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            // Nothing was left of the refused page upload either: the page's teacher has the one accepted dataset.
            var mine = await scope.ServiceProvider.GetRequiredService<Core.Datasets.DatasetCatalog>().ListAsync(teacherId, null, 0, 10, default);
            Assert.Equal(Core.Datasets.DatasetStatus.Accepted, Assert.Single(mine).Status);
        }

        using var list = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("/api/datasets"));
        // The refused upload left nothing behind: this teacher has only the dataset made after the lock was gone.
        Assert.Equal(1, list.RootElement.GetProperty("total").GetInt32());
    }

    [Fact]
    public void Only_unavailability_counts_as_database_trouble()
    {
        Assert.True(Web.Extensions.DatabaseTrouble.IsDatabaseUnavailable(new SqliteException("busy", 5)));
        Assert.True(Web.Extensions.DatabaseTrouble.IsDatabaseUnavailable(new InvalidOperationException("wrapped", new SqliteException("locked", 6))));
        Assert.False(Web.Extensions.DatabaseTrouble.IsDatabaseUnavailable(new SqliteException("constraint", 19)));
        Assert.False(Web.Extensions.DatabaseTrouble.IsDatabaseUnavailable(new InvalidOperationException("a bug")));
    }
}
