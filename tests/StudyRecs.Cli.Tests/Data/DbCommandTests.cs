using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Tests.Hosting;
using StudyRecs.Core.Data;

namespace StudyRecs.Cli.Tests.Data;

/// <summary><c>studyrecs db migrate</c> and <c>db script</c>, run as a process.</summary>
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

    [Fact]
    public async Task Script_for_sql_server_creates_the_schema_and_the_job_store_without_any_server()
    {
        // The configured database is SQLite: the script depends on --provider only, and no connection is made.
        var (exit, output, error) = await _cli.RunAsync("db", "script", "--provider", "sqlserver");

        Assert.True(exit == 0, error);
        Assert.Contains("CREATE TABLE [AspNetUsers]", output, StringComparison.Ordinal);
        Assert.Contains("CREATE UNIQUE INDEX [IX_TrainedModels_Task_Active] ON [TrainedModels] ([Task]) WHERE [IsActive] = 1;", output, StringComparison.Ordinal);
        Assert.Contains("IF OBJECT_ID(N'QRTZ_JOB_DETAILS', N'U') IS NULL", output, StringComparison.Ordinal);
        Assert.Contains("INSERT INTO [__EFMigrationsHistory]", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_cli.DataDirectory, "studyrecs.db")), "scripting opened no database");
    }

    [Fact]
    public async Task An_idempotent_script_from_a_migration_goes_to_a_file_and_holds_only_the_later_migrations()
    {
        var migrations = MigrationScripts.Migrations(DatabaseProvider.Postgres);
        var (from, next) = (migrations[^2], migrations[^1]);
        var file = Path.Combine(_cli.DataDirectory, "upgrade.sql");

        var (exit, output, error) = await _cli.RunAsync("db", "script", "--provider", "Postgres", "--from", from[(from.IndexOf('_', StringComparison.Ordinal) + 1)..], "--idempotent", "--out", file);

        Assert.True(exit == 0, error);
        Assert.Equal($"Wrote {file}.", output.Trim());
        var sql = await File.ReadAllTextAsync(file);
        Assert.Contains($"'{next}'", sql, StringComparison.Ordinal);
        Assert.DoesNotContain($"'{from}'", sql, StringComparison.Ordinal);
        Assert.Contains("IF NOT EXISTS(SELECT 1 FROM \"__EFMigrationsHistory\"", sql, StringComparison.Ordinal);
        Assert.Equal([file], Directory.GetFiles(_cli.DataDirectory, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("unknown provider", "--provider", "Oracle")]
    [InlineData("numeric provider", "--provider", "1")]
    [InlineData("two providers", "--provider", "Sqlite,Postgres")]
    [InlineData("no provider", "--idempotent")]
    [InlineData("unknown migration", "--provider", "Sqlite", "--from", "NoSuchMigration")]
    [InlineData("missing folder", "--provider", "Sqlite", "--out", "{dir}/missing/script.sql")]
    [InlineData("folder as file", "--provider", "Sqlite", "--out", "{dir}")]
    public async Task Bad_script_arguments_exit_2_with_a_message_and_write_nothing(string why, params string[] arguments)
    {
        var args = arguments.Select(a => a.Replace("{dir}", _cli.DataDirectory, StringComparison.Ordinal)).Prepend("script").Prepend("db").ToArray();

        var (exit, output, error) = await _cli.RunAsync(args);

        Assert.True(exit == 2, $"{why}: exit {exit}, {output}{error}");
        Assert.False(string.IsNullOrWhiteSpace(error), why);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("CREATE TABLE", output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cli.DataDirectory, "*", SearchOption.AllDirectories));
    }

    public void Dispose() => _cli.Dispose();
}
