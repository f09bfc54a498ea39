using System.Text;
using StudyRecs.Core.Datasets;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

/// <summary>
/// Feeds many damaged variants of valid files. Every variant must produce a report (no exception escapes), a rejected
/// report must explain itself, and the sink (what would be committed) must receive nothing for a rejected file.
/// </summary>
public class CorruptedInputFuzzTests
{
    public static TheoryData<string> Formats() => ["csv", "xlsx", "xls"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Flipped_bytes_cut_short_files_and_appended_garbage_never_escape_and_never_half_import(string format)
    {
        var (valid, fileName, sheet) = format switch
        {
            "csv" => (GeneratedCsv(students: 4), "g.csv", (string?)null),
            "xlsx" => (GeneratedXlsx(students: 4), "g.xlsx", null),
            _ => (Fixture("gradebook.xls"), "g.xls", "Grades"),
        };
        var importer = new GradebookImporter(new DatasetOptions());
        var random = new Random(1234);
        var rejected = 0;
        var variants = Variants(valid, random).ToList();

        foreach (var (name, bytes) in variants)
        {
            var sink = new RecordingSink();
            var report = await importer.ImportAsync(new MemoryStream(bytes), fileName, sheet, sink, CancellationToken.None);

            if (report.Outcome == ImportOutcome.Rejected)
            {
                rejected++;
                Assert.True(sink.Rows.Count == 0, $"{name}: a rejected file reached the sink");
                Assert.True(report.ErrorCount > 0 && report.Problems.Count > 0, $"{name}: rejected without a problem");
                Assert.All(report.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
            }
            else
            {
                Assert.Equal(report.ValidRows, sink.Rows.Count);
            }
        }

        // Truncations of a zip lose its central directory; of any file, its last rows or structure.
        Assert.True(rejected >= variants.Count / 3, $"only {rejected} of {variants.Count} {format} variants were rejected");
    }

    [Theory]
    [InlineData("g.xlsx")]
    [InlineData("g.xls")]
    [InlineData("g.csv")]
    public async Task Random_garbage_under_any_extension_is_rejected(string fileName)
    {
        var random = new Random(99);
        var importer = new GradebookImporter(new DatasetOptions());
        for (var i = 0; i < 40; i++)
        {
            var garbage = new byte[random.Next(1, 5000)];
            random.NextBytes(garbage);
            if (i % 4 == 1)
            {
                garbage[0] = 0x50;
                garbage[1] = 0x4B;
                garbage[2] = 3;
                garbage[3] = 4;
            }
            else if (i % 4 == 2)
            {
                byte[] ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
                ole.CopyTo(garbage, 0);
            }

            var sink = new RecordingSink();
            var report = await importer.ImportAsync(new MemoryStream(garbage), fileName, null, sink, CancellationToken.None);

            Assert.Equal(ImportOutcome.Rejected, report.Outcome);
            Assert.Empty(sink.Rows);
        }
    }

    [Fact]
    public async Task Zipped_garbage_and_a_zipped_bomb_named_xlsx_are_rejected()
    {
        var random = new Random(5);
        var noise = new byte[20_000];
        random.NextBytes(noise);
        var garbageWorkbook = WorkbookFormatTests.ZipWith(("xl/workbook.xml", noise), ("xl/worksheets/sheet1.xml", noise));
        var bomb = WorkbookFormatTests.ZipWith(("xl/workbook.xml", new byte[10]), ("xl/worksheets/sheet1.xml", new byte[600 * 1024 * 1024]));

        var garbageReport = await ImportAsync(garbageWorkbook, "g.xlsx");
        var bombReport = await ImportAsync(bomb, "g.xlsx");

        Assert.Equal(DatasetRules.MalformedFile, Assert.Single(garbageReport.Problems).Rule);
        Assert.Equal(DatasetRules.XlsxBomb, Assert.Single(bombReport.Problems).Rule);
        Assert.True(bomb.Length < 1_000_000);
    }

    private static IEnumerable<(string Name, byte[] Bytes)> Variants(byte[] valid, Random random)
    {
        for (var i = 0; i < 40; i++)
        {
            var flipped = (byte[])valid.Clone();
            for (var k = 0; k < 1 + (i % 5); k++)
            {
                flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            }

            yield return ($"flip#{i}", flipped);
        }

        foreach (var fraction in new[] { 0.0001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99 })
        {
            yield return ($"cut@{fraction}", valid[..Math.Max(1, (int)(valid.Length * fraction))]);
        }

        var garbage = new byte[2000];
        random.NextBytes(garbage);
        yield return ("appended-garbage", [.. valid, .. garbage]);
        yield return ("prefixed-garbage", [.. garbage[..50], .. valid]);
        yield return ("zeroed-middle", [.. valid[..(valid.Length / 2)], .. new byte[valid.Length - (valid.Length / 2)]]);
        yield return ("nul-in-text", [.. valid[..10], 0, .. valid[10..]]);
        yield return ("only-header-bytes", Encoding.UTF8.GetBytes(Header));
    }
}
