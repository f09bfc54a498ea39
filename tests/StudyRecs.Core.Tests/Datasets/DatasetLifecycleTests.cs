using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Auditing;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Storage;
using StudyRecs.Core.Tests.Training;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Datasets;

/// <summary>Archive, restore and delete against a real database and an in-memory scheduler that is never started.</summary>
public sealed class DatasetLifecycleTests : IAsyncLifetime
{
    private readonly ServiceProvider _quartz = new ServiceCollection().AddLogging()
        .AddQuartz(q => q.ConfigureScheduler(o => o.InstanceName = "lifecycle-test-" + Guid.NewGuid().ToString("N"))).BuildServiceProvider();
    private CoreTestHost _host = null!;
    private static readonly DatasetActor Owner = new("teacher-1", "one@example.org", IsAdmin: false);
    private static readonly DatasetActor OtherTeacher = new("teacher-2", "two@example.org", IsAdmin: false);
    private static readonly DatasetActor Admin = new("admin-1", "admin@example.org", IsAdmin: true);

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        await _host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            db.AddRange(new ApplicationUser { Id = "teacher-1", UserName = "one@example.org" }, new ApplicationUser { Id = "teacher-2", UserName = "two@example.org" });
            return await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync()
    {
        await (await _quartz.GetRequiredService<ISchedulerFactory>().GetScheduler()).Shutdown();
        await _quartz.DisposeAsync();
        await _host.DisposeAsync();
    }

