using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Tests.Data;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Training;

/// <summary>
/// The jobs page's run history and the models page's activation log are ordered and paged in the database, on every
/// provider: the time columns order by id (SQLite cannot order DateTimeOffset), ties fall back to newest first, pages
/// never overlap, and out-of-range paging is clamped.
/// </summary>
public class HistoryQueryTests
{
    public static TheoryData<DatabaseProvider> Providers() => ProviderDatabase.Providers();

    private static async Task<ProviderDatabase> SeededAsync(DatabaseProvider provider)
    {
        var database = await ProviderDatabase.CreateAsync(provider, "history", s => s.AddStudyRecsTraining());
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 1; i <= 7; i++)
        {
            // Start times run against insertion order for one run, so ordering by the time column would differ from ordering by id.
            db.Add(new TrainingRun
            {
                TriggeredBy = i % 2 == 0 ? "alice" : "bob",
                StartedAt = start.AddHours(i == 7 ? -5 : i),
                Status = i <= 3 ? TrainingRunStatus.Failed : TrainingRunStatus.Succeeded,
            });
            db.Add(new ModelActivationAudit
            {
                Task = ModelTask.Regression,
                By = i % 2 == 0 ? "alice" : "bob",
                At = start.AddHours(i),
                FromVersion = i == 1 ? null : $"2026110{i - 1}000000",
                ToVersion = $"2026110{i}000000",
                Reason = "why",
            });
        }

        db.Add(new ModelActivationAudit { Task = ModelTask.Classification, By = "carol", At = start, ToVersion = "20261101000000", Reason = "other task" });
        await db.SaveChangesAsync();
        return database;
    }

    private static async Task<T> WithAsync<TService, T>(ProviderDatabase database, Func<TService, Task<T>> read)
        where TService : notnull
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<TService>());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_history_orders_and_pages_in_the_database(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        var newest = await WithAsync<TrainingRunHistory, TrainingRunPage>(database, h => h.PageAsync(new TrainingRunQuery(Take: 3), default));
        var second = await WithAsync<TrainingRunHistory, TrainingRunPage>(database, h => h.PageAsync(new TrainingRunQuery(Skip: 3, Take: 3), default));
        var byPerson = await WithAsync<TrainingRunHistory, TrainingRunPage>(database, h => h.PageAsync(new TrainingRunQuery(TrainingRunOrder.TriggeredBy, Descending: false, Take: 10), default));
        var byStatus = await WithAsync<TrainingRunHistory, TrainingRunPage>(database, h => h.PageAsync(new TrainingRunQuery(TrainingRunOrder.Status, Descending: false, Take: 10), default));
        var clamped = await WithAsync<TrainingRunHistory, TrainingRunPage>(database, h => h.PageAsync(new TrainingRunQuery(Skip: -4, Take: 0), default));

        Assert.Equal(7, newest.Total);
        Assert.Equal([7L, 6, 5], newest.Items.Select(r => r.Id));
        Assert.Equal([4L, 3, 2], second.Items.Select(r => r.Id));
        Assert.Equal([6L, 4, 2, 7, 5, 3, 1], byPerson.Items.Select(r => r.Id));
        Assert.Equal([3L, 2, 1, 7, 6, 5, 4], byStatus.Items.Select(r => r.Id));
        Assert.Equal([7L], clamped.Items.Select(r => r.Id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Activation_log_keeps_to_its_task_and_orders_and_pages_in_the_database(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        var newest = await WithAsync<ActivationLog, ActivationLogPage>(database, l => l.PageAsync(new ActivationLogQuery(ModelTask.Regression, Take: 5), default));
        var rest = await WithAsync<ActivationLog, ActivationLogPage>(database, l => l.PageAsync(new ActivationLogQuery(ModelTask.Regression, Skip: 5, Take: 5), default));
        var oldestFirst = await WithAsync<ActivationLog, ActivationLogPage>(database, l => l.PageAsync(new ActivationLogQuery(ModelTask.Regression, Descending: false, Take: 2), default));
        var byPerson = await WithAsync<ActivationLog, ActivationLogPage>(database, l => l.PageAsync(new ActivationLogQuery(ModelTask.Regression, ActivationLogOrder.By, Descending: true, Take: 10), default));
        var toVersion = await WithAsync<ActivationLog, ActivationLogPage>(database, l => l.PageAsync(new ActivationLogQuery(ModelTask.Regression, ActivationLogOrder.ToVersion, Descending: false, Take: 1), default));
        var other = await WithAsync<ActivationLog, ActivationLogPage>(database, l => l.PageAsync(new ActivationLogQuery(ModelTask.Classification), default));

        Assert.Equal(7, newest.Total);
        Assert.Equal(["20261107000000", "20261106000000", "20261105000000", "20261104000000", "20261103000000"], newest.Items.Select(a => a.ToVersion));
        Assert.Equal(["20261102000000", "20261101000000"], rest.Items.Select(a => a.ToVersion));
        Assert.Equal(["20261101000000", "20261102000000"], oldestFirst.Items.Select(a => a.ToVersion));
        Assert.Equal(["bob", "bob", "bob", "bob", "alice", "alice", "alice"], byPerson.Items.Select(a => a.By));
        Assert.Equal(["20261107000000", "20261105000000"], byPerson.Items.Take(2).Select(a => a.ToVersion));
        Assert.Equal(["20261101000000"], toVersion.Items.Select(a => a.ToVersion));
        Assert.Equal(["carol"], other.Items.Select(a => a.By));
    }
}
