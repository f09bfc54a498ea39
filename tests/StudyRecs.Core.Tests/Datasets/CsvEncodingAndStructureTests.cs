using System.Text;
using StudyRecs.Core.Datasets;
using StudyRecs.Testing;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

public class CsvEncodingAndStructureTests
{
    private static readonly string Accented = Csv(Row(id: "S1", subject: "Économie Générale"), Row(id: "S2", subject: "Física"));

    static CsvEncodingAndStructureTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static TheoryData<string, string> Encodings() => new()
    {
        { "utf-8", "utf-8" },
        { "utf-8-bom", "utf-8 (with BOM)" },
        { "utf-16LE-bom", "utf-16LE" },
        { "utf-16BE-bom", "utf-16BE" },
        { "utf-16LE", "utf-16LE" },
        { "utf-16BE", "utf-16BE" },
        { "windows-1252", "windows-1252" },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task Text_is_decoded_in_every_supported_encoding(string variant, string reported)
    {
        var bytes = variant switch
        {
            "utf-8" => new UTF8Encoding(false).GetBytes(Accented),
            "utf-8-bom" => [.. new UTF8Encoding(true).GetPreamble(), .. Encoding.UTF8.GetBytes(Accented)],
            "utf-16LE-bom" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Accented)],
            "utf-16BE-bom" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(Accented)],
            "utf-16LE" => Encoding.Unicode.GetBytes(Accented),
            "utf-16BE" => Encoding.BigEndianUnicode.GetBytes(Accented),
            _ => Encoding.GetEncoding(1252).GetBytes(Accented),
        };
        var sink = new RecordingSink();

        var report = await ImportAsync(bytes, "grades.csv", sink: sink);

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.Equal(reported, report.Encoding);
        Assert.Equal(["Économie Générale", "Física"], sink.Rows.Select(r => r.Subject));
        Assert.Equal("student_id", report.Headers[0]);
    }

    [Fact]
    public async Task Invalid_utf8_after_a_utf8_byte_order_mark_is_an_encoding_error()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.ASCII.GetBytes(Csv(Row())), 0xC3, 0x28, (byte)'\n'];

        var report = await ImportAsync(bytes, "grades.csv");

        Assert.Equal(ImportOutcome.Rejected, report.Outcome);
        Assert.Contains("not valid utf-8", Single(report, DatasetRules.InvalidEncoding).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_utf16_file_is_an_encoding_error()
    {
        var bytes = Encoding.Unicode.GetBytes(Csv(Row()));

        var report = await ImportAsync(bytes[..^1], "grades.csv");

        Assert.Equal(ImportOutcome.Rejected, report.Outcome);
        Assert.Contains(report.Problems, p => p.Rule == DatasetRules.InvalidEncoding);
    }

    [Fact]
    public async Task Binary_content_named_csv_is_rejected_as_not_text()
    {
        var report = await ImportAsync([0x01, 0x02, 0x00, 0x7F, 0x10, 0x11, 0x12, 0x13], "grades.csv");

        Assert.Equal(ImportOutcome.Rejected, report.Outcome);
        Assert.Contains("binary data", report.Problems[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(',', ",")]
    [InlineData(';', ";")]
    [InlineData('\t', "\t")]
    public async Task The_delimiter_is_detected_from_the_header(char delimiter, string reported)
    {
        var report = await ImportAsync(ValidCsv(3).Replace(',', delimiter));

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.Equal(reported, report.Delimiter);
        Assert.Equal(3, report.ValidRows);
    }

    [Fact]
    public async Task Quoted_fields_keep_delimiters_doubled_quotes_and_line_breaks_and_rows_keep_their_line_numbers()
    {
        var csv = Header + "\r\n" +
                  "S1,1,\"Algebra, Linear\",70,65,90,60,3.1,72,B\r\n" +
                  "S2,1,\"The \"\"Hard\"\" One\",70,65,90,60,3.1,72,B\r\n" +
                  "S3,1,\"Two\r\nLines\",70,65,90,60,3.1,72,B\r\n" +
                  "S4,1,Calculus,70,65,90,60,3.1,72,X\r\n";
        var sink = new RecordingSink();

        var report = await ImportAsync(csv, sink: sink);

        Assert.Equal(6, Single(report, DatasetRules.UnknownGrade).Row);
        var lenient = await ImportAsync(csv.Replace(",X\r\n", ",B\r\n", StringComparison.Ordinal), sink: sink);
        Assert.Equal(ImportOutcome.Accepted, lenient.Outcome);
        Assert.Equal(["Algebra, Linear", "The \"Hard\" One", "Two\r\nLines", "Calculus"], sink.Rows.Select(r => r.Subject));
        Assert.Equal([2L, 3L, 4L, 6L], sink.Rows.Select(r => r.Row));
    }

    [Fact]
    public async Task An_unclosed_quote_is_a_malformed_file_error()
    {
        var report = await ImportAsync(Csv(Row(), "S2,1,\"Calculus,70,65,90,60,3.1,72,B", Row(id: "S3")));

        var problem = Single(report, DatasetRules.MalformedFile);
        Assert.Contains("never closed", problem.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_after_a_closing_quote_is_a_malformed_file_error()
    {
        var report = await ImportAsync(Csv("S1,1,\"Calc\"ulus,70,65,90,60,3.1,72,B"));

        Assert.Contains("after a closing quote", Single(report, DatasetRules.MalformedFile).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_upload_arriving_a_few_bytes_at_a_time_reads_exactly_like_a_whole_file()
    {
        var csv = Encoding.UTF8.GetBytes(Header + "\r\n" + string.Join("\r\n", Enumerable.Range(0, 200).Select(i =>
            $"S{i},1,\"Quoted, {i}\"\"x\"\"\r\nnext\",70,65,90,60,3.1,72,B")) + "\r\n");
        var whole = new RecordingSink();
        var trickled = new RecordingSink();
        var importer = new GradebookImporter(new DatasetOptions());

        await importer.ImportAsync(new MemoryStream(csv), "g.csv", null, whole, CancellationToken.None);
        foreach (var chunk in new[] { 1, 3, 7 })
        {
            trickled.Rows.Clear();
            var report = await importer.ImportAsync(new TrickleStream(csv, chunk), "g.csv", null, trickled, CancellationToken.None);
            Assert.Equal(ImportOutcome.Accepted, report.Outcome);
            Assert.Equal(whole.Rows.Select(r => (r.Row, r.Subject)), trickled.Rows.Select(r => (r.Row, r.Subject)));
        }

        Assert.Equal(200, whole.Rows.Count);
        Assert.Equal("Quoted, 199\"x\"\r\nnext", whole.Rows[^1].Subject);
    }

    [Fact]
    public async Task A_file_above_the_upload_limit_is_refused_even_when_the_stream_length_is_unknown()
    {
        var csv = Encoding.UTF8.GetBytes(ValidCsv(2000));
        var importer = new GradebookImporter(new DatasetOptions { MaxUploadBytes = 10_000 });
        var sink = new RecordingSink();

        var seekable = await importer.ImportAsync(new MemoryStream(csv), "g.csv", null, sink, CancellationToken.None);
        var streamed = await importer.ImportAsync(new TrickleStream(csv, 4096), "g.csv", null, sink, CancellationToken.None);

        Assert.Equal(DatasetRules.FileTooLarge, Assert.Single(seekable.Problems).Rule);
        Assert.Equal(DatasetRules.FileTooLarge, Assert.Single(streamed.Problems).Rule);
        Assert.Empty(sink.Rows);
    }
}
