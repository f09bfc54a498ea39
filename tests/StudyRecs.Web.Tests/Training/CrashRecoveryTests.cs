using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Hosting;

namespace StudyRecs.Web.Tests.Training;

/// <summary>
/// Kills the portal process in the middle of a training and starts it again: nothing half-written may remain,
/// and the training must run again by itself and finish.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "studyrecs-crash", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> settings;

    public CrashRecoveryTests()
    {
        Directory.CreateDirectory(dataDirectory);
        settings = new()
        {
            ["Database:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = dataDirectory,
            ["Datasets:MinimumLabelledRowsToTrain"] = "200",
            ["Training:CvFolds"] = "5",
        };
    }

    private ServiceProvider OperatorServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings!).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddStudyRecsDatabase(configuration);
        services.AddScoped<DatabaseMigrator>();
        services.AddStudyRecsDatasets();
        services.AddStudyRecsTraining();
        services.AddStudyRecsScheduling(configuration, runScheduler: false);
        return services.BuildServiceProvider();
    }

    private async Task<T> QueryAsync<T>(Func<StudyRecsDbContext, Task<T>> query)
    {
        await using var sp = OperatorServices();
        await using var scope = sp.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>());
    }

    [Fact]
    public async Task A_training_killed_midway_leaves_no_model_and_runs_again_after_restart()
    {
        var port = PortalProcess.FreePort();
        long runId;
        using (var portal = PortalProcess.Start(settings, port))
        {
            await portal.WaitHealthyAsync();

            await using (var sp = OperatorServices())
            await using (var scope = sp.CreateAsyncScope())
            {
                var csv = new MemoryStream();
                await using (var writer = new StreamWriter(csv, leaveOpen: true))
                {
                    PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(150, Seed: 7), writer);
                }

                csv.Position = 0;
                var import = await scope.ServiceProvider.GetRequiredService<DatasetImportService>().ImportAsync(new DatasetUpload(csv, "term.csv"), CancellationToken.None);
                Assert.True(import.IsAccepted, import.Report.Summary);
                runId = (await scope.ServiceProvider.GetRequiredService<TrainingDispatcher>().EnqueueAsync(new TrainingRequest(null, "crash test"), CancellationToken.None)).Id;
            }

            // Wait until the training is inside cross-validation, then kill the process without warning.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (true)
            {
                var run = await QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().SingleAsync(r => r.Id == runId));
                if (run.Status == TrainingRunStatus.Running && run.Step.Contains("Cross-validating", StringComparison.Ordinal))
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"Training never got to cross-validation (status {run.Status}, step '{run.Step}').");
                await Task.Delay(100);
            }

            await portal.KillAsync();
        }

        Assert.Equal(0, await QueryAsync(db => db.Set<TrainedModel>().CountAsync()));
        Assert.Equal(0, await QueryAsync(db => db.Set<ModelRun>().CountAsync()));

        using (var restarted = PortalProcess.Start(settings, port))
        {
            await restarted.WaitHealthyAsync();
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (await QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().SingleAsync(r => r.Id == runId)) is { Status: not TrainingRunStatus.Succeeded } run)
            {
                Assert.NotEqual(TrainingRunStatus.Failed, run.Status);
                Assert.True(DateTime.UtcNow < deadline, $"The interrupted training did not finish after restart (status {run.Status}, step '{run.Step}').");
                await Task.Delay(500);
            }

            var models = await QueryAsync(db => db.Set<TrainedModel>().AsNoTracking().Select(m => new { m.Task, m.IsActive, m.TrainingRunId }).ToListAsync());
            Assert.Equal(2, models.Count);
            Assert.All(models, m => Assert.True(m.IsActive));
            Assert.All(models, m => Assert.Equal(runId, m.TrainingRunId));
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }
    }
}
