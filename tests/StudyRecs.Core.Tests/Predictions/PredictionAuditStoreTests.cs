using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Tests.Data;

namespace StudyRecs.Core.Tests.Predictions;

/// <summary>
/// The prediction audit's store and writer on each provider (SQLite always, PostgreSQL when STUDYRECS_TEST_POSTGRES is
/// set): every queued log is stored once, exactly as given, and a batch the database refuses leaves no half of it behind.
/// </summary>
public class PredictionAuditStoreTests
{
    public static TheoryData<DatabaseProvider> Providers() => ProviderDatabase.Providers();

    private static PredictionLog Log(int i, DateTime at) => new()
    {
        AtUtc = at.AddTicks(i * 1234560),
        RequestId = $"request-{i:D5}",
        UserName = i % 3 == 0 ? "teacher@test.local" : "student@test.local",
        StudentId = i % 3 == 0 ? null : $"S{i}",
        Subject = i % 2 == 0 ? "Calculus" : "Linear Algebra — ünïcode",
        Source = "api",
        InputJson = $$"""{"semester": 2, "subject": "Calculus", "attendance_percentage": {{i % 100}}}""",
        OutputJson = $$"""{"request_id": "request-{{i:D5}}", "predicted_final_marks": {{i % 100}}.5}""",
        RegressionVersion = "20261204040846",
        ClassificationVersion = "20261204040847",
        PredictedMarks = (i % 1000) / 10.0 + 0.123456789,
        PredictedGrade = i % 2 == 0 ? "B+" : "F",
        AtRisk = i % 2 == 1,
        LatencyMs = 0.0625 * i,
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Stored_logs_read_back_as_they_were_given(DatabaseProvider provider)
    {
        await using var database = await ProviderDatabase.CreateAsync(provider, "audit");
        var at = new DateTime(2026, 12, 4, 4, 11, 16, DateTimeKind.Utc).AddTicks(5388280); // whole microseconds: PostgreSQL keeps no finer
        var logs = Enumerable.Range(0, 120).Select(i => Log(i, at)).ToList();
        var expected = logs.Select(l => Log(int.Parse(l.RequestId["request-".Length..], System.Globalization.CultureInfo.InvariantCulture), at)).ToList();
        var store = new PredictionLogStore();

        await using (var scope = database.Services.CreateAsyncScope())
        {
            Assert.Equal(100, await store.StoreAsync(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>(), logs[..100], CancellationToken.None));
        }

        await using (var scope = database.Services.CreateAsyncScope())
        {
            Assert.Equal(20, await store.StoreAsync(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>(), logs[100..], CancellationToken.None));
        }

        await using var read = database.Services.CreateAsyncScope();
        var stored = await read.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<PredictionLog>().AsNoTracking().OrderBy(l => l.Id).ToListAsync();
        Assert.Equal(expected.Count, stored.Count);
        Assert.Equal(stored.Count, stored.Select(l => l.Id).Distinct().Count());
        for (var i = 0; i < expected.Count; i++)
        {
            var (want, got) = (expected[i], stored[i]);
            Assert.Equal(want.RequestId, got.RequestId);
            Assert.Equal(want.AtUtc, got.AtUtc);
            Assert.Equal(want.UserName, got.UserName);
            Assert.Equal(want.StudentId, got.StudentId);
            Assert.Equal(want.Subject, got.Subject);
            Assert.Equal(want.Source, got.Source);
            Assert.Equal(want.InputJson, got.InputJson);
            Assert.Equal(want.OutputJson, got.OutputJson);
            Assert.Equal(want.RegressionVersion, got.RegressionVersion);
            Assert.Equal(want.ClassificationVersion, got.ClassificationVersion);
            Assert.Equal(want.PredictedMarks, got.PredictedMarks);
            Assert.Equal(want.PredictedGrade, got.PredictedGrade);
            Assert.Equal(want.AtRisk, got.AtRisk);
            Assert.Equal(want.LatencyMs, got.LatencyMs);
        }

        // The audit page's filters read these columns: the stored values compare as EF writes them.
        var db = read.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        Assert.Equal(60, await db.Set<PredictionLog>().CountAsync(l => l.AtRisk));
        Assert.Equal(60, await db.Set<PredictionLog>().CountAsync(l => l.AtUtc >= expected[60].AtUtc));
        Assert.Equal(40, await db.Set<PredictionLog>().CountAsync(l => l.StudentId == null));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_refused_batch_stores_none_of_its_logs_so_a_retry_adds_no_duplicates(DatabaseProvider provider)
    {
        await using var database = await ProviderDatabase.CreateAsync(provider, "audit");
        var at = new DateTime(2026, 12, 4, 5, 0, 0, DateTimeKind.Utc);
        var batch = Enumerable.Range(0, 10).Select(i => Log(i, at)).ToList();
        batch[7].RequestId = null!; // The column is NOT NULL: the database refuses the eighth log.
        var store = new PredictionLogStore();

        await using (var scope = database.Services.CreateAsyncScope())
        {
            await Assert.ThrowsAnyAsync<Exception>(() => store.StoreAsync(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>(), batch, CancellationToken.None));
        }

        await using (var scope = database.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<PredictionLog>().CountAsync());
        }

        batch[7].RequestId = "request-00007";
        foreach (var log in batch)
        {
            store.Reset(log);
        }

        await using (var scope = database.Services.CreateAsyncScope())
        {
            Assert.Equal(10, await store.StoreAsync(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>(), batch, CancellationToken.None));
        }

        await using var read = database.Services.CreateAsyncScope();
        var ids = await read.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<PredictionLog>().Select(l => l.RequestId).ToListAsync();
        Assert.Equal(batch.Select(l => l.RequestId).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_log_queued_by_concurrent_requests_is_stored_once(DatabaseProvider provider)
    {
        await using var database = await ProviderDatabase.CreateAsync(provider, "audit");
        var options = Options.Create(new PredictionOptions { AuditBatchSize = 50 });
        var store = new PredictionLogStore();
        var dbs = database.Services.GetRequiredService<IDbContextFactory<StudyRecsDbContext>>();
        var inbox = new PredictionAuditInbox(options, store, dbs, NullLogger<PredictionAuditInbox>.Instance);
        var writer = new PredictionAuditWriter(inbox, store, dbs, options, NullLogger<PredictionAuditWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var at = new DateTime(2026, 12, 4, 5, 0, 0, DateTimeKind.Utc);

        // Eight "requests" at a time, each queueing its log as the endpoint does, while the writer gathers and stores.
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => await inbox.EnqueueAsync(Log(i, at), ct));
        await writer.StopAsync(CancellationToken.None);

        await using var read = database.Services.CreateAsyncScope();
        var ids = await read.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<PredictionLog>().Select(l => l.RequestId).ToListAsync();
        Assert.Equal(1000, ids.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"request-{i:D5}"), ids.Order(StringComparer.Ordinal));
    }
}
