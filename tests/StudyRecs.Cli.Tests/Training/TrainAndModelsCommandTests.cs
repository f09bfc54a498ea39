using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Tests.Hosting;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Cli.Tests.Training;

/// <summary>
/// <c>studyrecs train</c> and <c>studyrecs models list|activate</c> as an operator runs them, on a fresh data folder.
/// The portal's scheduler is not running here, so the queued runs are executed by the pipeline in-process, on the
/// same database, the way the scheduler would.
/// </summary>
public sealed class TrainAndModelsCommandTests : IDisposable
{
    private readonly CliProcess _cli = new();

    public TrainAndModelsCommandTests()
    {
        _cli.Environment["Datasets__MinimumLabelledRowsToTrain"] = "100";
        _cli.Environment["Training__CvFolds"] = "3";
    }

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var (exit, output, error) = await _cli.RunAsync(args);
        return (exit, output + error);
    }

    private ServiceProvider TrainingServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:StudyRecs"] = $"Data Source={Path.Combine(_cli.DataDirectory, "studyrecs.db")}",
            ["Storage:DataDirectory"] = _cli.DataDirectory,
            ["Datasets:MinimumLabelledRowsToTrain"] = "100",
            ["Training:CvFolds"] = "3",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddStudyRecsDatabase(configuration);
        services.AddStudyRecsDatasets();
        services.AddStudyRecsTraining();
        return services.BuildServiceProvider();
    }

    /// <summary>Runs a queued training run to its end, as the portal's scheduler would.</summary>
    private async Task<TrainingOutcome> ExecuteRunAsync(long runId)
    {
        await using var sp = TrainingServices();
        await using var scope = sp.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TrainingPipeline>().RunAsync(runId, CancellationToken.None);
    }

    private async Task<List<TrainedModel>> ModelsAsync()
    {
        await using var sp = TrainingServices();
        await using var scope = sp.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<TrainedModel>().AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    [Fact]
    public async Task Train_queues_runs_and_models_lists_and_rolls_versions_back_and_forth()
    {
        Assert.Contains("No model versions yet", (await RunAsync("models", "list")).Output, StringComparison.Ordinal);

        var file = Path.Combine(_cli.DataDirectory, "term.csv");
        Assert.Equal(0, (await RunAsync("generate", "performance", "--students", "30", "--out", file)).Exit);
        Assert.Equal(0, (await RunAsync("import", "--file", file, "--label", "term 1")).Exit);
        Assert.Equal(TrainingRunStatus.Succeeded, (await ExecuteRunAsync(1)).Run.Status);

        var (exit, output) = await RunAsync("train", "--dataset", "1");
        Assert.True(exit == 0, output);
        Assert.Contains("Queued training run 2.", output, StringComparison.Ordinal);
        Assert.Equal(TrainingRunStatus.Succeeded, (await ExecuteRunAsync(2)).Run.Status);

        var models = await ModelsAsync();
        Assert.Equal(4, models.Count);
        var listed = await RunAsync("models", "list", "--task", "regression");
        Assert.Equal(0, listed.Exit);
        var lines = listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("regression", l, StringComparison.Ordinal));
        var inactive = models.Last(m => m.Task == ModelTask.Regression && !m.IsActive).Version;

        var (activated, said) = await RunAsync("models", "activate", "--version", inactive, "--task", "both", "--reason", "roll back after a bad term");
        Assert.True(activated == 0, said);
        var now = await ModelsAsync();
        Assert.Equal(inactive, now.Single(m => m.Task == ModelTask.Regression && m.IsActive).Version);
        Assert.Equal(inactive, now.Single(m => m.Task == ModelTask.Classification && m.IsActive).Version);
        Assert.Contains("It is pinned", said, StringComparison.Ordinal);
        var pinnedList = (await RunAsync("models", "list")).Output;
        Assert.Contains($"{inactive,-15} pinned", pinnedList, StringComparison.Ordinal);
        Assert.Contains($"regression is pinned to {inactive}", pinnedList, StringComparison.Ordinal);

        // A training while pinned registers its versions but leaves the hand-chosen ones active.
        Assert.Contains("Queued training run 3.", (await RunAsync("train")).Output, StringComparison.Ordinal);
        var held = await ExecuteRunAsync(3);
        Assert.All(held.Models, m => Assert.False(m.IsActive, m.Task.ToString()));
        Assert.All(held.Models, m => Assert.Contains("pinned", m.NotActivatedReason, StringComparison.Ordinal));

        var unpinned = await RunAsync("models", "unpin", "--task", "both", "--reason", "term fixed");
        Assert.True(unpinned.Exit == 0, unpinned.Output);
        Assert.Contains("Regression: The regression model is no longer pinned", unpinned.Output, StringComparison.Ordinal);
        var notPinned = await RunAsync("models", "unpin", "--task", "regression");
        Assert.Equal(2, notPinned.Exit);
        Assert.Contains("The regression model is not pinned", notPinned.Output, StringComparison.Ordinal);
        Assert.Contains("Unknown task 'grades'", (await RunAsync("models", "unpin", "--task", "grades")).Output, StringComparison.Ordinal);
        Assert.Contains("Queued training run 4.", (await RunAsync("train")).Output, StringComparison.Ordinal);
        Assert.All((await ExecuteRunAsync(4)).Models, m => Assert.True(m.IsActive, m.NotActivatedReason));

        // Activating the version that is active and pinned is refused with a message, and so are bad arguments.
        Assert.Equal(0, (await RunAsync("models", "activate", "--version", inactive, "--task", "regression")).Exit);
        var again = await RunAsync("models", "activate", "--version", inactive, "--task", "regression");
        Assert.Equal(2, again.Exit);
        Assert.Contains("Regression:", again.Output, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("models", "activate", "--version", "19990101000000", "--task", "regression")).Exit);
        var badTask = await RunAsync("models", "activate", "--version", inactive, "--task", "grades");
        Assert.Equal(2, badTask.Exit);
        Assert.Contains("Unknown task 'grades'", badTask.Output, StringComparison.Ordinal);
        Assert.Contains("Unknown task 'marks'", (await RunAsync("models", "list", "--task", "marks")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_refuses_conflicting_options_and_gives_up_waiting_when_no_scheduler_runs()
    {
        var both = await RunAsync("train", "--dataset", "1", "--all");
        Assert.Equal(2, both.Exit);
        Assert.Contains("Use either --dataset or --all, not both.", both.Output, StringComparison.Ordinal);

        var (exit, output) = await RunAsync("train", "--wait", "--timeout", "2");
        Assert.Equal(2, exit);
        Assert.Contains("Queued training run 1.", output, StringComparison.Ordinal);
        Assert.Contains("Gave up waiting; is the portal (which runs the scheduler) running? The run stays queued.", output, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
