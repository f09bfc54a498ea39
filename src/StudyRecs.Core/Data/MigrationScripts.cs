using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using StudyRecs.Core.Storage;

namespace StudyRecs.Core.Data;

/// <summary>
/// Deployment scripts of the migrations, for DBAs who apply schema changes themselves, and the provider's context that
/// tools use without a server: no connection is opened to build the model or to script it.
/// </summary>
public static class MigrationScripts
{
    /// <summary>A context of <paramref name="provider"/> on a placeholder connection, for scripting and design-time tools only.</summary>
    public static StudyRecsDbContext OfflineContext(DatabaseProvider provider)
    {
        var connection = provider switch
        {
            DatabaseProvider.Sqlite => "Data Source=:memory:",
            DatabaseProvider.Postgres => "Host=localhost;Database=studyrecs",
            _ => "Server=localhost;Database=StudyRecs;TrustServerCertificate=true",
        };
        var options = new DbContextOptionsBuilder<StudyRecsDbContext>();
        DatabaseServiceCollectionExtensions.Configure(options, new DatabaseOptions { Provider = provider }, connection, new StorageOptions());
        return new StudyRecsDbContext(options.Options);
    }

    /// <summary>The provider's migrations, oldest first, by full id (<c>20261121235000_Initial</c>).</summary>
    public static IReadOnlyList<string> Migrations(DatabaseProvider provider)
    {
        using var db = OfflineContext(provider);
        return [.. db.Database.GetMigrations()];
    }

    /// <summary>The id of the provider's migration named <paramref name="idOrName"/> (either form, any case); null when there is none.</summary>
    public static string? Find(DatabaseProvider provider, string idOrName)
    {
        var all = Migrations(provider);
        return all.FirstOrDefault(m => string.Equals(m, idOrName, StringComparison.OrdinalIgnoreCase))
            ?? all.FirstOrDefault(m => string.Equals(m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..], idOrName, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The SQL that brings a database of <paramref name="provider"/> from the migration <paramref name="fromId"/>
    /// (already applied; null for an empty database) to the latest one. Idempotent scripts check the history table
    /// before each migration, so they can run against a database at any version.
    /// </summary>
    public static string Generate(DatabaseProvider provider, string? fromId, bool idempotent)
    {
        using var db = OfflineContext(provider);
        return db.GetService<IMigrator>().GenerateScript(fromId, toMigration: null,
            idempotent ? MigrationsSqlGenerationOptions.Idempotent : MigrationsSqlGenerationOptions.Default);
    }
}
