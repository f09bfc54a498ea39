using System.CommandLine;
using StudyRecs.Cli.Hosting;

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
        return new Command("db", "Database maintenance") { migrate };
    }
}
