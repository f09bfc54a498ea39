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
    private const string BeforeOnePath = "DatasetLifecycleAndModelPins";

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
    public Task Artifacts_stored_before_the_move_read_back_after_it_and_after_going_back(DatabaseProvider provider) => WithDatabaseAsync(provider, async sp =>
    {
        var bytes = new byte[70_001];
        new Random(3).NextBytes(bytes);
        await using (var scope = sp.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(FullName(db, Before));
            await InsertVersionAsync(db, bytes, withArtifactColumn: true);
            await migrator.MigrateAsync();
        }

        await using (var scope = sp.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            var model = await db.Set<TrainedModel>().SingleAsync();
            Assert.Equal(bytes, (await db.Set<ModelArtifact>().SingleAsync()).Bytes);
            Assert.Equal(bytes, await ModelArtifacts.ReadAsync(db, model.Id, ModelArtifacts.ReadAllBytes, CancellationToken.None));

            // And back down: the bytes return to the versions' table.
            await db.GetService<IMigrator>().MigrateAsync(FullName(db, Before));
            Assert.Equal(bytes, (byte[])(await ScalarAsync(db, "SELECT \"Artifact\" FROM \"TrainedModels\""))!);
        }
    });

    [Theory]
    [MemberData(nameof(Providers))]
    public Task One_registry_path_gives_stored_versions_their_format_size_and_task_metadata_and_going_back_restores_them(DatabaseProvider provider) => WithDatabaseAsync(provider, async sp =>
    {
        var recommender = new byte[5_003];
        new Random(4).NextBytes(recommender);
        byte[] mlnet = [.. "SRML"u8, 1, 0, 7, 7, 7];
        byte[] engine = [.. "SRTE"u8, 1, 0, 9];
        await using (var scope = sp.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(FullName(db, BeforeOnePath));
            await InsertVersionAsync(db, recommender, withArtifactColumn: false);
            await InsertVersionAsync(db, mlnet, withArtifactColumn: false, task: "Regression", schema: "{\"features\":[]}", datasets: "[1,2]");
            await InsertVersionAsync(db, engine, withArtifactColumn: false, task: "Classification", schema: "{\"features\":[]}", datasets: "[2]");
            await ExecuteAsync(db, """INSERT INTO "TrainingRuns" ("StartedAt", "Status", "Step", "CandidateIndex", "CandidateCount", "TriggeredBy", "Trigger") VALUES (@at, 'Succeeded', 'Finished', 0, 0, 'job', 'Nightly')""");
            await migrator.MigrateAsync();
        }

        await using (var scope = sp.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            var models = await db.Set<TrainedModel>().AsNoTracking().ToDictionaryAsync(m => m.Task);
            Assert.Equal((ArtifactFormats.Recommender, 5_003L, "{\"resource_ids\":[1],\"last_event_id\":9}", null, null),
                (models[ModelTask.Recommendation].ArtifactFormat, models[ModelTask.Recommendation].ArtifactLength, models[ModelTask.Recommendation].CatalogJson,
                models[ModelTask.Recommendation].FeatureSchemaJson, models[ModelTask.Recommendation].DatasetIdsJson));
            Assert.Equal((ArtifactFormats.MLNet, (long)mlnet.Length, null, "{\"features\":[]}", "[1,2]"),
                (models[ModelTask.Regression].ArtifactFormat, models[ModelTask.Regression].ArtifactLength, models[ModelTask.Regression].CatalogJson,
                models[ModelTask.Regression].FeatureSchemaJson, models[ModelTask.Regression].DatasetIdsJson));
            Assert.Equal((ArtifactFormats.EngineTrees, (long)engine.Length), (models[ModelTask.Classification].ArtifactFormat, models[ModelTask.Classification].ArtifactLength));
            Assert.Equal(TrainingRunKind.Grades, (await db.Set<TrainingRun>().SingleAsync()).Kind);
            Assert.Equal(recommender, await ModelArtifacts.ReadAsync(db, models[ModelTask.Recommendation].Id, ModelArtifacts.ReadAllBytes, CancellationToken.None));

            // A recommender run recorded afterwards goes away with the way back; the catalog map returns to its old column.
            db.Add(new TrainingRun { Kind = TrainingRunKind.Recommendations, TriggeredBy = "job", Status = TrainingRunStatus.Succeeded });
            await db.SaveChangesAsync();
            await db.GetService<IMigrator>().MigrateAsync(FullName(db, BeforeOnePath));
            Assert.Equal("{\"resource_ids\":[1],\"last_event_id\":9}",
                await ScalarAsync(db, "SELECT \"FeatureSchemaJson\" FROM \"TrainedModels\" WHERE \"Task\" = 'Recommendation'"));
            Assert.Equal("[]", await ScalarAsync(db, "SELECT \"DatasetIdsJson\" FROM \"TrainedModels\" WHERE \"Task\" = 'Recommendation'"));
            Assert.Equal(1L, Convert.ToInt64(await ScalarAsync(db, "SELECT COUNT(*) FROM \"TrainingRuns\""), System.Globalization.CultureInfo.InvariantCulture));
        }
    });

    private static async Task WithDatabaseAsync(DatabaseProvider provider, Func<IServiceProvider, Task> test)
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
            await test(sp);
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

    private static async Task<object?> ScalarAsync(StudyRecsDbContext db, string sql)
    {
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task ExecuteAsync(StudyRecsDbContext db, string sql)
    {
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            Add(command, "@at", DateTimeOffset.UnixEpoch);
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string FullName(StudyRecsDbContext db, string migration) =>
        db.Database.GetMigrations().Single(m => m.EndsWith("_" + migration, StringComparison.Ordinal));

    // A version row as the schemas before had it: the artifact in the versions' table (before the move) or in its own
    // table, a recommender's catalog map in the feature schema's column and "[]" as its datasets.
    private static async Task InsertVersionAsync(StudyRecsDbContext db, byte[] artifact, bool withArtifactColumn, string task = "Recommendation",
        string schema = "{\"resource_ids\":[1],\"last_event_id\":9}", string datasets = "[]")
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        var (column, value) = withArtifactColumn ? (", \"Artifact\"", ", @artifact") : ("", "");
        command.CommandText = $$"""
            INSERT INTO "TrainedModels" ("Version", "Task", "Algorithm", "SettingsJson", "MetricsJson", "FeatureSchemaJson"{{column}},
                "ArtifactSha256", "CreatedBy", "CreatedAt", "IsActive", "RowsUsed", "DatasetIdsJson", "DataHash", "DurationSeconds",
                "SelectionMetric", "SelectionScore")
            VALUES ('20260101000000', @task, 'popularity', '{}', '{}', @schema{{value}}, @sha, 'test', @at, @active, 0, @datasets, @hash, 0, 'ndcg_at_10', 0)
            """;
        Add(command, "@task", task);
        Add(command, "@schema", schema);
        Add(command, "@datasets", datasets);
        Add(command, "@artifact", artifact);
        Add(command, "@sha", new string('a', 64));
        Add(command, "@hash", new string('b', 64));
        Add(command, "@at", DateTimeOffset.UnixEpoch);
        Add(command, "@active", false);
        await command.ExecuteNonQueryAsync();
        if (!withArtifactColumn)
        {
            await using var bytes = connection.CreateCommand();
            bytes.CommandText = """INSERT INTO "TrainedModelArtifacts" ("Id", "Artifact") SELECT "Id", @artifact FROM "TrainedModels" WHERE "Task" = @task""";
            Add(bytes, "@artifact", artifact);
            Add(bytes, "@task", task);
            await bytes.ExecuteNonQueryAsync();
        }

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
