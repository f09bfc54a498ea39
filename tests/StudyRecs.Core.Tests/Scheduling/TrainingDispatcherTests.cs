using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Tests.Training;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Scheduling;

/// <summary>The dispatcher against a real database and an in-memory scheduler that is never started (nothing trains).</summary>
public sealed class TrainingDispatcherTests : IAsyncLifetime
{
    private readonly ServiceProvider _quartz = new ServiceCollection().AddLogging()
        .AddQuartz(q => q.ConfigureScheduler(o => o.InstanceName = "dispatcher-test-" + Guid.NewGuid().ToString("N"))).BuildServiceProvider();
    private CoreTestHost _host = null!;

    private ISchedulerFactory Schedulers => _quartz.GetRequiredService<ISchedulerFactory>();

    public async Task InitializeAsync() => _host = await CoreTestHost.StartAsync();

    public async Task DisposeAsync()
    {
        await (await Schedulers.GetScheduler()).Shutdown();
        await _quartz.DisposeAsync();
        await _host.DisposeAsync();
    }

    private Task<TrainingRun> EnqueueAsync(IReadOnlyList<long>? datasetIds) => _host.WithScopeAsync(sp =>
        new TrainingDispatcher(Schedulers, sp.GetRequiredService<TrainingPipeline>(), sp.GetRequiredService<IDbContextFactory<StudyRecsDbContext>>(),
            sp.GetRequiredService<IOptions<DatasetOptions>>(), sp.GetRequiredService<TimeProvider>())
            .EnqueueAsync(new TrainingRequest(datasetIds, "test"), CancellationToken.None));

    private Task<Dictionary<long, DatasetStatus>> StatusesAsync() => _host.WithScopeAsync(sp =>
        sp.GetRequiredService<StudyRecsDbContext>().Set<UploadedDataset>().AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Status));

    [Fact]
    public async Task Queuing_a_training_marks_the_datasets_it_will_train_on_as_QueuedForTraining()
    {
        var first = await _host.ImportGeneratedAsync(3, seed: 1);
        var second = await _host.ImportGeneratedAsync(3, seed: 2);
        var third = await _host.ImportGeneratedAsync(3, seed: 3);

        await EnqueueAsync([first.Id, second.Id]);

        var statuses = await StatusesAsync();
        Assert.Equal(DatasetStatus.QueuedForTraining, statuses[first.Id]);
        Assert.Equal(DatasetStatus.QueuedForTraining, statuses[second.Id]);
        Assert.Equal(DatasetStatus.Accepted, statuses[third.Id]);

        await EnqueueAsync(null);

        Assert.All((await StatusesAsync()).Values, s => Assert.Equal(DatasetStatus.QueuedForTraining, s));
    }

    [Fact]
    public async Task A_queued_dataset_moves_on_to_Trained_when_the_run_trains_on_it()
    {
        var dataset = await _host.ImportGeneratedAsync(120);
        var run = await EnqueueAsync(null);

        await _host.WithScopeAsync(sp => sp.GetRequiredService<TrainingPipeline>().RunAsync(run.Id, CancellationToken.None));

        Assert.Equal(DatasetStatus.Trained, (await StatusesAsync())[dataset.Id]);
    }
}
