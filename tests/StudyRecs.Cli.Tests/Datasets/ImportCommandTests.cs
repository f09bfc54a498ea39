using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Datasets;
using StudyRecs.Cli.Tests.Hosting;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;

namespace StudyRecs.Cli.Tests.Datasets;

/// <summary><c>studyrecs import</c> on a temporary SQLite database (schema from <c>EnsureCreated</c>).</summary>
public sealed class ImportCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("studyrecs-import-").FullName;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:StudyRecs"] = $"Data Source={Path.Combine(_dir, "cli.db")}",
            ["Storage:DataDirectory"] = _dir,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddStudyRecsDatabase(configuration);
        services.AddStudyRecsDatasets();
        _services = services.BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_accepted_gradebook_exits_0_prints_the_summary_and_is_stored_with_its_label()
    {
        var file = Path.Combine(_dir, "perf.xlsx");
        await using (var stream = File.Create(file))
        {
            PerformanceDataGenerator.WriteXlsx(new PerformanceDataSpec(120), stream);
        }

        using var output = new StringWriter();
        var exit = await ImportCommand.RunAsync(_services, new FileInfo(file), null, "CS 2026", false, false, output, CancellationToken.None);

        Assert.Equal(0, exit);
        var text = output.ToString();
        Assert.Contains("Dataset #1 perf.xlsx: Accepted", text, StringComparison.Ordinal);
        Assert.Contains("sheet 'Gradebook'", text, StringComparison.Ordinal);
        Assert.Contains("1,200 rows, 1,200 valid", text, StringComparison.Ordinal);
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        Assert.Equal("CS 2026", (await db.Set<UploadedDataset>().SingleAsync()).Label);
        Assert.Equal(1200, await db.Set<DatasetRow>().CountAsync());
    }

    [Fact]
    public async Task A_rejected_gradebook_exits_2_and_lists_each_problem_with_row_and_rule()
    {
        var file = Path.Combine(_dir, "bad.csv");
        await File.WriteAllTextAsync(file,
            "student_id,semester,subject,assignment_marks,quiz_marks,attendance_percentage,midterm_marks,previous_cgpa,final_marks,final_grade\n" +
            "S1,1,Calculus,70,65,190,60,3.1,72,B\nS1,1,Calculus,70,65,90,60,3.1,72,Q\n");

        using var output = new StringWriter();
        var exit = await ImportCommand.RunAsync(_services, new FileInfo(file), null, null, false, false, output, CancellationToken.None);

        Assert.Equal(2, exit);
        var text = output.ToString();
        Assert.Contains("bad.csv: Rejected", text, StringComparison.Ordinal);
        Assert.Contains("row 2, attendance_percentage: error out-of-range", text, StringComparison.Ordinal);
        Assert.Contains("row 3, final_grade: error unknown-grade", text, StringComparison.Ordinal);
        await using var scope = _services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().CountAsync());
    }

    [Fact]
    public async Task The_json_option_prints_the_report_as_the_api_returns_it()
    {
        var file = Path.Combine(_dir, "empty.csv");
        await File.WriteAllBytesAsync(file, []);

        using var output = new StringWriter();
        var exit = await ImportCommand.RunAsync(_services, new FileInfo(file), null, null, false, true, output, CancellationToken.None);

        Assert.Equal(2, exit);
        var report = DatasetReportJson.Deserialize(output.ToString())!;
        Assert.Equal((ImportOutcome.Rejected, DatasetRules.EmptyFile), (report.Outcome, report.Problems[0].Rule));
    }

    [Fact]
    public async Task A_missing_file_exits_2_with_a_message()
    {
        using var output = new StringWriter();
        var exit = await ImportCommand.RunAsync(_services, new FileInfo(Path.Combine(_dir, "nope.csv")), null, null, false, false, output, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.StartsWith("File not found:", output.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The real <c>studyrecs import</c> process, as an operator runs it, on a fresh data folder.</summary>
public sealed class ImportCommandProcessTests : IDisposable
{
    private readonly CliProcess _cli = new();

    [Fact]
    public async Task An_accepted_import_with_enough_labelled_rows_queues_a_training_like_an_upload()
    {
        _cli.Environment["Datasets__MinimumLabelledRowsToTrain"] = "100";
        var file = Path.Combine(_cli.DataDirectory, "term.csv");
        Assert.Equal(0, (await _cli.RunAsync("generate", "performance", "--students", "20", "--out", file)).Exit);

        var (exit, output, error) = await _cli.RunAsync("import", "--file", file);

        Assert.True(exit == 0, output + error);
        Assert.Contains("Dataset #1 term.csv: Accepted", output, StringComparison.Ordinal);
        Assert.Contains("Training run 1 queued", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sheet_option_picks_a_worksheet_by_name_and_a_missing_one_is_refused_naming_the_sheets()
    {
        var file = Path.Combine(_cli.DataDirectory, "term.xlsx");
        Assert.Equal(0, (await _cli.RunAsync("generate", "performance", "--students", "5", "--out", file)).Exit);

        var missing = await _cli.RunAsync("import", "--file", file, "--sheet", "Marks");
        var named = await _cli.RunAsync("import", "--file", file, "--sheet", "gradebook");

        Assert.Equal(2, missing.Exit);
        Assert.Contains("Marks", missing.Output, StringComparison.Ordinal);
        Assert.Contains("Gradebook", missing.Output, StringComparison.Ordinal);
        Assert.True(named.Exit == 0, named.Output + named.Error);
        Assert.Contains("sheet 'Gradebook'", named.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_exits_2_with_a_message_not_a_stack_trace()
    {
        var file = Path.Combine(_cli.DataDirectory, "term.csv");
        Assert.Equal(0, (await _cli.RunAsync("generate", "performance", "--students", "2", "--out", file)).Exit);
        var notADatabase = Path.Combine(_cli.DataDirectory, "broken.db");
        await File.WriteAllTextAsync(notADatabase, new string('x', 4096));
        _cli.Environment["ConnectionStrings__StudyRecs"] = $"Data Source={notADatabase}";

        var (exit, output, error) = await _cli.RunAsync("import", "--file", file);

        Assert.Equal(2, exit);
        Assert.Contains("Could not use the database", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
