using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using StudyRecs.Core.Data;
using StudyRecs.Core.Storage;

namespace StudyRecs.Migrations.Design;

/// <summary>
/// Builds the context for `dotnet ef` with the provider named after `--` (Sqlite or Postgres).
/// No database is touched when adding migrations; the connection strings are placeholders.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<StudyRecsDbContext>
{
    public StudyRecsDbContext CreateDbContext(string[] args)
    {
        var provider = args.Length > 0 && Enum.TryParse<DatabaseProvider>(args[^1], ignoreCase: true, out var p) ? p : DatabaseProvider.Sqlite;
        var options = new DbContextOptionsBuilder<StudyRecsDbContext>();
        var connection = provider == DatabaseProvider.Sqlite ? "Data Source=design-time.db" : "Host=localhost;Database=studyrecs_design";
        DatabaseServiceCollectionExtensions.Configure(options, new DatabaseOptions { Provider = provider }, connection, new StorageOptions());
        return new StudyRecsDbContext(options.Options);
    }
}
