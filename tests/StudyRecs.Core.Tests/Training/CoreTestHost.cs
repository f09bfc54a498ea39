using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Tests.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Training;

/// <summary>A clock standing still, so two runs in the same second collide on their version.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    /// <summary>Called on every reading, on the reader's thread: lets a test act at an exact point of a run (a heartbeat).</summary>
    public Action? Reading { get; set; }

    public override DateTimeOffset GetUtcNow()
    {
        Reading?.Invoke();
        return Now;
    }
}

/// <summary>
/// Database, dataset, catalog, training, forecast and recommendation services over a temporary SQLite file (schema from
/// <c>EnsureCreated</c>), on a clock that stands still.
/// </summary>
internal sealed class CoreTestHost : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("studyrecs-core-").FullName;

    private CoreTestHost(IDictionary<string, string?> settings)
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

    /// <param name="minimumRows">Training:MinimumRows; null keeps the datasets' default (1,000).</param>
    /// <param name="folds">Training:CvFolds.</param>
    /// <param name="extra">Further settings, e.g. <c>Predictions:TopFactors</c>.</param>
    public static async Task<CoreTestHost> StartAsync(int? minimumRows = null, int folds = 5, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>()) { ["Training:CvFolds"] = folds.ToString(CultureInfo.InvariantCulture) };
        if (minimumRows is not null)
        {
            settings["Training:MinimumRows"] = minimumRows.Value.ToString(CultureInfo.InvariantCulture);
        }

        var host = new CoreTestHost(settings);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync();
        return host;
    }

    /// <summary>
    /// Imports a generated gradebook of <paramref name="students"/> students (10 rows each) and returns the accepted
    /// dataset. Generated classes share student ids (S00001...), so a second one overlaps the first: it replaces the
    /// older rows of the same student, semester and subject in training.
    /// </summary>
    public async Task<UploadedDataset> ImportGeneratedAsync(int students, int seed = 7)
    {
        await using var scope = Services.CreateAsyncScope();
        var import = scope.ServiceProvider.GetRequiredService<DatasetImportService>();
        var result = await import.ImportAsync(new DatasetUpload(new MemoryStream(DatasetTestKit.GeneratedCsv(students, seed)), $"generated-{students}-{seed}.csv",
            OnOverlap: OverlapPolicy.Replace), CancellationToken.None);
        Assert.True(result.IsAccepted, result.Report.Summary);
        return result.Dataset;
    }

    /// <summary>Creates and runs a training run in a fresh scope, as the scheduler would.</summary>
    public async Task<TrainingOutcome> TrainAsync(IReadOnlyList<long>? datasetIds = null, string by = "job")
    {
        await using var scope = Services.CreateAsyncScope();
        var pipeline = scope.ServiceProvider.GetRequiredService<TrainingPipeline>();
        var run = await pipeline.CreateRunAsync(new TrainingRequest(datasetIds, by), CancellationToken.None);
        return await pipeline.RunAsync(run.Id, CancellationToken.None);
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
