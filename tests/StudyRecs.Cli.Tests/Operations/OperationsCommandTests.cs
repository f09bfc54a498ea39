using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Tests.Hosting;

namespace StudyRecs.Cli.Tests.Operations;

/// <summary><c>studyrecs security check</c> and <c>loadtest predict</c> as processes: arguments, configuration checks, exit codes.</summary>
public sealed class OperationsCommandTests : IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Security_check_reports_every_configuration_check_as_json_and_exits_by_the_contract()
    {
        var (exit, output, _) = await _cli.RunAsync("security", "check", "--json");

        using var json = JsonDocument.Parse(output);
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!);
        foreach (var name in new[] { "https-and-hsts", "cookies", "demo-accounts", "data-protection-keys", "password-policy", "lockout", "rate-limits", "upload-limits" })
        {
            Assert.Contains(name, checks.Keys);
        }

        Assert.DoesNotContain("fail", checks.Values);
        Assert.Equal(0, exit);
        // A fresh data folder has no keys yet: a warning, which --strict turns into exit 1.
        Assert.Equal("warn", checks["data-protection-keys"]);
        Assert.Equal(1, (await _cli.RunAsync("security", "check", "--strict")).Exit);

        // Keys live in the database the portal shares with every node: once one is there, the check passes.
        Assert.Equal(0, (await _cli.RunAsync("db", "migrate")).Exit);
        await using (var sp = _cli.OpenDatabase())
        {
            await using var scope = sp.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecs.Core.Data.StudyRecsDbContext>();
            db.DataProtectionKeys.Add(new Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey { FriendlyName = "key-1", Xml = "<key />" });
            await db.SaveChangesAsync();
        }

        using var again = JsonDocument.Parse((await _cli.RunAsync("security", "check", "--json")).Output);
        Assert.Contains(again.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "data-protection-keys" && c.GetProperty("status").GetString() == "pass");
    }

    [Fact]
    public async Task Security_check_fails_rate_limits_that_are_off_only_as_a_warning_and_fails_an_insane_upload_limit()
    {
        _cli.Environment["RateLimiting__Predict__TokensPerPeriod"] = "1000000";
        _cli.Environment["Datasets__MaxUploadBytes"] = "10000000000";

        var (exit, output, _) = await _cli.RunAsync("security", "check");

        Assert.Matches(@"WARN\s+rate-limits", output);
        Assert.Matches(@"FAIL\s+upload-limits", output);
        Assert.Equal(1, exit);
    }

    [Theory]
    [InlineData("security", "check", "--url", "not a url")]
    [InlineData("security", "check", "--url", "ftp://portal.test")]
    [InlineData("loadtest", "predict", "--url", "localhost:5180", "--email", "a@b.c", "--password", "x")]
    [InlineData("loadtest", "predict", "--url", "http://localhost:5180", "--email", "a@b.c", "--password", "x", "--concurrency", "0")]
    public async Task Bad_arguments_exit_2_with_a_message(params string[] args)
    {
        var (exit, _, error) = await _cli.RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains("--", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_portal_that_is_not_there_is_a_failure_not_a_crash()
    {
        var (exit, output, _) = await _cli.RunAsync("security", "check", "--url", "http://127.0.0.1:9");

        Assert.Matches(@"FAIL\s+portal-reachable", output);
        Assert.Equal(1, exit);
    }
}
