using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
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
        Assert.Contains(Factory.UsesPostgres ? "Npgsql" : "Sqlite", db.GetProperty("data").GetProperty("provider").GetString(), StringComparison.Ordinal);
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
        Assert.Contains(assets, a => a.Contains("Radzen.Blazor", StringComparison.Ordinal));
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

    [Fact]
    public async Task Pages_have_a_title_a_main_landmark_and_labelled_inputs()
    {
        var page = await Html.GetAsync(Factory.CreateBrowserlessClient(), "/account/login");

        Assert.Contains("Sign in", page.Title, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("main#main"));
        Assert.Equal("en", page.DocumentElement.GetAttribute("lang"));
        foreach (var input in page.QuerySelectorAll("input:not([type=hidden])"))
        {
            Assert.NotNull(page.QuerySelector($"label[for='{input.Id}']"));
        }
    }

    [Fact]
    public void Open_sign_ins_are_checked_against_their_account_at_least_every_minute_by_default()
    {
        var options = Factory.Services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value;

        Assert.InRange(options.ValidationInterval, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Outside_development_no_demo_accounts_are_seeded()
    {
        var client = Factory.CreateBrowserlessClient();

        var response = await PortalFactory.PostFormAsync(client, "/account/login", "login",
            new() { ["Input.Email"] = "admin@studyrecs.local", ["Input.Password"] = "anything-1A" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong email or password", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
