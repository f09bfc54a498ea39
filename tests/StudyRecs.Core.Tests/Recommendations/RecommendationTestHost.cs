using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Tests.Training;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Recommendations;

/// <summary>Database, catalog, training, forecast and recommendation services over a temporary SQLite file (schema from <c>EnsureCreated</c>).</summary>
internal sealed class RecommendationTestHost : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("studyrecs-recs-").FullName;

    private RecommendationTestHost(IDictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings:StudyRecs"] = $"Data Source={Path.Combine(_dir, "test.db")}",
            ["Storage:DataDirectory"] = _dir,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddStudyRecsDatabase(configuration);
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(StudyRecs.Tests.Databases.SqlServerQueryCheck.Instance);
        services.AddStudyRecsDatasets();
        services.AddStudyRecsResources();
        services.AddStudyRecsTraining();
        services.AddStudyRecsPredictions();
        services.AddStudyRecsRecommendations();
        services.AddSingleton<TimeProvider>(Clock);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.Zero));

    public ServiceProvider Services { get; }

    public static async Task<RecommendationTestHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var host = new RecommendationTestHost(settings ?? new Dictionary<string, string?>());
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync();
        return host;
    }

    /// <summary>Seeds the 74-resource starter catalog and returns its resources by id.</summary>
    public async Task<IReadOnlyList<LearningResource>> SeedCatalogAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StarterCatalogSeeder>().SeedAsync(CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Set<LearningResource>().OrderBy(r => r.Id));
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
