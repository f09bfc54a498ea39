using System.Text;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Resources;
using static StudyRecs.Core.Tests.Resources.ResourceTestKit;

namespace StudyRecs.Core.Tests.Resources;

public class ResourceImporterTests
{
    [Fact]
    public async Task Reads_every_row_of_a_good_file()
    {
        var (report, rows) = await ReadAsync(Csv(Row(1), Row(2, difficulty: "advanced", type: "case study"), "", Row(3, subject: "Physics")));

        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(3, report.TotalRows);
        Assert.Equal(3, report.ValidRows);
        Assert.Equal([2L, 3L, 5L], rows.Select(r => r.Row));
        Assert.Equal(ResourceType.CaseStudy, rows[1].Draft.Type);
        Assert.Equal(["tag1", "shared"], rows[0].Draft.Tags);
        Assert.Equal("utf-8", report.Encoding);
    }

    [Fact]
    public async Task Headers_are_matched_by_alias_in_any_order_and_optional_columns_may_be_missing()
    {
        const string csv = "Link;Duration (minutes);Level;Resource Type;Course;Name\nhttps://example.edu/a;30;easy;Video;Calculus;Limits\n";

        var (report, rows) = await ReadAsync(csv);

        Assert.Equal(0, report.ErrorCount);
        var draft = Assert.Single(rows).Draft;
        Assert.Equal(("Limits", "Calculus", 30, ""), (draft.Title, draft.Subject, draft.Minutes, draft.Description));
    }

    [Fact]
    public async Task Each_kind_of_bad_row_is_reported_with_its_row_column_value_and_rule()
    {
        var csv = Csv(
            Row(1),
            Row(2, minutes: "twelve"),
            Row(3, difficulty: "expert-ish"),
            Row(4, type: "podcast"),
            Row(5, url: "not a url"),
            $",,Calculus,,beginner,video,https://example.edu/r/6,5,",
            Row(7, title: "=cmd|' /C calc'!A0"));

        var (report, _) = await ReadAsync(csv);

        Assert.Equal(6, report.ErrorCount);
        Assert.Equal(1, report.ValidRows);
        Assert.Contains(report.Problems, p => p is { Row: 3, Column: ResourceFields.Minutes, Value: "twelve", Rule: ResourceRules.InvalidMinutes });
        Assert.Contains(report.Problems, p => p is { Row: 4, Column: ResourceFields.Difficulty, Value: "expert-ish", Rule: ResourceRules.UnknownDifficulty });
        Assert.Contains(report.Problems, p => p is { Row: 5, Column: ResourceFields.Type, Value: "podcast", Rule: ResourceRules.UnknownType });
        Assert.Contains(report.Problems, p => p is { Row: 6, Column: ResourceFields.Url, Value: "not a url", Rule: ResourceRules.InvalidUrl });
        Assert.Contains(report.Problems, p => p is { Row: 7, Column: ResourceFields.Title, Value: null, Rule: ResourceRules.Required });
        Assert.Contains(report.Problems, p => p is { Row: 8, Column: ResourceFields.Title, Rule: ResourceRules.Formula });
    }

    [Fact]
    public async Task Duplicates_within_the_file_point_to_the_first_row()
    {
        var csv = Csv(Row(1), Row(2, url: "https://EXAMPLE.edu/r/1"), Row(3, title: "resource 1"), Row(4, title: "Resource 1", subject: "Physics"));

        var (report, rows) = await ReadAsync(csv);

        Assert.Equal(2, report.ErrorCount);
        var url = Assert.Single(report.Problems, p => p.Column == ResourceFields.Url);
        Assert.Equal((3L, ResourceRules.DuplicateInFile), (url.Row, url.Rule));
        Assert.Contains("Row 2", url.Message, StringComparison.Ordinal);
        var title = Assert.Single(report.Problems, p => p.Column == ResourceFields.Title);
        Assert.Equal((4L, ResourceRules.DuplicateInFile), (title.Row, title.Rule));
        Assert.Equal([2L, 5L], rows.Select(r => r.Row));
    }

    [Fact]
    public async Task Reads_an_xlsx_workbook_with_numeric_minutes()
    {
        using var xlsx = new MemoryStream();
        SimpleXlsxWriter.Write(xlsx, "Catalog", ResourceFields.All.ToArray(),
        [
            ["Limits", "Intro", "Calculus", "Limits", "beginner", "video", "https://example.edu/limits", 12.0, "limits"],
            ["Vectors", null, "Linear Algebra", null, "intermediate", "article", "https://example.edu/vectors", 20.0, null],
        ]);

        var (report, rows) = await ReadAsync(xlsx.ToArray(), "catalog.xlsx");

        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(DatasetFormat.Xlsx, report.Format);
        Assert.Equal("Catalog", report.Sheet);
        Assert.Equal([12, 20], rows.Select(r => r.Draft.Minutes));
    }

