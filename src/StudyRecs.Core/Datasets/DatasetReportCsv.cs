using System.Globalization;

namespace StudyRecs.Core.Datasets;

/// <summary>The validation report as a downloadable CSV: a summary block, then one line per listed problem.</summary>
public static class DatasetReportCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static void Write(DatasetValidationReport report, TextWriter writer)
    {
        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

        SpreadsheetSafeCsv.WriteRecord(writer, "file", report.FileName);
        SpreadsheetSafeCsv.WriteRecord(writer, "outcome", report.Outcome.ToString());
        SpreadsheetSafeCsv.WriteRecord(writer, "summary", report.Summary);
        SpreadsheetSafeCsv.WriteRecord(writer, "format", report.Format.ToString());
        SpreadsheetSafeCsv.WriteRecord(writer, "rows", N(report.TotalRows));
        SpreadsheetSafeCsv.WriteRecord(writer, "valid rows", N(report.ValidRows));
        SpreadsheetSafeCsv.WriteRecord(writer, "labelled rows", N(report.LabelledRows));
        SpreadsheetSafeCsv.WriteRecord(writer, "errors", N(report.ErrorCount));
        SpreadsheetSafeCsv.WriteRecord(writer, "warnings", N(report.WarningCount));
        foreach (var count in report.ProblemCounts)
        {
            SpreadsheetSafeCsv.WriteRecord(writer, "rule count", count.Rule, count.Severity.ToString(), N(count.Count));
        }

        writer.Write("\r\n");
        SpreadsheetSafeCsv.WriteRecord(writer, "row", "column", "value", "rule", "severity", "message");
        foreach (var p in report.Problems)
        {
            SpreadsheetSafeCsv.WriteRecord(writer, p.Row == 0 ? "" : N(p.Row), p.Column, p.Value, p.Rule, p.Severity.ToString(), p.Message);
        }
    }

    public static byte[] ToBytes(DatasetValidationReport report)
    {
        using var memory = new MemoryStream();
        using (var writer = new StreamWriter(memory, SpreadsheetSafeCsv.Encoding, leaveOpen: true))
        {
            Write(report, writer);
        }

        return memory.ToArray();
    }
}
