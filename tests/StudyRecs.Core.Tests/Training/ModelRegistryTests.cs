using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Training;

/// <summary>Registry operations on hand-made versions (no training needed to switch models).</summary>
public sealed class ModelRegistryTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;

    public async Task InitializeAsync() => _host = await CoreTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Activating_an_older_version_switches_exactly_one_active_model_and_audits_it()
    {
        await AddAsync(Version(ModelTask.Regression, "20261101000000", active: false), Version(ModelTask.Regression, "20261102000000", active: true),
            Version(ModelTask.Classification, "20261102000000", active: true));

        var result = await WithRegistry(r => r.ActivateAsync(ModelTask.Regression, "20261101000000", "admin@example.org", " Newer model mispredicts the spring term ", CancellationToken.None));

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(new Dictionary<ModelTask, string> { [ModelTask.Regression] = "20261101000000", [ModelTask.Classification] = "20261102000000" },
            await WithRegistry(r => r.ActiveVersionsAsync(CancellationToken.None)));
        Assert.Equal("Version 20261101000000 replaced 20261102000000 as the active regression model. It is pinned: later trainings register their versions without activating them until an admin unpins the task.", result.Message);
        Assert.Equal(("20261101000000", true, "admin@example.org", "Newer model mispredicts the spring term"), (result.Model!.Version, result.Model.IsActive, result.Model.ActivatedBy, result.Model.ActivationReason));
        await _host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            var active = await db.Set<TrainedModel>().Where(m => m.IsActive).OrderBy(m => m.Task).Select(m => new { m.Task, m.Version }).ToListAsync();
            Assert.Equal([(ModelTask.Classification, "20261102000000"), (ModelTask.Regression, "20261101000000")], active.Select(a => (a.Task, a.Version)));
            var id = await db.Set<TrainedModel>().Where(m => m.Version == "20261101000000" && m.Task == ModelTask.Regression).Select(m => m.Id).SingleAsync();
            var artifact = await db.Set<ModelArtifact>().Where(a => a.ModelId == id).Select(a => a.Bytes).SingleAsync();
            Assert.Equal(new byte[] { 1, 2, 3 }, artifact);
            var audit = Assert.Single(await sp.GetRequiredService<ModelRegistry>().AuditAsync(ModelTask.Regression, CancellationToken.None));
            Assert.Equal(("20261102000000", "20261101000000", "admin@example.org", "Newer model mispredicts the spring term", _host.Clock.Now),
                (audit.FromVersion, audit.ToVersion, audit.By, audit.Reason, audit.At));
            Assert.Empty(await sp.GetRequiredService<ModelRegistry>().AuditAsync(ModelTask.Classification, CancellationToken.None));
            return 0;
        });
    }

    [Fact]
    public async Task Activation_refuses_an_empty_reason_an_unknown_version_and_the_active_pinned_version()
    {
        await AddAsync(Version(ModelTask.Regression, "20261101000000", active: true), Version(ModelTask.Regression, "20261102000000", active: false));

        var noReason = await WithRegistry(r => r.ActivateAsync(ModelTask.Regression, "20261102000000", "admin", "  ", CancellationToken.None));
        var unknown = await WithRegistry(r => r.ActivateAsync(ModelTask.Regression, "20990101000000", "admin", "try", CancellationToken.None));
        var wrongTask = await WithRegistry(r => r.ActivateAsync(ModelTask.Classification, "20261102000000", "admin", "try", CancellationToken.None));
        var pinsActive = await WithRegistry(r => r.ActivateAsync(ModelTask.Regression, "20261101000000", "admin", "keep it", CancellationToken.None));
        var already = await WithRegistry(r => r.ActivateAsync(ModelTask.Regression, "20261101000000", "admin", "try", CancellationToken.None));

        Assert.Equal((false, "Give a reason for the change; it is kept in the audit log."), (noReason.Succeeded, noReason.Message));
        Assert.Equal((false, "There is no regression model version '20990101000000'."), (unknown.Succeeded, unknown.Message));
        Assert.Equal((false, "There is no classification model version '20261102000000'."), (wrongTask.Succeeded, wrongTask.Message));
        Assert.Equal((ActivationFailure.MissingReason, ActivationFailure.UnknownVersion, ActivationFailure.UnknownVersion), (noReason.Failure, unknown.Failure, wrongTask.Failure));

        // The active version, not yet pinned, gets pinned without a switch; once pinned, activating it again is refused.
        Assert.Equal((true, "Version 20261101000000 is still the active regression model. It is pinned: later trainings register their versions without activating them until an admin unpins the task."),
            (pinsActive.Succeeded, pinsActive.Message));
        Assert.Equal((false, "Version 20261101000000 is already the active regression model, pinned by admin.", ActivationFailure.AlreadyActive), (already.Succeeded, already.Message, already.Failure));
        Assert.Equal("20261101000000", (await WithRegistry(r => r.GetActiveAsync(ModelTask.Regression, CancellationToken.None)))!.Version);
        Assert.Empty(await WithRegistry(r => r.AuditAsync(null, CancellationToken.None)));
    }

    [Fact]
    public async Task The_activity_watcher_tells_open_pages_what_changed_and_nothing_when_nothing_did()
    {
        var activity = new PortalActivity(_host.Services.GetRequiredService<IDbContextFactory<StudyRecsDbContext>>(), _host.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PortalActivity>.Instance);
        var told = new System.Collections.Concurrent.ConcurrentQueue<ActivityKinds>();
        var left = new System.Collections.Concurrent.ConcurrentQueue<ActivityKinds>();
        using var page = activity.Subscribe(changed => { told.Enqueue(changed); return Task.CompletedTask; });
        var leaving = activity.Subscribe(changed => { left.Enqueue(changed); return Task.CompletedTask; });
        Assert.Equal(2, activity.Subscribers);

        Assert.Equal(ActivityKinds.None, await activity.LookAsync(CancellationToken.None)); // the first look is the baseline
        await AddAsync(Version(ModelTask.Regression, "20261101000000", active: true));
        Assert.Equal(ActivityKinds.Models, await activity.LookAsync(CancellationToken.None));
        Assert.Equal(ActivityKinds.None, await activity.LookAsync(CancellationToken.None));

        leaving.Dispose();
        leaving.Dispose();
        Assert.Equal(1, activity.Subscribers);
        await AddAsync(Version(ModelTask.Regression, "20261103000000", active: false));
        Assert.Equal(ActivityKinds.Models, await activity.LookAsync(CancellationToken.None));
        Assert.True((await WithRegistry(r => r.ActivateAsync(ModelTask.Regression, "20261103000000", "admin", "newer", CancellationToken.None))).Succeeded);
        Assert.Equal(ActivityKinds.Models, await activity.LookAsync(CancellationToken.None));

        // A run queued elsewhere (another node, the CLI), then its progress, then its end.
        var run = new TrainingRun { TriggeredBy = "cli", Status = TrainingRunStatus.Queued, StartedAt = _host.Clock.Now };
        await _host.WithScopeAsync(sp => { var db = sp.GetRequiredService<StudyRecsDbContext>(); db.Add(run); return db.SaveChangesAsync(); });
        Assert.Equal(ActivityKinds.Training, await activity.LookAsync(CancellationToken.None));
        await SetRunAsync(run.Id, TrainingRunStatus.Running, "Cross-validating", 2);
        Assert.Equal(ActivityKinds.Training, await activity.LookAsync(CancellationToken.None));
        await SetRunAsync(run.Id, TrainingRunStatus.Running, "Cross-validating", 2);
        Assert.Equal(ActivityKinds.None, await activity.LookAsync(CancellationToken.None));
        await SetRunAsync(run.Id, TrainingRunStatus.Succeeded, "Done", 2);
        Assert.Equal(ActivityKinds.Training, await activity.LookAsync(CancellationToken.None));

        Assert.Equal([ActivityKinds.Models, ActivityKinds.Models, ActivityKinds.Models, ActivityKinds.Training, ActivityKinds.Training, ActivityKinds.Training], told);
        Assert.Equal([ActivityKinds.Models], left);
    }

    [Fact]
    public async Task A_page_that_fails_to_reload_does_not_keep_the_news_from_the_others()
    {
        var activity = new PortalActivity(_host.Services.GetRequiredService<IDbContextFactory<StudyRecsDbContext>>(), _host.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<PortalActivity>.Instance);
        var told = new TaskCompletionSource<ActivityKinds>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var failing = activity.Subscribe(_ => throw new InvalidOperationException("this page broke"));
        using var hanging = activity.Subscribe(_ => new TaskCompletionSource().Task);
        using var page = activity.Subscribe(changed => { told.TrySetResult(changed); return Task.CompletedTask; });

        await activity.LookAsync(CancellationToken.None);
        await AddAsync(Version(ModelTask.Classification, "20261101000000", active: true));
        Assert.Equal(ActivityKinds.Models, await activity.LookAsync(CancellationToken.None));
        Assert.Equal(ActivityKinds.Models, await told.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private Task<int> SetRunAsync(long id, TrainingRunStatus status, string step, int candidate) => _host.WithScopeAsync(sp =>
        sp.GetRequiredService<StudyRecsDbContext>().Set<TrainingRun>().Where(r => r.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, status).SetProperty(r => r.Step, step).SetProperty(r => r.CandidateIndex, candidate)));

    [Fact]
    public async Task The_database_rejects_a_second_active_model_for_one_task()
    {
        await AddAsync(Version(ModelTask.Regression, "20261101000000", active: true), Version(ModelTask.Classification, "20261101000000", active: true));

        await Assert.ThrowsAsync<DbUpdateException>(() => AddAsync(Version(ModelTask.Regression, "20261102000000", active: true)));
        await Assert.ThrowsAsync<DbUpdateException>(() => AddAsync(Version(ModelTask.Regression, "20261101000000", active: false)));
        await AddAsync(Version(ModelTask.Regression, "20261102000000", active: false));
        Assert.Equal(3, (await WithRegistry(r => r.ListAsync(null, CancellationToken.None))).Count);
    }

    [Fact]
    public async Task Runs_left_running_by_a_stopped_process_are_marked_interrupted_and_can_be_queued_again()
    {
        var dataset = await _host.ImportGeneratedAsync(3);
        var now = _host.Clock.Now;
        var (mine, otherLive, otherStale) = await _host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            var runs = new[]
            {
                Running(Environment.MachineName, now, dataset.Id),
                Running("other-node", now.AddMinutes(-1), null),
                Running("dead-node", now.AddHours(-2), null),
            };
            db.AddRange(runs);
            (await db.Set<UploadedDataset>().SingleAsync()).SetStatus(DatasetStatus.Training, now);
            await db.SaveChangesAsync();
            return (runs[0].Id, runs[1].Id, runs[2].Id);
        });

        var marked = await _host.WithScopeAsync(sp => sp.GetRequiredService<TrainingPipeline>().MarkInterruptedRunsAsync(CancellationToken.None));

        Assert.Equal(2, marked);
        await _host.WithScopeAsync(async sp =>
        {
            var registry = sp.GetRequiredService<ModelRegistry>();
            var run = (await registry.GetRunAsync(mine, CancellationToken.None))!;
            Assert.Equal(TrainingRunStatus.Interrupted, run.Status);
            Assert.Equal("The process stopped during \"Cross-validating regression candidate 2 of 6\"; nothing of this run was stored.", run.Error);
            Assert.Equal(TrainingRunStatus.Running, (await registry.GetRunAsync(otherLive, CancellationToken.None))!.Status);
            Assert.Equal(TrainingRunStatus.Interrupted, (await registry.GetRunAsync(otherStale, CancellationToken.None))!.Status);
            Assert.Equal(DatasetStatus.TrainingFailed, (await sp.GetRequiredService<StudyRecsDbContext>().Set<UploadedDataset>().SingleAsync()).Status);

            var again = await sp.GetRequiredService<TrainingPipeline>().CreateRunAsync(new TrainingRequest(null, "job", mine), CancellationToken.None);
            Assert.Equal((mine, TrainingRunStatus.Queued, null), (again.Id, again.Status, again.Error));
            return 0;
        });
    }

    [Fact]
    public async Task A_restart_interrupts_only_runs_whose_process_is_gone_not_those_of_another_live_process_on_the_same_machine()
    {
        // Two nodes on one machine: a second live process (its pid and start time recorded as a portal would), and
        // processes that are gone: one that exited, and this process's id with an earlier start (a reused id).
        using var neighbour = System.Diagnostics.Process.Start("sleep", "120");
        using var ended = System.Diagnostics.Process.Start("sleep", "120");
        try
        {
            var live = TrainingNode.Of(neighbour.Id)!;
            var dead = TrainingNode.Of(ended.Id)!;
            ended.Kill();
            await ended.WaitForExitAsync();
            var here = TrainingNode.Current;
            var reused = here with { StartedAtUnixSeconds = here.StartedAtUnixSeconds - 3600 };
            Assert.Equal((Environment.MachineName, neighbour.Id), (live.Machine, live.ProcessId));
            Assert.Equal(live, TrainingNode.Parse(live.ToString()));
            Assert.Equal((NodeLiveness.Alive, NodeLiveness.Alive, NodeLiveness.Gone, NodeLiveness.Gone), (live.CheckFromHere(), here.CheckFromHere(), dead.CheckFromHere(), reused.CheckFromHere()));
            var otherMachine = new TrainingNode("another-host", neighbour.Id, live.StartedAtUnixSeconds, live.PidNamespace);
            var otherContainer = live with { ProcessId = ended.Id, PidNamespace = "1" };
            Assert.Equal((NodeLiveness.Unknown, NodeLiveness.Unknown), (otherMachine.CheckFromHere(), otherContainer.CheckFromHere()));

            var now = _host.Clock.Now;
            var ids = await _host.WithScopeAsync(async sp =>
            {
                var db = sp.GetRequiredService<StudyRecsDbContext>();
                var runs = new[] { live, here, dead, reused, otherMachine, otherContainer }.Select(n => Running(n.ToString(), now, null)).ToArray();
                db.AddRange(runs);
                await db.SaveChangesAsync();
                return runs.Select(r => r.Id).ToArray();
            });

            Assert.Equal(2, await _host.WithScopeAsync(sp => sp.GetRequiredService<TrainingPipeline>().MarkInterruptedRunsAsync(CancellationToken.None)));
            var statuses = await _host.WithScopeAsync(async sp =>
                await sp.GetRequiredService<StudyRecsDbContext>().Set<TrainingRun>().OrderBy(r => r.Id).Select(r => r.Status).ToListAsync());
            Assert.Equal([TrainingRunStatus.Running, TrainingRunStatus.Running, TrainingRunStatus.Interrupted, TrainingRunStatus.Interrupted, TrainingRunStatus.Running, TrainingRunStatus.Running], statuses);
            Assert.Equal(ids.Order(), ids);

            // The dead process's run is queued again and runs on this node.
            await _host.WithScopeAsync(async sp =>
            {
                var again = await sp.GetRequiredService<TrainingPipeline>().CreateRunAsync(new TrainingRequest(null, "job", ids[2]), CancellationToken.None);
                Assert.Equal((ids[2], TrainingRunStatus.Queued), (again.Id, again.Status));
                return 0;
            });
        }
        finally
        {
            neighbour.Kill();
            await neighbour.WaitForExitAsync();
        }
    }

    private static TrainingRun Running(string worker, DateTimeOffset heartbeat, long? datasetId) => new()
    {
        TriggeredBy = "job",
        Status = TrainingRunStatus.Running,
        Step = "Cross-validating regression candidate 2 of 6",
        CandidateIndex = 2,
        CandidateCount = 6,
        StartedAt = heartbeat,
        HeartbeatAt = heartbeat,
        Worker = worker,
        TrainingDatasetIdsJson = datasetId is null ? null : $"[{datasetId}]",
    };

    private static TrainedModel Version(ModelTask task, string version, bool active) => new()
    {
        Version = version,
        Task = task,
        Algorithm = "gbdt",
        SettingsJson = "{}",
        MetricsJson = "{}",
        FeatureSchemaJson = "{}",
        ArtifactFormat = ArtifactFormats.EngineTrees,
        ArtifactLength = 3,
        ArtifactSha256 = new string('0', 64),
        CreatedBy = "job",
        IsActive = active,
        DatasetIdsJson = "[]",
        DataHash = new string('0', 64),
        SelectionMetric = "cv_rmse",
        SelectionScore = 5,
    };

    private Task<int> AddAsync(params TrainedModel[] models) => _host.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<StudyRecsDbContext>();
        db.AddRange(models);
        await db.SaveChangesAsync();
        db.AddRange(models.Select(m => new ModelArtifact { ModelId = m.Id, Bytes = [1, 2, 3] }));
        return await db.SaveChangesAsync();
    });

    private Task<T> WithRegistry<T>(Func<ModelRegistry, Task<T>> action) => _host.WithScopeAsync(sp => action(sp.GetRequiredService<ModelRegistry>()));
}
