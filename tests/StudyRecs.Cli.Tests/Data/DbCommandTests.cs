using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Tests.Hosting;
using StudyRecs.Core.Data;

namespace StudyRecs.Cli.Tests.Data;

/// <summary><c>studyrecs db migrate</c>, run as a process.</summary>
public sealed class DbCommandTests : IDisposable
{
    private readonly CliProcess _cli = new();

    [Fact]
    public async Task Migrate_creates_a_fresh_database_and_a_second_run_finds_it_up_to_date()
    {
        var first = await _cli.RunAsync("db", "migrate");
        var second = await _cli.RunAsync("db", "migrate");

        Assert.True(first.Exit == 0, first.Output + first.Error);
        Assert.Matches(@"^Applied [1-9][0-9]* migration\(s\): ", first.Output);
        Assert.True(second.Exit == 0, second.Output + second.Error);
        Assert.Equal("Database schema is up to date.", second.Output.Trim());
        await using var sp = _cli.OpenDatabase();
        await using var scope = sp.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_exits_2_with_a_message_not_a_stack_trace()
    {
        var notADatabase = Path.Combine(_cli.DataDirectory, "broken.db");
        await File.WriteAllTextAsync(notADatabase, new string('x', 4096));
        _cli.Environment["ConnectionStrings__StudyRecs"] = $"Data Source={notADatabase}";

        var (exit, output, error) = await _cli.RunAsync("db", "migrate");

        Assert.Equal(2, exit);
        Assert.Contains("Could not use the database", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
