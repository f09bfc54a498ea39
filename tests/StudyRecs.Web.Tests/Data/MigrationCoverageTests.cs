using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;

namespace StudyRecs.Web.Tests.Data;

public class MigrationCoverageTests
{
    /// <summary>
    /// Builds the context exactly as the portal does (Identity's store options shape the model too),
    /// so a change in any of them without a migration fails here, not at start-up on a server.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=:memory:")]
    [InlineData(DatabaseProvider.Postgres, "Host=localhost;Database=model_check")]
    [InlineData(DatabaseProvider.SqlServer, "Server=localhost;Database=model_check;Integrated Security=true")]
    public void Every_model_change_is_covered_by_a_migration(DatabaseProvider provider, string connectionString)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:StudyRecs"] = connectionString,
            ["Storage:DataDirectory"] = Path.GetTempPath(),
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddStudyRecsDatabase(configuration);
        services.AddStudyRecsIdentity();
        using var sp = services.BuildServiceProvider();
        using var scope = sp.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} model has changes no migration covers: run `bash migrations/add.sh <Name>` and commit the result.");
    }
}
