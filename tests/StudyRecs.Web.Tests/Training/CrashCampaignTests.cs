using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Hosting;
using Xunit.Abstractions;

namespace StudyRecs.Web.Tests.Training;

/// <summary>
/// Issue 17's crash campaign (Faults, "Crashes"): each cycle starts a training, uploads a large gradebook through
/// <c>POST /api/datasets</c>, kills the portal (SIGKILL) while both are in progress, checks the database as the crash
/// left it, restarts the portal and checks again: no rows of the cut import, the import Rejected with the
/// interruption's reason, the training run marked interrupted and run again to the end, no half-written model
/// version, the active versions unchanged by the crash, and <c>PRAGMA integrity_check</c> answering ok.
/// CI runs 3 cycles with a 1,000,000-row import (at 100,000 rows a quiet machine finished the import before the kill);
/// <c>bench/faults/crash-campaign.sh</c> runs 20
/// (settings <c>STUDYRECS_CRASH_CYCLES</c>, <c>STUDYRECS_CRASH_ROWS</c>, <c>STUDYRECS_CRASH_CSV</c>: a gradebook made
/// by <c>studyrecs generate performance</c>).
/// </summary>
public sealed class CrashCampaignTests : IDisposable
{
    private const string Password = "Crash-Campaign-42";
    private const string Email = "crash-admin@test.local";
    private readonly ITestOutputHelper log;
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "studyrecs-crash-campaign", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> settings;
    private readonly int cycles = int.Parse(Environment.GetEnvironmentVariable("STUDYRECS_CRASH_CYCLES") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
    private readonly int rows = int.Parse(Environment.GetEnvironmentVariable("STUDYRECS_CRASH_ROWS") ?? "1000000", System.Globalization.CultureInfo.InvariantCulture);

    public CrashCampaignTests(ITestOutputHelper log)
    {
        this.log = log;
        Directory.CreateDirectory(dataDirectory);
        settings = new()
        {
            ["Database:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = dataDirectory,
            ["Datasets:MinimumLabelledRowsToTrain"] = "200",
            ["Datasets:MaxUploadBytes"] = (512L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            // One library and two folds: a training of a few seconds on a quiet machine, long enough for the kill to land.
            ["Training:CvFolds"] = "2",
            ["Training:Libraries:0"] = "studyrecs",
        };
    }

    private ServiceProvider OperatorServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings!).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddStudyRecsDatabase(configuration);
        services.AddStudyRecsIdentity();
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

    private string DatabaseFile => Path.Combine(dataDirectory, "studyrecs.db");

    private string IntegrityCheck()
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return string.Join("; ", ReadAll(command));

        static IEnumerable<string> ReadAll(SqliteCommand command)
        {
            using var reader = command.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read())
            {
                lines.Add(reader.GetString(0));
            }

            return lines;
        }
    }

    private Task<Dictionary<ModelTask, string>> ActiveVersionsAsync() =>
        QueryAsync(db => db.Set<TrainedModel>().AsNoTracking().Where(m => m.IsActive).ToDictionaryAsync(m => m.Task, m => m.Version));

