using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

/// <summary>
/// The bulk insert paths of both database providers: SQLite always, PostgreSQL when STUDYRECS_TEST_POSTGRES holds a
/// server connection string (CI starts one); each run gets a fresh database, dropped afterwards.
/// </summary>
public class DatasetImportProviderTests
{
    private const string PostgresVariable = "STUDYRECS_TEST_POSTGRES";

    public static TheoryData<DatabaseProvider> Providers()
    {
        var data = new TheoryData<DatabaseProvider> { DatabaseProvider.Sqlite };
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresVariable)))
        {
            data.Add(DatabaseProvider.Postgres);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Accepted_rows_are_stored_and_a_rejected_file_leaves_no_rows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var good = GeneratedCsv(students: 11, seed: 4);
        var badRows = Enumerable.Range(0, 120).Select(i => Row(id: $"S{i}", grade: i == 119 ? "?" : "B")).ToArray();
        var withExtras = Encoding.UTF8.GetBytes(Header + ",Hours,Track\n" + Row(id: "X1") + ",12.5,Evening\n");

        var accepted = await database.ImportAsync(new DatasetUpload(new MemoryStream(good), "good.csv"));
        var rejected = await database.ImportAsync(new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(Csv(badRows))), "bad.csv"));
        var extras = await database.ImportAsync(new DatasetUpload(new MemoryStream(withExtras), "extras.csv"));

        Assert.True(accepted.IsAccepted);
        Assert.Equal(DatasetStatus.Rejected, rejected.Dataset.Status);
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        Assert.Equal(110, await db.Set<DatasetRow>().CountAsync(r => r.DatasetId == accepted.Dataset.Id));
        Assert.Equal(0, await db.Set<DatasetRow>().CountAsync(r => r.DatasetId == rejected.Dataset.Id));
        var last = await db.Set<DatasetRow>().Where(r => r.DatasetId == accepted.Dataset.Id).OrderByDescending(r => r.RowNumber).FirstAsync();
        Assert.Equal(111, last.RowNumber);
        var extra = await db.Set<DatasetRow>().SingleAsync(r => r.DatasetId == extras.Dataset.Id);
        Assert.Equal("{\"Hours\":12.5,\"Track\":\"Evening\"}", extra.ExtraFeaturesJson);
        Assert.Equal(1, await db.Set<UploadedDatasetFile>().CountAsync(f => f.DatasetId == accepted.Dataset.Id));
    }

    private sealed class TestDatabase : IAsyncDisposable
    {
        private readonly string _dir;
        private readonly string? _postgresServer;
        private readonly string? _postgresDatabase;

        private TestDatabase(string dir, ServiceProvider services, string? postgresServer, string? postgresDatabase)
        {
            _dir = dir;
            Services = services;
            _postgresServer = postgresServer;
            _postgresDatabase = postgresDatabase;
        }

        public ServiceProvider Services { get; }

        public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
        {
            var dir = Directory.CreateTempSubdirectory("studyrecs-provider-").FullName;
            string connectionString;
            string? server = null, name = null;
            if (provider == DatabaseProvider.Postgres)
            {
                server = Environment.GetEnvironmentVariable(PostgresVariable)!;
                name = "studyrecs_datasets_" + Guid.NewGuid().ToString("N")[..12];
                connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
            }
            else
            {
                connectionString = $"Data Source={Path.Combine(dir, "provider.db")}";
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider.ToString(),
                ["ConnectionStrings:StudyRecs"] = connectionString,
                ["Storage:DataDirectory"] = dir,
            }).Build();
            var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
            services.AddStudyRecsDatabase(configuration);
            services.AddStudyRecsDatasets();
            var built = services.BuildServiceProvider();
            await using (var scope = built.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync();
            }

            return new TestDatabase(dir, built, server, name);
        }

        public async Task<DatasetImportResult> ImportAsync(DatasetUpload upload)
        {
            await using var scope = Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<DatasetImportService>().ImportAsync(upload, CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await Services.DisposeAsync();
            SqliteConnection.ClearAllPools();
            if (_postgresDatabase is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = new NpgsqlConnection(_postgresServer);
                await connection.OpenAsync();
                await using var drop = connection.CreateCommand();
                drop.CommandText = $"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)";
                await drop.ExecuteNonQueryAsync();
            }

            Directory.Delete(_dir, recursive: true);
        }
    }
}
