using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Training;

/// <summary>Whole runs on small datasets (40 students, 3 folds): the activation rule, failures and cancellation.</summary>
public sealed class TrainingRunTests
{
    [Fact]
    public async Task A_retrained_model_replaces_the_active_one_only_when_it_is_not_worse()
    {
        await using var host = await CoreTestHost.StartAsync(minimumRows: 100, folds: 3);
        var dataset = await host.ImportGeneratedAsync(40);

        var first = await host.TrainAsync([dataset.Id]);
        var second = await host.TrainAsync([dataset.Id], by: "admin@example.org");

        // Same rows, same seed: equal scores count as not worse, and the clock standing still bumps the version.
        Assert.All(first.Models.Zip(second.Models), pair => Assert.Equal(pair.First.SelectionScore, pair.Second.SelectionScore));
        Assert.Equal(["20261122010203", "20261122010203"], first.Models.Select(m => m.Version));
        Assert.Equal(["20261122010204", "20261122010204"], second.Models.Select(m => m.Version));
        Assert.All(second.Models, m => Assert.True(m.IsActive));
        Assert.All(second.Models, m => Assert.Equal("admin@example.org", m.ActivatedBy));
        Assert.All(second.Models, m => Assert.Contains("is not worse than the active 20261122010203", m.ActivationReason, StringComparison.Ordinal));

        // Make the active versions look far better than anything retraining can reach.
        await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<TrainedModel>().Where(m => m.IsActive)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.SelectionScore, m => m.Task == ModelTask.Regression ? 0.5 : 0.99)));
        var third = await host.TrainAsync([dataset.Id]);

        Assert.Equal(TrainingRunStatus.Succeeded, third.Run.Status);
        Assert.All(third.Models, m => Assert.False(m.IsActive));
        Assert.Matches(@"^CV RMSE \d+(\.\d+)? is worse than the active 20261122010204 \(0\.5\)\.$", third.Models[0].NotActivatedReason);
        Assert.Matches(@"^CV weighted F1 0\.\d+ is worse than the active 20261122010204 \(0\.99\)\.$", third.Models[1].NotActivatedReason);
        Assert.Contains("kept inactive", third.Run.ResultSummary, StringComparison.Ordinal);

        await host.WithScopeAsync(async sp =>
        {
            var registry = sp.GetRequiredService<ModelRegistry>();
            foreach (var task in new[] { ModelTask.Regression, ModelTask.Classification })
            {
                Assert.Equal("20261122010204", (await registry.GetActiveAsync(task, CancellationToken.None))!.Version);
                Assert.Equal(["20261122010205", "20261122010204", "20261122010203"], (await registry.ListAsync(task, CancellationToken.None)).Select(m => m.Version));
                var audit = await registry.AuditAsync(task, CancellationToken.None);
                Assert.Equal([("20261122010203", "20261122010204"), (null, "20261122010203")], audit.Select(a => (a.FromVersion, a.ToVersion)));
            }

            Assert.Equal(3, (await registry.RecentRunsAsync(10, TrainingRunKind.Grades, CancellationToken.None)).Count);
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            Assert.Equal(DatasetStatus.Trained, (await db.Set<UploadedDataset>().SingleAsync()).Status);
            return 0;
        });
    }

    [Fact]
    public async Task Too_few_labelled_rows_fail_the_run_with_a_clear_message_and_no_model()
    {
        await using var host = await CoreTestHost.StartAsync();
        var dataset = await host.ImportGeneratedAsync(12);

        var outcome = await host.TrainAsync();

        Assert.Equal(TrainingRunStatus.Failed, outcome.Run.Status);
        Assert.Empty(outcome.Models);
        Assert.Matches(@"^Only \d+ labelled rows in dataset #\d+; training needs at least 1000 ", outcome.Run.Error);
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            Assert.Equal(0, await db.Set<TrainedModel>().CountAsync());
            Assert.Equal(0, await db.Set<ModelRun>().CountAsync());
            var stored = await db.Set<UploadedDataset>().SingleAsync(d => d.Id == dataset.Id);
            Assert.Equal(DatasetStatus.TrainingFailed, stored.Status);
            Assert.StartsWith("Only ", stored.ErrorText, StringComparison.Ordinal);
            var run = await sp.GetRequiredService<ModelRegistry>().GetRunAsync(outcome.Run.Id, CancellationToken.None);
            Assert.Equal((TrainingRunStatus.Failed, outcome.Run.Error), (run!.Status, run.Error));
            Assert.NotNull(run.FinishedAt);
            return 0;
        });
    }

    [Fact]
    public async Task A_run_refuses_datasets_that_are_not_accepted()
    {
        await using var host = await CoreTestHost.StartAsync();
        var outcome = await host.TrainAsync([404]);

        Assert.Equal(TrainingRunStatus.Failed, outcome.Run.Status);
        Assert.Equal("Dataset #404 does not exist.", outcome.Run.Error);
    }

    [Fact]
    public async Task A_run_cancelled_while_cross_validating_is_interrupted_and_stores_nothing_after_showing_its_progress()
    {
        // The engine's grid (3 candidates per task), as in the shared training fixture; ML.NET's has its own tests.
        await using var host = await CoreTestHost.StartAsync(minimumRows: 100, folds: 3, extra: new Dictionary<string, string?> { ["Training:Libraries:0"] = "studyrecs" });
        await host.ImportGeneratedAsync(40);
        using var cancel = new CancellationTokenSource();
        await using var scope = host.Services.CreateAsyncScope();
        var pipeline = scope.ServiceProvider.GetRequiredService<TrainingPipeline>();
        var run = await pipeline.CreateRunAsync(new TrainingRequest(null, "job"), CancellationToken.None);

        // At every heartbeat of the run (the clock is read just before progress is saved), another scope reads the
        // run as the dataset page's polling does; once it shows the second candidate, the run is cancelled. Acting at
        // the heartbeat rather than from a polling loop makes the cancellation land mid-run however fast training is.
        var inRun = new AsyncLocal<bool>();
        TrainingRun? polled = null;
        host.Clock.Reading = () =>
        {
            if (!inRun.Value || polled is not null)
            {
                return;
            }

            using var reader = host.Services.CreateScope();
            var seen = reader.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<TrainingRun>().AsNoTracking().Single(r => r.Id == run.Id);
            if (seen.CandidateIndex >= 2)
            {
                polled = seen;
                cancel.Cancel();
            }
        };

        var training = Task.Run(() =>
        {
            inRun.Value = true;
            return pipeline.RunAsync(run.Id, cancel.Token);
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => training);
        host.Clock.Reading = null;

        Assert.NotNull(polled);
        Assert.Equal(TrainingRunStatus.Running, polled!.Status);
        Assert.Matches(@"^Cross-validating (regression|classification) candidate [2-6] of 6$", polled.Step);
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            var stored = await db.Set<TrainingRun>().SingleAsync();
            Assert.Equal((TrainingRunStatus.Interrupted, "The run was cancelled before it finished; nothing was stored."), (stored.Status, stored.Error));
            Assert.Equal(0, await db.Set<TrainedModel>().CountAsync());
            Assert.Equal(0, await db.Set<ModelRun>().CountAsync());
            Assert.Equal(0, await db.Set<ModelActivationAudit>().CountAsync());
            Assert.Equal(DatasetStatus.TrainingFailed, (await db.Set<UploadedDataset>().SingleAsync()).Status);
            return 0;
        });
    }
}
