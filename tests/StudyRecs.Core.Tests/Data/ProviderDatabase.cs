using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Tests.Data;

/// <summary>
/// A fresh database of any provider for tests of provider-specific paths: SQLite always, PostgreSQL when
/// STUDYRECS_TEST_POSTGRES holds a server connection string (CI starts one), SQL Server when STUDYRECS_TEST_SQLSERVER
/// does (see <see cref="SqlServerFactAttribute"/>); each gets its own database, dropped afterwards.
/// </summary>
internal sealed class ProviderDatabase : IAsyncDisposable
{
    private const string PostgresVariable = "STUDYRECS_TEST_POSTGRES";

    private readonly DatabaseProvider _provider;

    private readonly string _dir;
    private readonly string? _server;
    private readonly string? _database;

    private ProviderDatabase(DatabaseProvider provider, string dir, ServiceProvider services, string? server, string? database)
    {
        _provider = provider;
        _dir = dir;
        Services = services;
        _server = server;
        _database = database;
    }

    public ServiceProvider Services { get; }

    /// <summary>SQLite, and PostgreSQL when a server is configured (SQL Server runs in <see cref="SqlServerFactAttribute"/> tests).</summary>
    public static TheoryData<DatabaseProvider> Providers()
    {
        var data = new TheoryData<DatabaseProvider> { DatabaseProvider.Sqlite };
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresVariable)))
        {
            data.Add(DatabaseProvider.Postgres);
        }

        return data;
    }

    /// <summary>A database with the schema created; <paramref name="configure"/> adds the feature services under test.</summary>
    public static async Task<ProviderDatabase> CreateAsync(DatabaseProvider provider, string purpose, Action<IServiceCollection>? configure = null)
    {
        var dir = Directory.CreateTempSubdirectory("studyrecs-provider-").FullName;
        string connectionString;
        string? server = null, name = null;
        if (provider == DatabaseProvider.Postgres)
        {
            server = Environment.GetEnvironmentVariable(PostgresVariable)!;
            name = $"studyrecs_{purpose}_" + Guid.NewGuid().ToString("N")[..12];
            connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        }
        else if (provider == DatabaseProvider.SqlServer)
        {
            server = SqlServerFactAttribute.Server ?? throw new InvalidOperationException($"Set {SqlServerFactAttribute.Variable} to run SQL Server tests.");
            name = $"studyrecs_{purpose}_" + Guid.NewGuid().ToString("N")[..12];
            connectionString = new SqlConnectionStringBuilder(server) { InitialCatalog = name }.ConnectionString;
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
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(StudyRecs.Tests.Databases.SqlServerQueryCheck.Instance);
        configure?.Invoke(services);
        var built = services.BuildServiceProvider();
        await using (var scope = built.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync();
        }

        return new ProviderDatabase(provider, dir, built, server, name);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_database is not null && _provider == DatabaseProvider.SqlServer)
        {
            SqlConnection.ClearAllPools();
            await using var connection = new SqlConnection(_server);
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = $"IF DB_ID(N'{_database}') IS NOT NULL BEGIN ALTER DATABASE [{_database}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_database}]; END";
            await drop.ExecuteNonQueryAsync();
        }
        else if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_server);
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = $"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)";
            await drop.ExecuteNonQueryAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
