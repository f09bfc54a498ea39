using System.IO.Compression;
using StudyRecs.Cli.Datasets;

namespace StudyRecs.Cli.Tests.Datasets;

public sealed class GeneratePerformanceCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("studyrecs-gen-").FullName;

    [Fact]
    public async Task Writes_a_csv_with_a_header_and_one_line_per_row()
    {
        var file = Path.Combine(_dir, "perf.csv");

        var exit = await GeneratePerformanceCommand.Create().Parse(["--students", "120", "--out", file]).InvokeAsync();

        Assert.Equal(0, exit);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal(1201, lines.Length);
        Assert.StartsWith("student_id,semester,subject,", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_an_xlsx_workbook_with_subjects_semesters_and_seed_applied()
    {
        var file = Path.Combine(_dir, "perf.xlsx");

        var exit = await GeneratePerformanceCommand.Create().Parse(["--students", "3", "--subjects", "2", "--semesters", "4", "--seed", "9", "--out", file]).InvokeAsync();

        Assert.Equal(0, exit);
        using var zip = ZipFile.OpenRead(file);
        Assert.Contains(zip.Entries, e => e.FullName == "xl/worksheets/sheet1.xml");
        using var sheet = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
        var xml = await sheet.ReadToEndAsync();
        Assert.Contains("<row r=\"25\">", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<row r=\"26\">", xml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("perf.txt")]
    [InlineData("perf.json")]
    public async Task Refuses_an_output_that_is_not_csv_or_xlsx(string name)
    {
        var file = Path.Combine(_dir, name);

        var exit = await GeneratePerformanceCommand.Create().Parse(["--students", "5", "--out", file]).InvokeAsync();

        Assert.Equal(2, exit);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Refuses_a_non_positive_student_count()
    {
        var exit = await GeneratePerformanceCommand.Create().Parse(["--students", "0", "--out", Path.Combine(_dir, "x.csv")]).InvokeAsync();

        Assert.Equal(2, exit);
    }

    [Fact]
    public async Task A_second_class_with_a_later_first_student_shares_no_student_id_with_the_first()
    {
        var first = Path.Combine(_dir, "first.csv");
        var second = Path.Combine(_dir, "second.csv");

        Assert.Equal(0, await GeneratePerformanceCommand.Create().Parse(["--students", "40", "--out", first]).InvokeAsync());
        Assert.Equal(0, await GeneratePerformanceCommand.Create().Parse(["--students", "40", "--first-student", "1001", "--out", second]).InvokeAsync());

        var firstIds = await StudentIdsAsync(first);
        var secondIds = await StudentIdsAsync(second);
        Assert.Equal(40, firstIds.Count);
        Assert.Equal(40, secondIds.Count);
        Assert.Contains("S00001", firstIds);
        Assert.Equal("S01001", secondIds.Min());
        Assert.Equal("S01040", secondIds.Max());
        Assert.Empty(firstIds.Intersect(secondIds));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("2147483640")]
    public async Task Refuses_a_first_student_below_1_or_whose_class_runs_past_the_largest_id(string firstStudent)
    {
        var file = Path.Combine(_dir, "x.csv");

        var exit = await GeneratePerformanceCommand.Create().Parse(["--students", "10", "--first-student", firstStudent, "--out", file]).InvokeAsync();

        Assert.Equal(2, exit);
        Assert.False(File.Exists(file));
    }

    private static async Task<HashSet<string>> StudentIdsAsync(string file) =>
        [.. (await File.ReadAllLinesAsync(file)).Skip(1).Select(line => line[..line.IndexOf(',', StringComparison.Ordinal)])];

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
