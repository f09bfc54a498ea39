using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests;

public class PortalTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    [Fact]
    public async Task Health_reports_a_reachable_migrated_database_without_signing_in()
    {
        var response = await Factory.CreateBrowserlessClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var db = json.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal(0, db.GetProperty("data").GetProperty("pendingMigrations").GetInt32());
        Assert.Contains(Factory.UsesSqlServer ? "SqlServer" : Factory.UsesPostgres ? "Npgsql" : "Sqlite", db.GetProperty("data").GetProperty("provider").GetString(), StringComparison.Ordinal);
        var scheduler = json.RootElement.GetProperty("checks").EnumerateObject().Single(c => c.Name.Contains("quartz", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Healthy", scheduler.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_scheduler_keeps_its_schedule_in_the_portal_database_and_runs_clustered_on_a_server_database()
    {
        await Factory.CreateBrowserlessClient().GetAsync("/health");
        var scheduler = await Factory.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        var metadata = await scheduler.GetMetadata();

        Assert.True(metadata.JobStorePersistent, "the job store is the database, so schedules survive a restart");
        Assert.Equal(Factory.UsesPostgres || Factory.UsesSqlServer, metadata.JobStoreClustered);
        Assert.NotNull(metadata.RunningSince);
    }

    [Fact]
    public async Task Portal_sqlite_connections_use_wal_mode_and_the_configured_busy_timeout()
    {
        if (Factory.UsesPostgres || Factory.UsesSqlServer)
        {
            return;
        }

        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var configured = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value.SqliteBusyTimeoutMilliseconds;
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();

        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(configured, Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(configured > 0);
    }

    [Theory]
    [InlineData(null, "/account/login")]
    [InlineData(Roles.Admin, "/admin")]
    [InlineData(Roles.Admin, "/admin/users")]
    [InlineData(Roles.Teacher, "/teacher")]
    [InlineData(Roles.Student, "/student")]
    public async Task Every_asset_a_page_references_is_served(string? role, string url)
    {
        var client = role is null ? Factory.CreateBrowserlessClient() : await Factory.SignInAsync(role);
        var page = await Html.GetAsync(client, url);

        var assets = page.QuerySelectorAll("link[href]").Select(e => e.GetAttribute("href")!)
            .Concat(page.QuerySelectorAll("script[src], img[src]").Select(e => e.GetAttribute("src")!))
            .Where(u => !u.StartsWith("http", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        Assert.Contains(assets, a => a.Contains("site", StringComparison.Ordinal) && a.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.StartsWith("_content/MudBlazor/MudBlazor.min", StringComparison.Ordinal) && a.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.StartsWith("_content/MudBlazor/MudBlazor.min", StringComparison.Ordinal) && a.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.Contains("_framework/blazor.web", StringComparison.Ordinal));
        Assert.DoesNotContain(assets, a => a.Contains("Radzen", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            var response = await client.GetAsync("/" + asset.TrimStart('/'));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset} referenced by {url} answered {(int)response.StatusCode}");
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 0, $"{asset} is empty");
        }
    }

    [Fact]
    public async Task Unknown_address_shows_the_not_found_page()
    {
        var client = await Factory.SignInAsync(Roles.Teacher);
        var response = await client.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "/account/login")]
    [InlineData(Roles.Admin, "/admin")]
    [InlineData(Roles.Admin, "/admin/users")]
    [InlineData(Roles.Admin, "/admin/users/new")]
    [InlineData(Roles.Admin, "/admin/users/{user}")]
    [InlineData(Roles.Admin, "/account/change-password")]
    [InlineData(Roles.Teacher, "/teacher")]
    [InlineData(Roles.Teacher, "/datasets")]
    [InlineData(Roles.Teacher, "/datasets/upload")]
    [InlineData(Roles.Teacher, "/datasets/{dataset}")]
    [InlineData(Roles.Student, "/student")]
    public async Task Pages_have_a_title_one_h1_landmarks_ordered_headings_and_labelled_inputs(string? role, string url)
    {
        var client = role is null ? Factory.CreateBrowserlessClient() : await PortalFactory.WithAntiforgeryHeaderAsync(await Factory.SignInAsync(role));
        if (url.Contains("{user}", StringComparison.Ordinal))
        {
            var (email, _) = await Factory.CreateUserAsync(Roles.Student, "A11Y-" + Guid.NewGuid().ToString("N")[..6]);
            await using var scope = Factory.Services.CreateAsyncScope();
            url = url.Replace("{user}", (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email))!.Id, StringComparison.Ordinal);
        }

        if (url.Contains("{dataset}", StringComparison.Ordinal))
        {
            var form = new MultipartFormDataContent { { new StringContent($"student_id,semester,subject,assignment_marks,quiz_marks,attendance_percentage,midterm_marks,previous_cgpa,final_marks,final_grade\nS{Guid.NewGuid():N},1,Math,70,60,80,65,3.1,72,\n"), "file", "a11y.csv" } };
            var created = await client.PostAsync("/api/datasets", form);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            url = url.Replace("{dataset}", JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        var page = await Html.GetAsync(client, url);

        Assert.False(string.IsNullOrWhiteSpace(page.Title), $"{url} has no title");
        Assert.Equal("en", page.DocumentElement.GetAttribute("lang"));
        Assert.NotNull(page.QuerySelector("main#main"));
        Assert.Single(page.QuerySelectorAll("h1"));
        if (role is not null)
        {
            Assert.NotEmpty(page.QuerySelectorAll("nav[aria-label]"));
        }

        var levels = page.QuerySelectorAll("main h1, main h2, main h3, main h4, main h5, main h6").Select(h => h.LocalName[1] - '0').ToList();
        for (var k = 1; k < levels.Count; k++)
        {
            Assert.True(levels[k] <= levels[k - 1] + 1, $"{url}: heading level jumps from h{levels[k - 1]} to h{levels[k]}");
        }

        foreach (var input in page.QuerySelectorAll("input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea"))
        {
            var labelled = input.HasAttribute("aria-label") || input.HasAttribute("aria-labelledby") || input.Closest("label") is not null
                || (!string.IsNullOrEmpty(input.Id) && page.QuerySelector($"label[for='{input.Id}']") is not null);
            Assert.True(labelled, $"{url}: {input.OuterHtml} has no label");
        }
    }

    [Fact]
    public void Open_sign_ins_are_checked_against_their_account_at_least_every_minute_by_default()
    {
        var options = Factory.Services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value;

        Assert.InRange(options.ValidationInterval, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Outside_development_no_demo_account_exists()
    {
        Assert.Equal("Testing", Factory.EnvironmentName);

        Assert.Empty(await Accounts.DemoAccountSeedingTests.DemoAccountsAsync(Factory));
    }
}
