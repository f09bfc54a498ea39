using System.IO.Compression;
using System.Text;
using StudyRecs.Core.Datasets;
using StudyRecs.Testing;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

public class WorkbookFormatTests
{
    [Fact]
    public async Task A_generated_xlsx_workbook_is_read_from_its_first_sheet()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(GeneratedXlsx(students: 10), "grades.xlsx", sink: sink);

        Assert.True(report.IsAccepted, report.Summary);
        Assert.Equal((DatasetFormat.Xlsx, "Gradebook", 100L), (report.Format, report.Sheet, report.TotalRows));
        Assert.Equal(100, sink.Rows.Count);
        Assert.Equal(2, sink.Rows[0].Row);
        Assert.StartsWith("S", sink.Rows[0].StudentId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Xlsx_and_csv_of_the_same_generated_data_give_the_same_rows()
    {
        var fromXlsx = new RecordingSink();
        var fromCsv = new RecordingSink();

        await ImportAsync(GeneratedXlsx(students: 8, seed: 3), "g.xlsx", sink: fromXlsx);
        await ImportAsync(GeneratedCsv(students: 8, seed: 3), "g.csv", sink: fromCsv);

        Assert.Equal(80, fromCsv.Rows.Count);
        Assert.Equal(fromCsv.Rows.Select(r => r with { ExtraFeatures = [] }), fromXlsx.Rows.Select(r => r with { ExtraFeatures = [] }));
    }

    [Fact]
    public async Task A_legacy_xls_workbook_is_read_from_a_named_sheet_with_alias_headers()
    {
        var sink = new RecordingSink();
        var report = await ImportAsync(Fixture("gradebook.xls"), "export.xls", sheet: "grades", sink: sink);

        Assert.Equal(ImportOutcome.Accepted, report.Outcome);
        Assert.Equal((DatasetFormat.Xls, "Grades", 5L, 4L), (report.Format, report.Sheet, report.ValidRows, report.LabelledRows));
        Assert.Equal(("S001", "Data Structures", 71.5, "A-"), (sink.Rows[1].StudentId, sink.Rows[1].Subject, sink.Rows[1].QuizMarks!.Value, sink.Rows[1].FinalGrade));
        Assert.Null(sink.Rows[4].FinalMarks);
        Assert.Equal(76.5, sink.Rows[2].AttendancePercentage!.Value, precision: 9);
    }

    [Fact]
    public async Task The_first_sheet_of_an_xls_is_used_when_no_sheet_is_named()
    {
        var report = await ImportAsync(Fixture("gradebook.xls"), "export.xls");

        Assert.Equal("Notes", report.Sheet);
        Assert.Equal(DatasetRules.MissingColumns, Assert.Single(report.Problems).Rule);
    }

    [Fact]
    public async Task A_missing_sheet_name_is_an_error_listing_the_sheets()
    {
        var report = await ImportAsync(Fixture("gradebook.xls"), "export.xls", sheet: "Marks");

        var problem = Single(report, DatasetRules.SheetNotFound);
        Assert.Contains("'Notes', 'Grades'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("grades.csv", "zip package")]
    [InlineData("grades.xls", "zip package")]
    public async Task Workbook_content_under_the_wrong_extension_is_refused(string fileName, string says)
    {
        var report = await ImportAsync(GeneratedXlsx(students: 2), fileName);

        Assert.Contains(says, Single(report, DatasetRules.WrongExtension).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_text_named_xlsx_is_refused()
    {
        var report = await ImportAsync(ValidCsv(2), "grades.xlsx");

        Assert.Contains("not an Excel workbook", Single(report, DatasetRules.WrongExtension).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsupported_extension_is_refused()
    {
        var report = await ImportAsync(ValidCsv(2), "grades.pdf");

        Assert.Equal(DatasetRules.UnsupportedFormat, Assert.Single(report.Problems).Rule);
    }

    [Fact]
    public async Task An_empty_file_and_a_header_only_file_are_rejected_with_clear_messages()
    {
        var empty = await ImportAsync([], "grades.csv");
        var headerOnly = await ImportAsync(Header + "\r\n\r\n");
        var blankOnly = await ImportAsync("\n \n\n");

        Assert.Equal("The file is empty.", Single(empty, DatasetRules.EmptyFile).Message);
        Assert.Equal("The file has a header row but no data rows.", Single(headerOnly, DatasetRules.NoDataRows).Message);
        Assert.Contains("no header row", Single(blankOnly, DatasetRules.EmptyFile).Message, StringComparison.Ordinal);
        Assert.All([empty, headerOnly, blankOnly], r => Assert.Equal(ImportOutcome.Rejected, r.Outcome));
    }

    [Fact]
    public async Task An_xlsx_that_unpacks_beyond_the_limit_is_refused_before_it_is_parsed()
    {
        var bomb = ZipWith(("xl/workbook.xml", new byte[100]), ("xl/worksheets/sheet1.xml", new byte[5_000_000]));
        var sink = new RecordingSink();

        var report = await ImportAsync(bomb, "bomb.xlsx", options: new DatasetOptions { MaxXlsxUncompressedBytes = 1_000_000 }, sink: sink);

        Assert.True(bomb.Length < 50_000);
        Assert.Contains("unpacks to", Single(report, DatasetRules.XlsxBomb).Message, StringComparison.Ordinal);
        Assert.Empty(sink.Rows);
    }

    [Fact]
    public async Task An_xlsx_with_too_many_parts_is_refused()
    {
        var parts = Enumerable.Range(0, 30).Select(i => ($"xl/part{i}.xml", new byte[1])).Append(("xl/workbook.xml", new byte[1])).ToArray();

        var report = await ImportAsync(ZipWith(parts), "many.xlsx", options: new DatasetOptions { MaxXlsxEntries = 20 });

        Assert.Contains("31 parts", Single(report, DatasetRules.XlsxBomb).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zip_that_is_not_a_workbook_is_refused()
    {
        var report = await ImportAsync(ZipWith(("notes.txt", Encoding.UTF8.GetBytes("hello"))), "grades.xlsx");

        Assert.Contains("not an Excel workbook", Single(report, DatasetRules.MalformedFile).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workbook_uploaded_through_a_non_seekable_stream_is_read()
    {
        var importer = new GradebookImporter(new DatasetOptions());

        var report = await importer.ImportAsync(new TrickleStream(GeneratedXlsx(students: 3), 1000), "g.xlsx", null, null, CancellationToken.None);

        Assert.True(report.IsAccepted, report.Summary);
        Assert.Equal(30, report.TotalRows);
    }

    [Fact]
    public async Task An_xlsx_workbook_is_read_from_a_named_sheet_that_is_not_the_first()
    {
        var workbook = TwoSheetWorkbook(firstSheet: "Notes", secondSheet: "Term 2", GeneratedXlsx(students: 3));
        var sink = new RecordingSink();

        var named = await ImportAsync(workbook, "export.xlsx", sheet: "term 2", sink: sink);
        var first = await ImportAsync(workbook, "export.xlsx");

        Assert.Equal((ImportOutcome.Accepted, DatasetFormat.Xlsx, "Term 2", 30L), (named.Outcome, named.Format, named.Sheet, named.ValidRows));
        Assert.Equal(30, sink.Rows.Count);
        Assert.Equal((ImportOutcome.Rejected, "Notes"), (first.Outcome, first.Sheet));
        Assert.Contains(first.Problems, p => p.Rule == DatasetRules.MissingColumns);
    }

    /// <summary>A workbook whose first sheet holds a note and whose second holds the gradebook's only sheet.</summary>
    private static byte[] TwoSheetWorkbook(string firstSheet, string secondSheet, byte[] gradebook)
    {
        static byte[] Part(byte[] xlsx, string name)
        {
            using var zip = new ZipArchive(new MemoryStream(xlsx));
            using var part = zip.GetEntry(name)!.Open();
            using var copy = new MemoryStream();
            part.CopyTo(copy);
            return copy.ToArray();
        }

        static byte[] Text(string xml) => Encoding.UTF8.GetBytes(xml);
        using var notes = new MemoryStream();
        Core.Datasets.Generation.SimpleXlsxWriter.Write(notes, firstSheet, ["note"], [["Exported from the student information system"]]);
        const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const string Rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        const string Worksheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
        return ZipWith(
            ("[Content_Types].xml", Text("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                + $"<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"{Worksheet}\"/><Override PartName=\"/xl/worksheets/sheet2.xml\" ContentType=\"{Worksheet}\"/></Types>")),
            ("_rels/.rels", Part(gradebook, "_rels/.rels")),
            ("xl/_rels/workbook.xml.rels", Text("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + $"<Relationship Id=\"rId1\" Type=\"{Rel}/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"{Rel}/worksheet\" Target=\"worksheets/sheet2.xml\"/></Relationships>")),
            ("xl/workbook.xml", Text($"<workbook xmlns=\"{Main}\" xmlns:r=\"{Rel}\"><sheets>"
                + $"<sheet name=\"{firstSheet}\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"{secondSheet}\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>")),
            ("xl/worksheets/sheet1.xml", Part(notes.ToArray(), "xl/worksheets/sheet1.xml")),
            ("xl/worksheets/sheet2.xml", Part(gradebook, "xl/worksheets/sheet1.xml")));
    }

    internal static byte[] ZipWith(params (string Name, byte[] Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(content);
            }
        }

        return memory.ToArray();
    }
}
