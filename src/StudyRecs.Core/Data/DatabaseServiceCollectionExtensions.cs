using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Storage;

namespace StudyRecs.Core.Data;

public static class DatabaseServiceCollectionExtensions
{
    /// <summary>Assembly holding the SQLite migrations.</summary>
    public const string SqliteMigrationsAssembly = "StudyRecs.Migrations.Sqlite";

    /// <summary>Assembly holding the PostgreSQL migrations.</summary>
    public const string PostgresMigrationsAssembly = "StudyRecs.Migrations.Postgres";

    /// <summary>Assembly holding the SQL Server migrations.</summary>
    public const string SqlServerMigrationsAssembly = "StudyRecs.Migrations.SqlServer";

    public const string ConnectionStringName = "StudyRecs";

    /// <summary>
    /// Registers <see cref="IDbContextFactory{TContext}"/> of <see cref="StudyRecsDbContext"/> (and a scoped context for Identity) for the configured provider, with options validated at start-up.
    /// </summary>
    public static IServiceCollection AddStudyRecsDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName));
        services.AddSingleton(TimeProvider.System);

        // Core services open a short-lived context per operation from the factory: a Blazor circuit's scope lives for
        // minutes and runs events concurrently, so one scoped context shared by a page would be used from two threads.
        // The scoped context stays for Identity's stores and the request-bound framework parts, made by the same factory.
        services.AddDbContextFactory<StudyRecsDbContext>((sp, options) =>
        {
            var db = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            Configure(options, db, configuration.GetConnectionString(ConnectionStringName), storage);

            // Features register their own save hooks (e.g. the study-plan link cache) as singletons.
            options.AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>());
        });
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<StudyRecsDbContext>>().CreateDbContext());
        return services;
    }

    /// <summary>Applies provider, connection and migrations assembly to a context builder (also used by design-time factories and tools).</summary>
    public static void Configure(DbContextOptionsBuilder options, DatabaseOptions db, string? connectionString, StorageOptions storage)
    {
        switch (db.Provider)
        {
            case DatabaseProvider.Sqlite:
                options.UseSqlite(SqliteConnectionString(connectionString, storage), o => o.MigrationsAssembly(SqliteMigrationsAssembly));
                options.AddInterceptors(new SqlitePragmaInterceptor(db.SqliteBusyTimeoutMilliseconds));

                // A SQLite migration that changes a column or a foreign key rebuilds the table, which turns foreign keys off
                // outside a transaction (SQLite allows it nowhere else). EF warns of it on every migration that does; the
                // rebuild's copy and rename still run in a transaction, so it is information, not a warning to print on
                // every `studyrecs` command that migrates a fresh database.
                options.ConfigureWarnings(w => w.Log((Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.NonTransactionalMigrationOperationWarning,
                    Microsoft.Extensions.Logging.LogLevel.Information)));
                break;
            case DatabaseProvider.Postgres:
                options.UseNpgsql(ServerConnectionString(db.Provider, connectionString, "\"Host=localhost;Database=studyrecs;Username=studyrecs;Password=...\""),
                    o => o.MigrationsAssembly(PostgresMigrationsAssembly));
                break;
            case DatabaseProvider.SqlServer:
                // No retrying execution strategy: the imports and training runs open their own transactions, which a
                // retrying strategy refuses; a failed unit of work is rolled back and reported like on the other servers.
                options.UseSqlServer(ServerConnectionString(db.Provider, connectionString, "\"Server=db.example.edu;Database=StudyRecs;User Id=studyrecs;Password=...;Encrypt=True\""),
                    o => o.MigrationsAssembly(SqlServerMigrationsAssembly));
                break;
            default:
                throw new OptionsValidationException(nameof(DatabaseOptions.Provider), typeof(DatabaseOptions),
                    [$"Database:Provider '{db.Provider}' is not supported; use Sqlite, Postgres or SqlServer."]);
        }
    }

    private static string ServerConnectionString(DatabaseProvider provider, string? connectionString, string example) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? throw new OptionsValidationException(ConnectionStringName, typeof(DatabaseOptions),
                [$"Database:Provider is {provider} but ConnectionStrings:StudyRecs is empty. Set it to a connection string for that server, e.g. {example}."])
            : connectionString;

    /// <summary>The configured SQLite connection string, or a file in the data folder when none is set.</summary>
    public static string SqliteConnectionString(string? configured, StorageOptions storage)
    {
        var builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured)
            ? $"Data Source={Path.Combine(storage.ResolveDataDirectory(), "studyrecs.db")}"
            : configured)
        {
            Cache = SqliteCacheMode.Default,
            Pooling = true,
        };
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && !file.StartsWith("file:", StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(file);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            builder.DataSource = full;
        }

        return builder.ToString();
    }
}
