using System.Net;
using Microsoft.Data.Sqlite;
using StudyRecs.Core.Accounts;
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

    /// <summary>The upload page's own form post: multipart with the page's antiforgery token.</summary>
    private static async Task<HttpResponseMessage> UploadFromPageAsync(HttpClient page)
    {
        var form = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await page.GetStringAsync("/datasets/upload"));
        var token = form.QuerySelector("form[action*='datasets/import'] input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException("The upload form has no antiforgery token.");
        var body = PortalFactory.GeneratedUpload(students: 5, seed: 4);
        body.Add(new StringContent(token), "__RequestVerificationToken");
        return await page.PostAsync("/datasets/import", body);
    }

    [Fact]
    public async Task A_locked_database_gives_503_with_retry_after_and_everything_works_again_when_it_returns()
    {
        var api = await portal.SignInWithBearerTokenAsync(Roles.Teacher);
        var page = await portal.SignInAsync(Roles.Teacher);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/datasets")).StatusCode);

        var holder = LockDatabase();
        try
        {
            var apiAnswer = await api.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(students: 5, seed: 3));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, apiAnswer.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(10), apiAnswer.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", apiAnswer.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Database unavailable", await apiAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var pageAnswer = await UploadFromPageAsync(page);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, pageAnswer.StatusCode);
            Assert.NotNull(pageAnswer.Headers.RetryAfter);
            var html = await pageAnswer.Content.ReadAsStringAsync();
            Assert.Contains("back in a moment", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);

            // Readers are not held up by SQLite's writer lock.
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/datasets")).StatusCode);
        }
        finally
        {
            holder.Dispose();
        }

        var retried = await api.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(students: 5, seed: 3));
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await UploadFromPageAsync(page)).StatusCode);
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