    [Fact]
    public async Task Wrong_types_in_a_workbook_are_row_errors()
    {
        using var xlsx = new MemoryStream();
        SimpleXlsxWriter.Write(xlsx, "Sheet1", ResourceFields.All.ToArray(),
            [["Limits", null, "Calculus", null, 3.0, "video", 42.0, "soon", null]]);

        var (report, _) = await ReadAsync(xlsx.ToArray(), "catalog.xlsx");

        Assert.Contains(report.Problems, p => p is { Row: 2, Column: ResourceFields.Difficulty, Value: "3", Rule: ResourceRules.UnknownDifficulty });
        Assert.Contains(report.Problems, p => p is { Row: 2, Column: ResourceFields.Url, Value: "42", Rule: ResourceRules.InvalidUrl });
        Assert.Contains(report.Problems, p => p is { Row: 2, Column: ResourceFields.Minutes, Value: "soon", Rule: ResourceRules.InvalidMinutes });
    }

    [Fact]
    public async Task A_huge_cell_is_refused_before_any_field_rule_and_shortened_in_the_report()
    {
        var (report, rows) = await ReadAsync(Csv(Row(1, title: new string('A', 100_000))));

        var problem = Assert.Single(report.Problems);
        Assert.Equal((DatasetRules.CellTooLong, ResourceFields.Title), (problem.Rule, problem.Column));
        Assert.True(problem.Value!.Length <= 101);
        Assert.Empty(rows);
    }

    [Theory]
    [InlineData("", "catalog.csv", DatasetRules.EmptyFile)]
    [InlineData("\n\n  \n", "catalog.csv", DatasetRules.EmptyFile)]
    [InlineData(Header + "\n", "catalog.csv", DatasetRules.NoDataRows)]
    [InlineData("title,subject\nA,B\n", "catalog.csv", DatasetRules.MissingColumns)]
    [InlineData(Header + ",link\n", "catalog.csv", DatasetRules.DuplicateColumn)]
    [InlineData("title,url\n", "catalog.pdf", DatasetRules.UnsupportedFormat)]
    [InlineData("title,url\n", "catalog.xlsx", DatasetRules.WrongExtension)]
    [InlineData("PK\u0003\u0004 not a zip at all", "catalog.xlsx", DatasetRules.MalformedFile)]
    [InlineData("\u0000\u0001binary", "catalog.csv", DatasetRules.MalformedFile)]
    public async Task Unusable_files_are_rejected_with_one_file_level_problem(string content, string fileName, string rule)
    {
        var (report, rows) = await ReadAsync(content, fileName);

        Assert.Contains(report.Problems, p => p.Rule == rule && p.Severity == ProblemSeverity.Error);
        Assert.Empty(rows);
    }

    [Fact]
    public async Task Files_over_the_size_or_row_limit_are_refused()
    {
        var big = await ReadAsync(Csv(Row(1), Row(2)), options: new ResourceOptions { MaxUploadBytes = 100 });
        var many = await ReadAsync(Csv(Row(1), Row(2), Row(3)), options: new ResourceOptions { MaxRows = 2 });

        Assert.Contains(big.Report.Problems, p => p.Rule == DatasetRules.FileTooLarge);
        Assert.Contains(many.Report.Problems, p => p.Rule == DatasetRules.TooManyRows);
    }

    [Fact]
    public async Task Unknown_columns_are_a_warning_and_extra_cells_an_error()
    {
        var (report, _) = await ReadAsync(Header + ",notes\n" + Row(1) + ",fine\n" + Row(2) + ",x,overflow\n");

        Assert.Contains(report.Problems, p => p is { Rule: ResourceRules.UnknownColumn, Severity: ProblemSeverity.Warning, Column: "notes" });
        Assert.Contains(report.Problems, p => p is { Row: 3, Rule: DatasetRules.ExtraCells });
    }

    [Fact]
    public async Task Windows_1252_and_utf16_files_are_decoded()
    {
        var text = Csv(Row(1, title: "Café théorie"));
        var cp1252 = await ReadAsync(CodePages(1252).GetBytes(text), "catalog.csv");
        var utf16 = await ReadAsync([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)], "catalog.csv");

        Assert.Equal("Café théorie", Assert.Single(cp1252.Rows).Draft.Title);
        Assert.Equal("Café théorie", Assert.Single(utf16.Rows).Draft.Title);
    }

    private static Encoding CodePages(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }

    [Fact]
    public void Report_csv_neutralises_formulas()
    {
        var report = new ResourceImportReport { FileName = "=evil.csv" };
        report.Add(2, "title", "=HYPERLINK(\"http://x\")", ResourceRules.Formula, ProblemSeverity.Error, "bad");
        report.Finish(0);

        var csv = Encoding.UTF8.GetString(report.ToCsv());

        Assert.DoesNotContain(",=", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("\n=", csv, StringComparison.Ordinal);
        Assert.Contains("'=HYPERLINK", csv, StringComparison.Ordinal);
    }
}