    private async Task<UploadedDataset> UploadAsync(string owner, int students, int first)
    {
        var csv = new StringWriter();
        Core.Datasets.Generation.PerformanceDataGenerator.WriteCsv(new Core.Datasets.Generation.PerformanceDataSpec(students, FirstStudent: first), csv);
        var result = await _host.WithScopeAsync(sp => sp.GetRequiredService<DatasetImportService>().ImportAsync(
            new DatasetUpload(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv.ToString())), $"class-{first}.csv", UploaderId: owner), CancellationToken.None));
        Assert.True(result.IsAccepted, result.Report.Summary);
        return result.Dataset;
    }

    private Task<DatasetChangeResult> ChangeAsync(Func<DatasetLifecycle, Task<DatasetChangeResult>> change) => _host.WithScopeAsync(sp =>
        change(new DatasetLifecycle(sp.GetRequiredService<IDbContextFactory<StudyRecsDbContext>>(), sp.GetRequiredService<IOptions<StorageOptions>>(),
            sp.GetRequiredService<TimeProvider>(), NullLogger<DatasetLifecycle>.Instance,
            new TrainingDispatcher(_quartz.GetRequiredService<ISchedulerFactory>(), sp.GetRequiredService<TrainingPipeline>(),
                sp.GetRequiredService<IDbContextFactory<StudyRecsDbContext>>(), sp.GetRequiredService<IOptions<DatasetOptions>>(), sp.GetRequiredService<TimeProvider>()))));

    private Task<T> DbAsync<T>(Func<StudyRecsDbContext, Task<T>> query) => _host.WithScopeAsync(sp => query(sp.GetRequiredService<StudyRecsDbContext>()));

    private Task<IReadOnlyList<AuditEntry>> AuditAsync() => _host.WithScopeAsync(sp => sp.GetRequiredService<AuditLog>().ListAsync(null, 100, CancellationToken.None));

    [Fact]
    public async Task A_teacher_archives_their_dataset_training_leaves_it_out_the_change_is_audited_and_a_retraining_queued()
    {
        var mine = await UploadAsync("teacher-1", 3, first: 1);
        var other = await UploadAsync("teacher-2", 3, first: 101);

        var result = await ChangeAsync(l => l.ArchiveAsync(mine.Id, Owner, "last year's class", CancellationToken.None));

        Assert.True(result.Succeeded, result.Message);
        Assert.NotNull(result.QueuedRun);
        Assert.Contains($"Training run {result.QueuedRun.Id} is queued", result.Message, StringComparison.Ordinal);
        var stored = await DbAsync(db => db.Set<UploadedDataset>().AsNoTracking().SingleAsync(d => d.Id == mine.Id));
        Assert.Equal((_host.Clock.Now, "one@example.org"), (stored.ArchivedAt, stored.ArchivedBy));
        Assert.Equal(30, await DbAsync(db => db.Set<DatasetRow>().CountAsync(r => r.DatasetId == mine.Id)));
        var trainsOn = await DbAsync(db => TrainingData.ResolveDatasetsAsync(db, null, CancellationToken.None));
        Assert.Equal([other.Id], trainsOn.Select(d => d.Id));
        var asked = await Assert.ThrowsAsync<TrainingDataException>(() => DbAsync(db => TrainingData.ResolveDatasetsAsync(db, [mine.Id], CancellationToken.None)));
        Assert.Contains("Archived datasets do not train models", asked.Message, StringComparison.Ordinal);
        var entry = Assert.Single(await AuditAsync());
        Assert.Equal((AuditActions.DatasetArchived, "one@example.org", $"dataset #{mine.Id}"), (entry.Action, entry.By, entry.Target));
        Assert.Contains("Reason: last year's class", entry.Details, StringComparison.Ordinal);

        // The queued run marks only datasets training will read.
        Assert.Equal(DatasetStatus.Accepted, stored.Status);
        Assert.Equal(DatasetStatus.QueuedForTraining, await DbAsync(db => db.Set<UploadedDataset>().Where(d => d.Id == other.Id).Select(d => d.Status).SingleAsync()));

        var restored = await ChangeAsync(l => l.RestoreAsync(mine.Id, Owner, null, CancellationToken.None));
        Assert.True(restored.Succeeded, restored.Message);
        Assert.NotNull(restored.QueuedRun);
        Assert.Equal([mine.Id, other.Id], (await DbAsync(db => TrainingData.ResolveDatasetsAsync(db, null, CancellationToken.None))).Select(d => d.Id));
        Assert.Equal(AuditActions.DatasetRestored, (await AuditAsync())[0].Action);
    }

    [Fact]
    public async Task Another_teacher_is_forbidden_an_unknown_id_is_not_found_and_neither_changes_anything()
    {
        var mine = await UploadAsync("teacher-1", 3, first: 1);

        var archive = await ChangeAsync(l => l.ArchiveAsync(mine.Id, OtherTeacher, null, CancellationToken.None));
        var delete = await ChangeAsync(l => l.DeleteAsync(mine.Id, OtherTeacher, null, CancellationToken.None));
        var unknown = await ChangeAsync(l => l.DeleteAsync(mine.Id + 100, Admin, null, CancellationToken.None));
        var noAccount = await ChangeAsync(l => l.DeleteAsync(mine.Id, new DatasetActor(null, "anonymous", IsAdmin: false), null, CancellationToken.None));

        Assert.Equal((DatasetChangeOutcome.Forbidden, DatasetChangeOutcome.Forbidden, DatasetChangeOutcome.NotFound, DatasetChangeOutcome.Forbidden),
            (archive.Outcome, delete.Outcome, unknown.Outcome, noAccount.Outcome));
        Assert.Equal($"There is no dataset #{mine.Id + 100}.", unknown.Message);
        var stored = await DbAsync(db => db.Set<UploadedDataset>().AsNoTracking().SingleAsync());
        Assert.Null(stored.ArchivedAt);
        Assert.Equal(30, await DbAsync(db => db.Set<DatasetRow>().CountAsync()));
        Assert.Empty(await AuditAsync());
        Assert.Empty(await DbAsync(db => db.Set<TrainingRun>().ToListAsync()));
    }

    [Fact]
    public async Task An_admin_deletes_any_dataset_with_its_rows_and_file_in_one_audited_change_and_a_retraining_is_queued()
    {
        var mine = await UploadAsync("teacher-1", 3, first: 1);
        var other = await UploadAsync("teacher-2", 3, first: 101);

        var result = await ChangeAsync(l => l.DeleteAsync(mine.Id, Admin, "uploaded by mistake", CancellationToken.None));

        Assert.True(result.Succeeded, result.Message);
        Assert.NotNull(result.QueuedRun);
        Assert.Equal([other.Id], await DbAsync(db => db.Set<UploadedDataset>().Select(d => d.Id).ToListAsync()));
        Assert.Equal(0, await DbAsync(db => db.Set<DatasetRow>().CountAsync(r => r.DatasetId == mine.Id)));
        Assert.Equal(0, await DbAsync(db => db.Set<UploadedDatasetFile>().CountAsync(f => f.DatasetId == mine.Id)));
        Assert.Equal(30, await DbAsync(db => db.Set<DatasetRow>().CountAsync()));
        var entry = Assert.Single(await AuditAsync());
        Assert.Equal((AuditActions.DatasetDeleted, "admin@example.org"), (entry.Action, entry.By));
        Assert.Contains("'class-1.csv' (30 rows, Accepted)", entry.Details, StringComparison.Ordinal);

        var again = await ChangeAsync(l => l.DeleteAsync(mine.Id, Admin, null, CancellationToken.None));
        Assert.Equal(DatasetChangeOutcome.NotFound, again.Outcome);
    }

    [Fact]
    public async Task Changes_that_do_not_fit_the_state_are_refused_with_a_reason_and_change_nothing()
    {
        var mine = await UploadAsync("teacher-1", 3, first: 1);

        var restoreActive = await ChangeAsync(l => l.RestoreAsync(mine.Id, Owner, null, CancellationToken.None));
        await ChangeAsync(l => l.ArchiveAsync(mine.Id, Owner, null, CancellationToken.None));
        var archiveTwice = await ChangeAsync(l => l.ArchiveAsync(mine.Id, Owner, null, CancellationToken.None));
        await DbAsync(db => db.Set<UploadedDataset>().Where(d => d.Id == mine.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DatasetStatus.Training)));
        var whileTraining = await ChangeAsync(l => l.DeleteAsync(mine.Id, Admin, null, CancellationToken.None));

        Assert.Equal((DatasetChangeOutcome.Refused, "Dataset #1 is not archived."), (restoreActive.Outcome, restoreActive.Message));
        Assert.Equal((DatasetChangeOutcome.Refused, "Dataset #1 is already archived."), (archiveTwice.Outcome, archiveTwice.Message));
        Assert.Equal(DatasetChangeOutcome.Refused, whileTraining.Outcome);
        Assert.Contains("A training is reading dataset #1 right now", whileTraining.Message, StringComparison.Ordinal);
        Assert.Equal(30, await DbAsync(db => db.Set<DatasetRow>().CountAsync()));
        Assert.Single(await AuditAsync());
    }

    [Fact]
    public async Task Deleting_the_last_accepted_dataset_queues_no_training_and_says_so()
    {
        var mine = await UploadAsync("teacher-1", 3, first: 1);

        var result = await ChangeAsync(l => l.DeleteAsync(mine.Id, Owner, null, CancellationToken.None));

        Assert.True(result.Succeeded, result.Message);
        Assert.Null(result.QueuedRun);
        Assert.Contains("No accepted dataset is left to train on", result.Message, StringComparison.Ordinal);
        Assert.Empty(await DbAsync(db => db.Set<TrainingRun>().ToListAsync()));
    }

    [Fact]
    public async Task Dashboard_counts_follow_what_happened_to_datasets_not_their_current_status()
    {
        var trained = await UploadAsync("teacher-1", 3, first: 1);
        var archived = await UploadAsync("teacher-1", 3, first: 11);
        var waiting = await UploadAsync("teacher-1", 3, first: 21);
        var others = await UploadAsync("teacher-2", 3, first: 31);
        var rejected = await _host.WithScopeAsync(sp => sp.GetRequiredService<DatasetImportService>().ImportAsync(
            new DatasetUpload(new MemoryStream("student_id\nS1\n"u8.ToArray()), "bad.csv", UploaderId: "teacher-1"), CancellationToken.None));
        Assert.False(rejected.IsAccepted);
        await ChangeAsync(l => l.ArchiveAsync(archived.Id, Owner, null, CancellationToken.None));

        // A model trained on the first (and the other teacher's) dataset, and the next training queued all of them again:
        // their status now says QueuedForTraining, but they were trained.
        await DbAsync(async db =>
        {
            db.Add(new TrainedModel
            {
                Version = "20261101000000",
                Task = ModelTask.Regression,
                Algorithm = "gbdt",
                SettingsJson = "{}",
                MetricsJson = "{}",
                FeatureSchemaJson = "{}",
                ArtifactFormat = ArtifactFormats.EngineTrees,
                ArtifactSha256 = new string('0', 64),
                CreatedBy = "job",
                DatasetIdsJson = $"[{trained.Id},{others.Id}]",
                DataHash = new string('0', 64),
                SelectionMetric = "cv_rmse",
            });
            await db.Set<UploadedDataset>().Where(d => d.Id != rejected.Dataset.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DatasetStatus.QueuedForTraining));
            return await db.SaveChangesAsync();
        });

        var counts = await _host.WithScopeAsync(sp => sp.GetRequiredService<DatasetCatalog>().CountByOutcomeAsync("teacher-1", CancellationToken.None));
        var all = await _host.WithScopeAsync(sp => sp.GetRequiredService<DatasetCatalog>().CountByOutcomeAsync(null, CancellationToken.None));

        Assert.Equal(new DatasetOutcomeCounts(Uploaded: 4, Importing: 0, Accepted: 3, Rejected: 1, Trained: 1, AwaitingTraining: 1, Archived: 1), counts);
        Assert.Equal(new DatasetOutcomeCounts(Uploaded: 5, Importing: 0, Accepted: 4, Rejected: 1, Trained: 2, AwaitingTraining: 1, Archived: 1), all);
        Assert.NotEqual(waiting.Id, trained.Id);
    }
}
