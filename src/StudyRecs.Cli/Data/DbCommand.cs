using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Data;

namespace StudyRecs.Cli.Data;

internal static class DbCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply pending database migrations (the portal does this at start-up unless Database:MigrateOnStartup is false)");
        migrate.SetAction(async (_, ct) =>
        {
            await using var sp = CliServices.Build();
            await using var scope = sp.CreateAsyncScope();
            try
            {
                var applied = await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
                Console.WriteLine(applied.Count == 0 ? "Database schema is up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                await Console.Error.WriteLineAsync($"Could not migrate the database: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return new Command("db", "Database maintenance") { migrate };
    }
}
