using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Data;

/// <summary>
/// The migration that moves model artifacts to their own table keeps every stored version's bytes, on SQLite and (when
/// STUDYRECS_TEST_POSTGRES names a server) on PostgreSQL, and going back down restores them.
/// </summary>
public class ArtifactMigrationTests
{
    private const string Before = "RecommendationEventsByResource";
    private const string Moved = "TrainedModelArtifactsTable";

    public static TheoryData<DatabaseProvider> Providers()
    {
        var data = new TheoryData<DatabaseProvider> { DatabaseProvider.Sqlite };
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PortalFactory.PostgresVariable)))
        {
            data.Add(DatabaseProvider.Postgres);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Artifacts_stored_before_the_move_read_back_after_it_and_after_going_back(DatabaseProvider provider)
    {
        var dir = Directory.CreateTempSubdirectory("studyrecs-artifact-migration-").FullName;
        var server = Environment.GetEnvironmentVariable(PortalFactory.PostgresVariable);
        var name = "studyrecs_artifacts_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = provider == DatabaseProvider.Postgres
            ? new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString
            : $"Data Source={Path.Combine(dir, "migrate.db")}";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:StudyRecs"] = connectionString,
            ["Storage:DataDirectory"] = dir,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddStudyRecsDatabase(configuration);
        var sp = services.BuildServiceProvider();
        try
        {
            var bytes = new byte[70_001];
            new Random(3).NextBytes(bytes);
            await using (var scope = sp.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
                var migrator = db.GetService<IMigrator>();
                await migrator.MigrateAsync(FullName(db, Before));
                await InsertVersionAsync(db, bytes);
                await migrator.MigrateAsync();
            }

            await using (var scope = sp.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
                var model = await db.Set<TrainedModel>().SingleAsync();
                Assert.Equal(bytes, model.Artifact);
                Assert.Equal(bytes, await ModelArtifacts.ReadAsync(db, model.Id, s =>
                {
                    using var copy = new MemoryStream();
                    s.CopyTo(copy);
                    return copy.ToArray();
                }, CancellationToken.None));

                // And back down: the bytes return to the versions' table.
                await db.GetService<IMigrator>().MigrateAsync(FullName(db, Before));
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "SELECT \"Artifact\" FROM \"TrainedModels\"";
                await db.Database.OpenConnectionAsync();
                Assert.Equal(bytes, (byte[])(await command.ExecuteScalarAsync())!);
                await db.Database.CloseConnectionAsync();
            }
        }
        finally
        {
            await sp.DisposeAsync();
            SqliteConnection.ClearAllPools();
            if (provider == DatabaseProvider.Postgres)
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = new NpgsqlConnection(server);
                await connection.OpenAsync();
                await using var drop = connection.CreateCommand();
                drop.CommandText = $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)";
                await drop.ExecuteNonQueryAsync();
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    private static string FullName(StudyRecsDbContext db, string migration) =>
        db.Database.GetMigrations().Single(m => m.EndsWith("_" + migration, StringComparison.Ordinal));

    // A version row as the schema before the move had it (artifact in the versions' table).
    private static async Task InsertVersionAsync(StudyRecsDbContext db, byte[] artifact)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO "TrainedModels" ("Version", "Task", "Algorithm", "SettingsJson", "MetricsJson", "FeatureSchemaJson", "Artifact",
                "ArtifactSha256", "CreatedBy", "CreatedAt", "IsActive", "RowsUsed", "DatasetIdsJson", "DataHash", "DurationSeconds",
                "SelectionMetric", "SelectionScore")
            VALUES ('20260101000000', 'Recommendation', 'popularity', '{}', '{}', '{}', @artifact, @sha, 'test', @at, @active, 0, '[]', @hash, 0, 'ndcg_at_10', 0)
            """;
        Add(command, "@artifact", artifact);
        Add(command, "@sha", new string('a', 64));
        Add(command, "@hash", new string('b', 64));
        Add(command, "@at", DateTimeOffset.UnixEpoch);
        Add(command, "@active", false);
        await command.ExecuteNonQueryAsync();
        await db.Database.CloseConnectionAsync();
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
