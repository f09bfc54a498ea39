using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;

namespace StudyRecs.Cli.Hosting;

/// <summary>
/// The database side of the operator commands: migrate before use, and turn a database that cannot be reached,
/// opened or migrated into a message and exit code 2 instead of a stack trace.
/// </summary>
internal static class CliDatabase
{
    /// <summary>Runs <paramref name="action"/>; a database or settings error ends it with a message on stderr and <see cref="ExitCodes.Failed"/>.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (IsDatabaseError(ex))
        {
            await Console.Error.WriteLineAsync($"Could not use the database: {Innermost(ex).Message}");
            await Console.Error.WriteLineAsync("Check Database:Provider and ConnectionStrings:StudyRecs (appsettings.json or Database__Provider, ConnectionStrings__StudyRecs).");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Applies pending migrations and returns their names (empty when the schema is up to date).</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
    }

    // EF wraps provider failures in InvalidOperationException (e.g. a transient-failure strategy giving up), and
    // settings are validated when first resolved.
    private static bool IsDatabaseError(Exception ex) =>
        ex is DbException or DbUpdateException or OptionsValidationException or InvalidOperationException { InnerException: DbException };

    private static Exception Innermost(Exception ex) => ex is OptionsValidationException || ex.InnerException is null ? ex : Innermost(ex.InnerException);
}
