using Microsoft.EntityFrameworkCore.Design;
using StudyRecs.Core.Data;

namespace StudyRecs.Migrations.Design;

/// <summary>
/// Builds the context for `dotnet ef` with the provider named after `--` (Sqlite, Postgres or SqlServer).
/// No database is touched when adding migrations; the connection strings are placeholders.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<StudyRecsDbContext>
{
    public StudyRecsDbContext CreateDbContext(string[] args) =>
        MigrationScripts.OfflineContext(args.Length > 0 && Enum.TryParse<DatabaseProvider>(args[^1], ignoreCase: true, out var provider) ? provider : DatabaseProvider.Sqlite);
}
