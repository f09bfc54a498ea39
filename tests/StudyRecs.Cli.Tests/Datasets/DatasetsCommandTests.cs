using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Tests.Hosting;
using StudyRecs.Core.Auditing;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Cli.Tests.Datasets;

/// <summary><c>studyrecs import --on-overlap</c> and <c>studyrecs datasets archive|restore|delete</c> as an operator runs them.</summary>
public sealed class DatasetsCommandTests : IDisposable
{
    private readonly CliProcess _cli = new();

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var (exit, output, error) = await _cli.RunAsync(args);
        return (exit, output + error);
    }

    private async Task<T> DbAsync<T>(Func<StudyRecsDbContext, Task<T>> query)
    {
        await using var sp = _cli.OpenDatabase();
        await using var scope = sp.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>());
    }

    [Fact]
    public async Task The_same_gradebook_as_csv_then_xlsx_asks_first_and_is_stored_only_when_replace_is_chosen()
    {
        var csv = Path.Combine(_cli.DataDirectory, "term.csv");
        var xlsx = Path.Combine(_cli.DataDirectory, "term.xlsx");
        Assert.Equal(0, (await RunAsync("generate", "performance", "--students", "4", "--out", csv)).Exit);
        Assert.Equal(0, (await RunAsync("generate", "performance", "--students", "4", "--out", xlsx)).Exit);
        Assert.Equal(0, (await RunAsync("import", "--file", csv)).Exit);

        var asked = await RunAsync("import", "--file", xlsx);
        var cancelled = await RunAsync("import", "--file", xlsx, "--on-overlap", "cancel");
        var badChoice = await RunAsync("import", "--file", xlsx, "--on-overlap", "overwrite");
        Assert.Equal(1, await DbAsync(db => db.Set<UploadedDataset>().CountAsync()));
        var replaced = await RunAsync("import", "--file", xlsx, "--on-overlap", "replace");

        Assert.True(asked.Exit == 3, asked.Output);
        Assert.Contains("40 rows of this file have the same student, semester and subject as rows of dataset #1", asked.Output, StringComparison.Ordinal);
        Assert.Contains("Run again with --on-overlap replace or --on-overlap cancel.", asked.Output, StringComparison.Ordinal);
        Assert.Contains("term.xlsx: valid, not stored", asked.Output, StringComparison.Ordinal);
        Assert.True(cancelled.Exit == 2, cancelled.Output);
        Assert.Contains("the upload was cancelled and nothing was stored", cancelled.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, badChoice.Exit);
        Assert.Contains("overwrite", badChoice.Output, StringComparison.Ordinal);
        Assert.True(replaced.Exit == 0, replaced.Output);
        Assert.Matches(@"Dataset #\d+ term\.xlsx: Accepted", replaced.Output);
        Assert.Contains("they replace the older rows in training", replaced.Output, StringComparison.Ordinal);
        Assert.Equal(80, await DbAsync(db => db.Set<DatasetRow>().CountAsync()));
    }

    [Fact]
    public async Task Datasets_are_archived_restored_and_deleted_with_audit_entries_and_refusals_for_bad_requests()
    {
        var file = Path.Combine(_cli.DataDirectory, "term.csv");
        Assert.Equal(0, (await RunAsync("generate", "performance", "--students", "4", "--out", file)).Exit);
        Assert.Equal(0, (await RunAsync("import", "--file", file)).Exit);

        var archived = await RunAsync("datasets", "archive", "--id", "1", "--reason", "old term");
        var twice = await RunAsync("datasets", "archive", "--id", "1");
        var restored = await RunAsync("datasets", "restore", "--id", "1");
        var unconfirmed = await RunAsync("datasets", "delete", "--id", "1");
        var unknown = await RunAsync("datasets", "delete", "--id", "99", "--yes");
        var notANumber = await RunAsync("datasets", "delete", "--id", "first", "--yes");
        Assert.Equal(40, await DbAsync(db => db.Set<DatasetRow>().CountAsync()));
        var deleted = await RunAsync("datasets", "delete", "--id", "1", "--yes");

        Assert.True(archived.Exit == 0, archived.Output);
        Assert.Contains("Dataset #1 is archived: it is kept, and left out of training.", archived.Output, StringComparison.Ordinal);
        Assert.Contains("No accepted dataset is left to train on", archived.Output, StringComparison.Ordinal);
        Assert.Equal((2, "Dataset #1 is already archived."), (twice.Exit, twice.Output.Trim()));
        Assert.True(restored.Exit == 0, restored.Output);
        Assert.Contains("Training run 1 is queued", restored.Output, StringComparison.Ordinal);
        Assert.Equal(2, unconfirmed.Exit);
        Assert.Contains("run again with --yes to confirm", unconfirmed.Output, StringComparison.Ordinal);
        Assert.Equal((2, "There is no dataset #99."), (unknown.Exit, unknown.Output.Trim()));
        Assert.NotEqual(0, notANumber.Exit);
        Assert.True(deleted.Exit == 0, deleted.Output);
        Assert.Equal(0, await DbAsync(db => db.Set<DatasetRow>().CountAsync()));
        Assert.Equal(0, await DbAsync(db => db.Set<UploadedDataset>().CountAsync()));
        var audit = await DbAsync(db => db.Set<AuditEntry>().OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal([AuditActions.DatasetArchived, AuditActions.DatasetRestored, AuditActions.DatasetDeleted], audit);
    }

    public void Dispose() => _cli.Dispose();
}