    private async Task<string> BigGradebookAsync()
    {
        if (Environment.GetEnvironmentVariable("STUDYRECS_CRASH_CSV") is { Length: > 0 } given)
        {
            return given;
        }

        // Students far from the training set's, so the upload overlaps nothing; 10 rows a student.
        var path = Path.Combine(dataDirectory, "big.csv");
        await using var writer = new StreamWriter(path);
        PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(rows / 10, Seed: 11, FirstStudent: 200_001), writer);
        return path;
    }

    private static async Task<string> TokenAsync(PortalProcess portal)
    {
        using var http = new HttpClient { BaseAddress = portal.Address };
        var answer = await http.PostAsJsonAsync("/api/auth/login", new { email = Email, password = Password });
        answer.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("accessToken").GetString()!;
    }

    private static async Task<HttpResponseMessage> UploadAsync(PortalProcess portal, string token, string path, string fileName)
    {
        using var http = new HttpClient { BaseAddress = portal.Address, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await using var file = File.OpenRead(path);
        using var content = new MultipartFormDataContent { { new StreamContent(file), "file", fileName } };
        return await http.PostAsync("/api/datasets", content);
    }

    [Fact]
    public async Task Killing_the_portal_mid_import_and_mid_training_leaves_nothing_half_written_and_the_training_runs_again()
    {
        var total = Stopwatch.StartNew();
        var big = await BigGradebookAsync();
        var port = PortalProcess.FreePort();
        var portal = PortalProcess.Start(settings, port);
        try
        {
            await portal.WaitHealthyAsync();
            await using (var sp = OperatorServices())
            await using (var scope = sp.CreateAsyncScope())
            {
                var created = await scope.ServiceProvider.GetRequiredService<UserAdministration>().CreateAsync(new NewAccount(Email, Password, Roles.Admin, null, "Crash campaign"));
                Assert.True(created.Succeeded, string.Join(" ", created.Errors));
            }

            // The training set (through the API too): enough for several seconds of cross-validation.
            var training = Path.Combine(dataDirectory, "term.csv");
            await using (var writer = new StreamWriter(training))
            {
                PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(200, Seed: 7), writer);
            }

            var token = await TokenAsync(portal);
            using (var accepted = await UploadAsync(portal, token, training, "term.csv"))
            {
                Assert.True(accepted.IsSuccessStatusCode, await accepted.Content.ReadAsStringAsync());
            }

            // An accepted upload may queue a training of its own: let it finish, so only the campaign's runs change models.
            await WaitForAsync("the upload's training to finish", async () =>
                !await QueryAsync(db => db.Set<TrainingRun>().AnyAsync(r => r.Status == TrainingRunStatus.Queued || r.Status == TrainingRunStatus.Running)));
            log.WriteLine($"set-up (portal, account, training set) took {total.Elapsed.TotalSeconds:F1} s");

            var random = new Random(17);
            for (var cycle = 1; cycle <= cycles; cycle++)
            {
                var watch = Stopwatch.StartNew();
                long runId;
                await using (var sp = OperatorServices())
                await using (var scope = sp.CreateAsyncScope())
                {
                    runId = (await scope.ServiceProvider.GetRequiredService<TrainingDispatcher>().EnqueueAsync(new TrainingRequest(null, $"crash cycle {cycle}"), CancellationToken.None)).Id;
                }

                await WaitForAsync($"training run {runId} to cross-validate", async () =>
                    await QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().SingleAsync(r => r.Id == runId)) is { Status: TrainingRunStatus.Running } run
                    && run.Step.Contains("Cross-validating", StringComparison.Ordinal));
                var activeBefore = await ActiveVersionsAsync();

                // The upload runs until the kill cuts its connection.
                var fileName = $"crash-{cycle}.csv";
                var upload = UploadAsync(portal, token, big, fileName);
                await WaitForAsync($"import of {fileName} to start", async () =>
                    await QueryAsync(db => db.Set<UploadedDataset>().AnyAsync(d => d.FileName == fileName && d.Status == DatasetStatus.Validating)));
                await Task.Delay(random.Next(200, 1200));
                await portal.KillAsync();
                try
                {
                    (await upload).Dispose();
                }
                catch (HttpRequestException)
                {
                    // The connection died with the process, as expected.
                }

                var killedAfter = watch.Elapsed;

                // As the crash left it.
                Assert.Equal("ok", IntegrityCheck());
                var dataset = await QueryAsync(db => db.Set<UploadedDataset>().AsNoTracking().SingleAsync(d => d.FileName == fileName));
                Assert.True(dataset.Status is DatasetStatus.Uploaded or DatasetStatus.Validating, $"Cycle {cycle}: the kill missed the import (it is {dataset.Status}).");
                Assert.Equal(0, await QueryAsync(db => db.Set<DatasetRow>().CountAsync(r => r.DatasetId == dataset.Id)));
                var killedRun = await QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().SingleAsync(r => r.Id == runId));
                Assert.True(killedRun.Status == TrainingRunStatus.Running, $"Cycle {cycle}: the kill missed the training (it is {killedRun.Status}).");
                Assert.Equal(0, await QueryAsync(db => db.Set<TrainedModel>().CountAsync(m => m.TrainingRunId == runId)));
                Assert.Equal(0, await QueryAsync(db => db.Set<ModelRun>().CountAsync(m => m.TrainingRunId == runId)));
                Assert.Equal(activeBefore, await ActiveVersionsAsync());

                portal.Dispose();
                portal = PortalProcess.Start(settings, port);
                await portal.WaitHealthyAsync();
                var restartedAfter = watch.Elapsed;

                // After the restart: the import is rejected with the reason, and still has no rows.
                var recovered = await QueryAsync(db => db.Set<UploadedDataset>().AsNoTracking().SingleAsync(d => d.Id == dataset.Id));
                Assert.Equal((DatasetStatus.Rejected, DatasetImportService.InterruptedImportError), (recovered.Status, recovered.ErrorText));
                Assert.Equal(0, await QueryAsync(db => db.Set<DatasetRow>().CountAsync(r => r.DatasetId == dataset.Id)));

                // The run was marked interrupted at start-up and runs again to the end, storing complete versions.
                await WaitForAsync($"training run {runId} to finish after the restart", async () =>
                {
                    var run = await QueryAsync(db => db.Set<TrainingRun>().AsNoTracking().SingleAsync(r => r.Id == runId));
                    Assert.NotEqual(TrainingRunStatus.Failed, run.Status);
                    return run.Status == TrainingRunStatus.Succeeded;
                });
                Assert.Contains($"Training run {runId} was interrupted during", portal.Output, StringComparison.Ordinal);
                var models = await QueryAsync(db => db.Set<TrainedModel>().AsNoTracking().Where(m => m.TrainingRunId == runId).Select(m => new { m.Task, m.ArtifactLength }).ToListAsync());
                Assert.Equal(2, models.Count);
                Assert.All(models, m => Assert.True(m.ArtifactLength > 0));
                Assert.Equal("ok", IntegrityCheck());
                log.WriteLine($"cycle {cycle}: killed after {killedAfter.TotalSeconds:F1} s (import and training in progress), healthy again after {restartedAfter.TotalSeconds:F1} s, interrupted run #{runId} finished after {watch.Elapsed.TotalSeconds:F1} s; checks passed");
            }

            log.WriteLine($"crash campaign: {cycles} cycles, {rows:N0}-row import, {total.Elapsed.TotalSeconds:F0} s in all");
        }
        finally
        {
            portal.Dispose();
        }
    }

    private static async Task WaitForAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
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
