using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using StudyRecs.Core.Data;
using StudyRecs.Core.Storage;

namespace StudyRecs.Migrations.Design;

/// <summary>
/// Builds the context for `dotnet ef` with the provider named after `--` (Sqlite, Postgres or SqlServer).
/// No database is touched when adding migrations; the connection strings are placeholders.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<StudyRecsDbContext>
{
    public StudyRecsDbContext CreateDbContext(string[] args)
    {
        var provider = args.Length > 0 && Enum.TryParse<DatabaseProvider>(args[^1], ignoreCase: true, out var p) ? p : DatabaseProvider.Sqlite;
        var options = new DbContextOptionsBuilder<StudyRecsDbContext>();
        var connection = provider switch
        {
            DatabaseProvider.Sqlite => "Data Source=design-time.db",
            DatabaseProvider.Postgres => "Host=localhost;Database=studyrecs_design",
            _ => "Server=localhost;Database=studyrecs_design;Integrated Security=true;TrustServerCertificate=true",
        };
        DatabaseServiceCollectionExtensions.Configure(options, new DatabaseOptions { Provider = provider }, connection, new StorageOptions());
        return new StudyRecsDbContext(options.Options);
    }
}
