using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

/// <summary>The import service against a real temporary SQLite file (schema from <c>EnsureCreated</c>).</summary>
public sealed class DatasetImportServiceTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("studyrecs-datasets-").FullName;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync() => _services = await BuildAsync(OriginalFileStorage.Database);

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_accepted_upload_stores_its_rows_report_hash_and_original_file()
    {
        var csv = Encoding.UTF8.GetBytes(Header + ",Section\n" + Row(id: "S1") + ",A\n" + Row(id: "S2", final: "", grade: "") + ",B\n");
        var uploader = await CreateUserAsync("teacher@example.org");

        var result = await ImportAsync(new DatasetUpload(new MemoryStream(csv), "term1.csv", Label: "Calculus 2026", UploaderId: uploader));

        Assert.True(result.IsAccepted);
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var dataset = await db.Set<UploadedDataset>().SingleAsync();
        Assert.Equal((DatasetStatus.Accepted, "term1.csv", "Calculus 2026", uploader, 2L, 1L, true), (dataset.Status, dataset.FileName, dataset.Label, dataset.UploaderId, dataset.ValidRows, dataset.LabelledRows, dataset.TooSmallToTrain));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(csv)), dataset.Sha256);
        Assert.NotNull(dataset.ValidatedAt);
        var rows = await db.Set<DatasetRow>().OrderBy(r => r.RowNumber).ToListAsync();
        Assert.Equal(2, rows.Count);
        Assert.Equal(("S1", 1, "Calculus", 72.0, "B", "{\"Section\":\"A\"}"), (rows[0].StudentId, rows[0].Semester, rows[0].Subject, rows[0].FinalMarks!.Value, rows[0].FinalGrade, rows[0].ExtraFeaturesJson));
        Assert.Null(rows[1].FinalMarks);

        var catalog = scope.ServiceProvider.GetRequiredService<DatasetCatalog>();
        var original = await catalog.OpenOriginalAsync(dataset.Id, uploader, CancellationToken.None);
        using var copy = new MemoryStream();
        await original!.Content.CopyToAsync(copy);
        Assert.Equal(csv, copy.ToArray());
        Assert.Equal("text/csv", original.ContentType);
        var report = await catalog.GetReportAsync(dataset.Id, uploader, CancellationToken.None);
        Assert.Equal((ImportOutcome.Accepted, 2L, "Section"), (report!.Outcome, report.ValidRows, report.ExtraColumns[0].Name));
        Assert.Equal(2, (await catalog.PreviewRowsAsync(dataset.Id, null, 10, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Every_stored_row_matches_the_validated_row_across_multi_row_and_single_row_inserts()
    {
        var csv = GeneratedCsv(students: 13, seed: 21);
        var expected = new RecordingSink();
        await new GradebookImporter(new DatasetOptions()).ImportAsync(new MemoryStream(csv), "g.csv", null, expected, CancellationToken.None);

        var result = await ImportAsync(new DatasetUpload(new MemoryStream(csv), "g.csv"));

        Assert.True(result.IsAccepted);
        await using var scope = _services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().OrderBy(r => r.RowNumber).ToListAsync();
        Assert.Equal(130, stored.Count);
        Assert.Equal(
            expected.Rows.Select(r => (r.Row, r.StudentId, r.Semester, r.Subject, r.AssignmentMarks, r.QuizMarks, r.AttendancePercentage, r.MidtermMarks, r.PreviousCgpa, r.FinalMarks, r.FinalGrade)),
            stored.Select(r => (r.RowNumber, r.StudentId, r.Semester, r.Subject, r.AssignmentMarks, r.QuizMarks, r.AttendancePercentage, r.MidtermMarks, r.PreviousCgpa, r.FinalMarks, r.FinalGrade)));
        Assert.All(stored, r => Assert.Equal(result.Dataset.Id, r.DatasetId));
    }

    [Fact]
    public async Task A_rejected_upload_stores_no_rows_and_no_file_even_when_batches_reached_the_database()
    {
        var rows = Enumerable.Range(0, 30).Select(i => Row(id: $"S{i}", quiz: i == 29 ? "oops" : "60")).ToArray();
        await _services.DisposeAsync();
        _services = await BuildAsync(OriginalFileStorage.Database, batchSize: 10);

        var result = await ImportAsync(new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(Csv(rows))), "bad.csv"));

        Assert.False(result.IsAccepted);
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        Assert.Equal(0, await db.Set<DatasetRow>().CountAsync());
        Assert.Equal(0, await db.Set<UploadedDatasetFile>().CountAsync());
        var dataset = await db.Set<UploadedDataset>().SingleAsync();
        Assert.Equal((DatasetStatus.Rejected, 1L, 29L), (dataset.Status, dataset.ErrorCount, dataset.ValidRows));
        Assert.Contains("'oops' is not a number", dataset.ErrorText, StringComparison.Ordinal);
        Assert.Equal(ImportOutcome.Rejected, DatasetReportJson.Deserialize(dataset.ReportJson!)!.Outcome);
    }

    [Fact]
    public async Task Corrupted_files_are_recorded_as_rejected_with_nothing_persisted()
    {
        var xlsx = GeneratedXlsx(students: 3);
        byte[][] variants = [xlsx[..(xlsx.Length / 2)], [], Encoding.UTF8.GetBytes(Header), [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 1, 2, 3]];

        foreach (var (bytes, i) in variants.Select((b, i) => (b, i)))
        {
            var result = await ImportAsync(new DatasetUpload(new MemoryStream(bytes), i == 3 ? "v.xls" : i == 0 ? "v.xlsx" : "v.csv"));
            Assert.Equal(DatasetStatus.Rejected, result.Dataset.Status);
        }

        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        Assert.Equal(0, await db.Set<DatasetRow>().CountAsync());
        Assert.Equal(4, await db.Set<UploadedDataset>().CountAsync(d => d.Status == DatasetStatus.Rejected));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "datasets", "incoming")));
    }

    [Fact]
    public async Task An_identical_reupload_is_flagged_and_not_imported_twice_unless_allowed()
    {
        var csv = Encoding.UTF8.GetBytes(ValidCsv(5));

        var first = await ImportAsync(new DatasetUpload(new MemoryStream(csv), "a.csv"));
        var again = await ImportAsync(new DatasetUpload(new MemoryStream(csv), "a-copy.csv"));
        // A forced duplicate repeats every row of the first upload: it has to replace them to be stored.
        var forced = await ImportAsync(new DatasetUpload(new MemoryStream(csv), "a-forced.csv", AllowDuplicate: true, OnOverlap: OverlapPolicy.Replace));

        Assert.True(first.IsAccepted);
        Assert.Equal((DatasetStatus.Rejected, first.Dataset.Id), (again.Dataset.Status, again.Dataset.DuplicateOfId));
        Assert.Equal(DatasetRules.DuplicateUpload, Assert.Single(again.Report.Problems).Rule);
        Assert.Equal((DatasetStatus.Accepted, first.Dataset.Id), (forced.Dataset.Status, forced.Dataset.DuplicateOfId));
        await using var scope = _services.CreateAsyncScope();
        Assert.Equal(10, await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().CountAsync());
    }

    [Fact]
    public async Task Originals_can_be_kept_in_the_data_folder_instead_of_the_database()
    {
        await _services.DisposeAsync();
        _services = await BuildAsync(OriginalFileStorage.Folder);
        var xlsx = GeneratedXlsx(students: 2);

        var result = await ImportAsync(new DatasetUpload(new MemoryStream(xlsx), "grades.xlsx"));

        Assert.True(result.IsAccepted);
        Assert.NotNull(result.Dataset.StoredFilePath);
        Assert.Equal(xlsx, await File.ReadAllBytesAsync(Path.Combine(_dir, "datasets", result.Dataset.StoredFilePath)));
        await using var scope = _services.CreateAsyncScope();
        var original = await scope.ServiceProvider.GetRequiredService<DatasetCatalog>().OpenOriginalAsync(result.Dataset.Id, null, CancellationToken.None);
        await using (original!.Content)
        {
            Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", original.ContentType);
        }
    }

    [Fact]
    public async Task Teachers_see_only_their_own_uploads_and_admins_see_all_filtered_by_status()
    {
        var alice = await CreateUserAsync("alice@example.org");
        var bob = await CreateUserAsync("bob@example.org");
        await ImportAsync(new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(ValidCsv(3))), "a.csv", UploaderId: alice));
        await ImportAsync(new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(ValidCsv(4))), "b.csv", UploaderId: bob, OnOverlap: OverlapPolicy.Replace));
        await ImportAsync(new DatasetUpload(new MemoryStream([]), "c.csv", UploaderId: bob));

        await using var scope = _services.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<DatasetCatalog>();
        var mine = await catalog.ListAsync(alice, null, 0, 50, CancellationToken.None);
        var all = await catalog.ListAsync(null, null, 0, 50, CancellationToken.None);
        var rejected = await catalog.ListAsync(null, DatasetStatus.Rejected, 0, 50, CancellationToken.None);

        Assert.Equal(["a.csv"], mine.Select(d => d.FileName));
        Assert.Equal(["c.csv", "b.csv", "a.csv"], all.Select(d => d.FileName));
        Assert.Equal("bob@example.org", all[1].UploaderName);
        Assert.Equal(["c.csv"], rejected.Select(d => d.FileName));
        Assert.Null(await catalog.GetAsync(all[1].Id, alice, CancellationToken.None));
        Assert.Equal(2, await catalog.CountAsync(bob, null, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_imports_into_one_SQLite_database_all_succeed()
    {
        var uploads = Enumerable.Range(0, 3).Select(i => GeneratedCsv(students: 30, seed: 100 + i)).ToArray();

        // Generated classes share student ids, so each upload overlaps the others; replace lets all three be stored.
        var results = await Task.WhenAll(uploads.Select((bytes, i) => Task.Run(() => ImportAsync(new DatasetUpload(new MemoryStream(bytes), $"u{i}.csv", OnOverlap: OverlapPolicy.Replace)))));

        Assert.All(results, r => Assert.True(r.IsAccepted, r.Report.Summary));
        await using var scope = _services.CreateAsyncScope();
        Assert.Equal(900, await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().CountAsync());
    }

    [Fact]
    public async Task A_cancelled_import_is_rolled_back_and_recorded_as_rejected()
    {
        using var cancellation = new CancellationTokenSource();
        await _services.DisposeAsync();
        _services = await BuildAsync(OriginalFileStorage.Database, time: new CancellingClock(cancellation, onCall: 3));

        await using (var scope = _services.CreateAsyncScope())
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scope.ServiceProvider.GetRequiredService<DatasetImportService>()
                .ImportAsync(new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(ValidCsv(40))), "slow.csv"), cancellation.Token));
        }

        await using var check = _services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var dataset = await db.Set<UploadedDataset>().SingleAsync();
        Assert.Equal((DatasetStatus.Rejected, "The import was cancelled; nothing was stored."), (dataset.Status, dataset.ErrorText));
        Assert.Equal(0, await db.Set<DatasetRow>().CountAsync());
        Assert.Equal(0, await db.Set<UploadedDatasetFile>().CountAsync());
    }

    [Fact]
    public async Task An_upload_is_recorded_as_Uploaded_then_Validating_then_Accepted_and_a_duplicate_goes_from_Uploaded_to_Rejected()
    {
        var csv = Encoding.UTF8.GetBytes(ValidCsv(3));

        var accepted = await StatusesSavedAsync(new DatasetUpload(new MemoryStream(csv), "a.csv"));
        var duplicate = await StatusesSavedAsync(new DatasetUpload(new MemoryStream(csv), "b.csv"));

        Assert.Equal([DatasetStatus.Uploaded, DatasetStatus.Validating, DatasetStatus.Accepted], accepted);
        Assert.Equal([DatasetStatus.Uploaded, DatasetStatus.Rejected], duplicate);
    }

    /// <summary>The dataset statuses the import service writes to the database, in order.</summary>
    private async Task<List<DatasetStatus>> StatusesSavedAsync(DatasetUpload upload)
    {
        var recorder = _services.GetRequiredService<SavedStatuses>();
        recorder.Saved.Clear();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatasetImportService>().ImportAsync(upload, CancellationToken.None);
        return [.. recorder.Saved];
    }

    /// <summary>Records the dataset statuses every save writes, whichever short-lived context the service opened.</summary>
    private sealed class SavedStatuses : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
    {
        public List<DatasetStatus> Saved { get; } = [];

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> SavingChangesAsync(
            Microsoft.EntityFrameworkCore.Diagnostics.DbContextEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            Saved.AddRange(eventData.Context!.ChangeTracker.Entries<UploadedDataset>()
                .Where(e => e.State == EntityState.Added || e.Property(d => d.Status).IsModified).Select(e => e.Entity.Status));
            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }

    [Fact]
    public async Task Imports_a_stopped_process_left_unfinished_are_rejected_at_start_up_and_their_spooled_files_removed()
    {
        var now = DateTimeOffset.UtcNow;
        var incoming = Directory.CreateDirectory(Path.Combine(_dir, "datasets", "incoming")).FullName;
        var oldSpool = Path.Combine(incoming, "old.upload");
        var freshSpool = Path.Combine(incoming, "fresh.upload");
        await File.WriteAllTextAsync(oldSpool, "half an upload");
        await File.WriteAllTextAsync(freshSpool, "an upload in progress");
        File.SetLastWriteTimeUtc(oldSpool, now.AddHours(-1).UtcDateTime);
        // Fresh imports of processes on this machine: one whose process is gone (rejected at once, without waiting for
        // Datasets:InterruptedImportMinutes), one of a live process (another portal or the CLI: left alone).
        using var neighbour = System.Diagnostics.Process.Start("sleep", "120");
        using var ended = System.Diagnostics.Process.Start("sleep", "120");
        var live = StudyRecs.Core.Training.TrainingNode.Of(neighbour.Id)!.ToString();
        var dead = StudyRecs.Core.Training.TrainingNode.Of(ended.Id)!.ToString();
        ended.Kill();
        await ended.WaitForExitAsync();
        long stuckValidating, stuckUploaded, running, accepted, deadFresh, liveFresh;
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            UploadedDataset Dataset(DatasetStatus status, DateTimeOffset at) => new() { FileName = $"{status}.csv", Sha256 = Guid.NewGuid().ToString("N"), UploadedAt = at, StatusChangedAt = at, Status = status };
            var entities = new[]
            {
                Dataset(DatasetStatus.Validating, now.AddHours(-1)), Dataset(DatasetStatus.Uploaded, now.AddHours(-2)),
                Dataset(DatasetStatus.Validating, now), Dataset(DatasetStatus.Accepted, now.AddHours(-3)),
                Dataset(DatasetStatus.Validating, now), Dataset(DatasetStatus.Uploaded, now),
            };
            entities[4].ImportWorker = dead;
            entities[5].ImportWorker = live;
            db.AddRange(entities);
            await db.SaveChangesAsync();
            (stuckValidating, stuckUploaded, running, accepted) = (entities[0].Id, entities[1].Id, entities[2].Id, entities[3].Id);
            (deadFresh, liveFresh) = (entities[4].Id, entities[5].Id);
        }

        await new InterruptedImportRecovery(_services.GetRequiredService<IServiceScopeFactory>(), NullLogger<InterruptedImportRecovery>.Instance)
            .StartAsync(CancellationToken.None);

        await using var check = _services.CreateAsyncScope();
        var statuses = await check.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<UploadedDataset>().AsNoTracking()
            .ToDictionaryAsync(d => d.Id, d => (d.Status, d.ErrorText));
        Assert.Equal((DatasetStatus.Rejected, DatasetImportService.InterruptedImportError), statuses[stuckValidating]);
        Assert.Equal((DatasetStatus.Rejected, DatasetImportService.InterruptedImportError), statuses[stuckUploaded]);
        Assert.Equal(DatasetStatus.Validating, statuses[running].Status);
        Assert.Equal(DatasetStatus.Accepted, statuses[accepted].Status);
        Assert.Equal((DatasetStatus.Rejected, DatasetImportService.InterruptedImportError), statuses[deadFresh]);
        Assert.Equal(DatasetStatus.Uploaded, statuses[liveFresh].Status);
        neighbour.Kill();
        Assert.False(File.Exists(oldSpool));
        Assert.True(File.Exists(freshSpool));
    }

    /// <summary>A clock that cancels the import on its n-th reading (after validation, before the commit).</summary>
    private sealed class CancellingClock(CancellationTokenSource cancellation, int onCall) : TimeProvider
    {
        private int _calls;

        public override DateTimeOffset GetUtcNow()
        {
            if (Interlocked.Increment(ref _calls) == onCall)
            {
                cancellation.Cancel();
            }

            return base.GetUtcNow();
        }
    }

    private async Task<DatasetImportResult> ImportAsync(DatasetUpload upload)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DatasetImportService>().ImportAsync(upload, CancellationToken.None);
    }

    private async Task<string> CreateUserAsync(string email)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var user = new ApplicationUser { UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant() };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    private async Task<ServiceProvider> BuildAsync(OriginalFileStorage storage, int batchSize = 5000, TimeProvider? time = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:StudyRecs"] = $"Data Source={Path.Combine(_dir, "test.db")}",
            ["Storage:DataDirectory"] = _dir,
            ["Datasets:OriginalFileStorage"] = storage.ToString(),
            ["Datasets:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStudyRecsDatabase(configuration);
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(StudyRecs.Tests.Databases.SqlServerQueryCheck.Instance);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddStudyRecsDatasets();
        services.AddSingleton<SavedStatuses>();
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(sp => sp.GetRequiredService<SavedStatuses>());
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await using var scope = provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync();
        return provider;
    }
}
