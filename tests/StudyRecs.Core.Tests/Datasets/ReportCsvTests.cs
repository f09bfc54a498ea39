using System.Text;
using StudyRecs.Core.Datasets;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

public class ReportCsvTests
{
    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1", "'+1")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData(null, "")]
    public void Fields_are_neutralised_against_formulas_and_quoted(string? value, string expected) =>
        Assert.Equal(expected, SpreadsheetSafeCsv.Field(value));

    [Fact]
    public async Task The_report_csv_lists_every_problem_with_formula_cells_neutralised()
    {
        var report = await ImportAsync(Csv(Row(id: "S1", quiz: "=HYPERLINK(\"http://x\")"), Row(id: "S2", midterm: "@cmd"), Row(id: "S3", final: "91", grade: "C")));

        var text = Encoding.UTF8.GetString(DatasetReportCsv.ToBytes(report));
        var lines = text.Split("\r\n");

        Assert.StartsWith("\uFEFFfile,grades.csv", text, StringComparison.Ordinal);
        Assert.Contains("outcome,Rejected", lines);
        Assert.Contains("row,column,value,rule,severity,message", lines);
        Assert.Contains(lines, l => l.StartsWith("2,quiz_marks,\"'=HYPERLINK(\"\"http://x\"\")\",not-a-number,Error,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("3,midterm_marks,'@cmd,not-a-number,Error,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("4,final_grade,C,grade-inconsistent-with-marks,Warning,", StringComparison.Ordinal));
        Assert.Contains("rule count,not-a-number,Error,2", lines);
        Assert.DoesNotContain(lines, l => l.Contains(",=", StringComparison.Ordinal) || l.Contains(",@", StringComparison.Ordinal));
    }
}
