using System.CommandLine;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Data;

namespace StudyRecs.Cli.Data;

internal static class DbCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply pending database migrations (the portal does this at start-up unless Database:MigrateOnStartup is false)");
        migrate.SetAction((_, ct) => CliDatabase.GuardAsync(async () =>
        {
            await using var sp = CliServices.Build();
            var applied = await CliDatabase.MigrateAsync(sp, ct);
            Console.WriteLine(applied.Count == 0 ? "Database schema is up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            return ExitCodes.Ok;
        }));
        return new Command("db", "Database maintenance") { migrate, CreateScript() };
    }

    /// <summary>
    /// <c>db script</c>: the deployment SQL of a provider's migrations, for DBAs who apply schema changes themselves
    /// (set Database:MigrateOnStartup to false then). Needs no database: the script comes from the migrations alone.
    /// </summary>
    private static Command CreateScript()
    {
        var provider = new Option<string?>("--provider") { Description = "SqlServer, Postgres or Sqlite" };
        var from = new Option<string?>("--from") { Description = "The migration the database already has (id or name); omit for an empty database" };
        var idempotent = new Option<bool>("--idempotent") { Description = "Check the migrations history before each migration, so the script runs on a database at any version" };
        var output = new Option<string?>("--out") { Description = "Write the script to this file instead of standard output" };
        var script = new Command("script", "Write the SQL that creates or upgrades the schema, for applying it by hand") { provider, from, idempotent, output };
        script.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(provider);
            // Names only: Enum.TryParse would take "1" or "Sqlite,Postgres" as well.
            var chosen = Enum.GetValues<DatabaseProvider>().Cast<DatabaseProvider?>()
                .FirstOrDefault(p => string.Equals(p.ToString(), name?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (chosen is not { } database)
            {
                return await FailAsync(name is null
                    ? "Say which database the script is for: --provider SqlServer, Postgres or Sqlite."
                    : $"Unknown provider '{name}': use SqlServer, Postgres or Sqlite.");
            }

            string? fromId = null;
            if (parse.GetValue(from) is { } applied && (fromId = MigrationScripts.Find(database, applied)) is null)
            {
                return await FailAsync($"'{applied}' is no {database} migration. Known: {string.Join(", ", MigrationScripts.Migrations(database))}.");
            }

            var sql = MigrationScripts.Generate(database, fromId, parse.GetValue(idempotent));

            if (parse.GetValue(output) is not { } file)
            {
                await Console.Out.WriteAsync(sql);
                return ExitCodes.Ok;
            }

            return await WriteFileAsync(file, sql, ct);
        });
        return script;
    }

    // Written beside the target and moved over it, so a failure never leaves half a script where a DBA expects a whole one.
    private static async Task<int> WriteFileAsync(string file, string sql, CancellationToken ct)
    {
        string full;
        try
        {
            full = Path.GetFullPath(file);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return await FailAsync($"'{file}' is not a usable file name: {e.Message}");
        }

        if (Directory.Exists(full))
        {
            return await FailAsync($"'{file}' is a folder; give a file name for the script.");
        }

        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            return await FailAsync($"The folder '{folder}' does not exist.");
        }

        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllTextAsync(temporary, sql, ct);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            return await FailAsync($"Could not write '{file}': {e.Message}");
        }

        Console.WriteLine($"Wrote {full}.");
        return ExitCodes.Ok;
    }

    private static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync(message);
        return ExitCodes.Failed;
    }
}
