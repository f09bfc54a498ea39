using System.Text.Json;
using StudyRecs.Cli.Tests.Hosting;

namespace StudyRecs.Cli.Tests.Monitoring;

/// <summary><c>studyrecs monitor</c>, <c>evaluate-feedback</c> and <c>quality</c> as an operator runs them, on a fresh data folder.</summary>
public sealed class MonitoringCommandTests : IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    public static TheoryData<string[], string> BadInputs => new()
    {
        { ["monitor", "--lookback-days", "0"], "--lookback-days must be at least 1, got 0." },
        { ["monitor", "--min-samples", "-5"], "--min-samples must be at least 1, got -5." },
        { ["monitor", "--drift-threshold", "lots"], "--drift-threshold must be a number, got 'lots'." },
        { ["monitor", "--drift-threshold", "0"], "--drift-threshold must be greater than 0, got 0." },
        { ["monitor", "--bogus"], "Unknown argument '--bogus'" },
        { ["evaluate-feedback", "--lookback-days", "ten"], "--lookback-days must be a whole number, got 'ten'." },
        { ["evaluate-feedback", "--min-samples", "0"], "--min-samples must be at least 1, got 0." },
        { ["quality"], "--dataset is required." },
        { ["quality", "--dataset", "x1"], "--dataset must be a dataset id (a whole number), got 'x1'." },
        { ["quality", "--dataset", "-3"], "--dataset must be at least 1, got -3." },
        { ["quality", "--dataset", "999"], "There is no dataset 999" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_exits_with_code_2_and_one_clear_message(string[] args, string expected)
    {
        var (exit, output, error) = await _cli.RunAsync(args);

        Assert.True(exit == 2, $"exit {exit}: {output}{error}");
        Assert.Equal("", output);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Monitor_without_a_trained_model_gives_no_verdict_in_the_json_contract()
    {
        var (exit, output, error) = await _cli.RunAsync("monitor", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("features").ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("features").GetArrayLength());
        Assert.False(json.RootElement.GetProperty("drifted").GetBoolean());
        Assert.False(json.RootElement.GetProperty("retrain_queued").GetBoolean());
        Assert.False(json.RootElement.GetProperty("enough_data").GetBoolean());

        (exit, output, error) = await _cli.RunAsync("evaluate-feedback", "--json");
        Assert.True(exit == 0, error);
        using var feedback = JsonDocument.Parse(output);
        Assert.Equal(0, feedback.RootElement.GetProperty("versions").GetArrayLength());
        Assert.False(feedback.RootElement.GetProperty("retrain_queued").GetBoolean());
    }

    [Fact]
    public async Task Quality_reports_every_row_grade_balance_and_the_overlap_of_a_repeated_class()
    {
        var file = Path.Combine(_cli.DataDirectory, "class.csv");
        Assert.Equal(0, (await _cli.RunAsync("generate", "performance", "--students", "30", "--out", file)).Exit);
        Assert.Equal(0, (await _cli.RunAsync("import", "--file", file)).Exit);
        var second = Path.Combine(_cli.DataDirectory, "class-again.csv");
        File.WriteAllText(second, File.ReadAllText(file).Replace("\n", "\r\n", StringComparison.Ordinal));
        // The same class again: every row overlaps, so the import has to be told to replace.
        Assert.Equal(0, (await _cli.RunAsync("import", "--file", second, "--allow-duplicate", "--on-overlap", "replace")).Exit);

        var (exit, output, error) = await _cli.RunAsync("quality", "--dataset", "2", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(300, root.GetProperty("rows").GetInt64());
        Assert.Equal(300, root.GetProperty("overlapping_rows").GetInt64());
        Assert.Equal(1, root.GetProperty("overlaps")[0].GetProperty("dataset_id").GetInt64());
        var labelled = root.GetProperty("grade_balance").EnumerateObject().Sum(g => g.Value.GetInt64());
        var grade = root.GetProperty("categorical").EnumerateArray().Single(c => c.GetProperty("column").GetString() == "final_grade");
        Assert.Equal(300, labelled + grade.GetProperty("missing").GetInt64());
        var subject = root.GetProperty("categorical").EnumerateArray().Single(c => c.GetProperty("column").GetString() == "subject");
        Assert.Equal(5, subject.GetProperty("values").EnumerateObject().Count());
        var attendance = root.GetProperty("numeric").EnumerateArray().Single(c => c.GetProperty("column").GetString() == "attendance_percentage");
        Assert.Equal(7, attendance.GetProperty("quantiles").GetArrayLength());
        Assert.Equal(300 - attendance.GetProperty("missing").GetInt64(), attendance.GetProperty("histogram").EnumerateArray().Sum(b => b.GetInt64()));
    }
}
