using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StudyRecs.Web.Tests.Faults;

/// <summary>
/// Over a thousand mutated gradebooks through <c>POST /api/datasets</c>: flipped bytes, truncations, zipped garbage,
/// decompression bombs, wrong encodings, huge cells, formula injection. Not one answer is a 5xx, every refusal is
/// Problem Details with a title and a detail, and no rejected upload leaves a row or a file behind.
/// </summary>
public sealed class UploadFuzzTests(UploadFuzzTests.Portal portal, ITestOutputHelper output) : IClassFixture<UploadFuzzTests.Portal>
{
    /// <summary>Files per mutation family: 100 (11 families, 1,100 files), or more for bench/faults/upload-fuzz.sh's campaign.</summary>
    private static readonly int FilesPerFamily =
        int.TryParse(Environment.GetEnvironmentVariable("STUDYRECS_FUZZ_FILES_PER_FAMILY"), out var n) && n >= 100 ? n : 100;

    /// <summary>The portal, with a small bomb guard so a bomb stays small in memory here.</summary>
    public sealed class Portal : IDisposable
    {
        public PortalFactory Factory { get; } = new()
        {
            Settings = { ["Datasets:MaxXlsxUncompressedBytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), ["Datasets:MinimumLabelledRowsToTrain"] = "100000000" },
        };

        public void Dispose() => Factory.Dispose();
    }

    private static byte[] Csv(int students, int seed)
    {
        var writer = new StringWriter();
        PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(students, Subjects: 2, Semesters: 1, Seed: seed), writer);
        return Encoding.UTF8.GetBytes(writer.ToString());
    }

    private static byte[] Xlsx(int students, int seed)
    {
        using var stream = new MemoryStream();
        PerformanceDataGenerator.WriteXlsx(new PerformanceDataSpec(students, Subjects: 2, Semesters: 1, Seed: seed), stream);
        return stream.ToArray();
    }

    private static byte[] FlipBytes(byte[] original, Random random)
    {
        var copy = (byte[])original.Clone();
        for (var i = random.Next(1, 12); i > 0; i--)
        {
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
        }

        return copy;
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                entry.Write(content);
            }
        }

        return stream.ToArray();
    }

    private static string Text(byte[] utf8) => Encoding.UTF8.GetString(utf8);

    /// <summary>Eleven families of hostile files, <see cref="FilesPerFamily"/> each, all from fixed seeds.</summary>
    private static IEnumerable<(string Family, string Name, byte[] Content)> HostileFiles()
    {
        for (var i = 0; i < FilesPerFamily; i++)
        {
            var random = new Random(i);
            var csv = Csv(students: 3 + (i % 5), seed: i);
            var xlsx = Xlsx(students: 3 + (i % 5), seed: i);
            yield return ("csv-flipped", $"flipped-{i}.csv", FlipBytes(csv, random));
            yield return ("csv-truncated", $"truncated-{i}.csv", csv[..random.Next(0, csv.Length)]);
            yield return ("xlsx-flipped", $"flipped-{i}.xlsx", FlipBytes(xlsx, random));
            yield return ("xlsx-truncated", $"truncated-{i}.xlsx", xlsx[..random.Next(0, xlsx.Length)]);
            var garbage = new byte[random.Next(1, 4096)];
            random.NextBytes(garbage);
            yield return ("zipped-garbage", $"garbage-{i}.xlsx", i % 2 == 0 ? Zip(("xl/worksheets/sheet1.xml", garbage), ("[Content_Types].xml", garbage)) : garbage);
            // Bombs: one part that unpacks past the guard, or more parts than the guard allows.
            yield return ("xlsx-bomb", $"bomb-{i}.xlsx", i % 2 == 0
                ? Zip(("[Content_Types].xml", "<Types/>"u8.ToArray()), ("xl/worksheets/sheet1.xml", new byte[(5 + (i % 3)) * 1024 * 1024]))
                : Zip([.. Enumerable.Range(0, 1001 + i).Select(n => ($"xl/p{n}.xml", new byte[] { 0 }))]));
            var encoding = (i % 4) switch
            {
                0 => (Encoding)new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
                1 => new UnicodeEncoding(bigEndian: true, byteOrderMark: false),
                2 => new UTF32Encoding(bigEndian: false, byteOrderMark: true),
                _ => Encoding.Latin1,
            };
            var accented = Text(csv).Replace("Calculus", "Cálculo Ñandú", StringComparison.Ordinal);
            yield return ("wrong-encoding", $"encoded-{i}.csv", [.. encoding.GetPreamble(), .. encoding.GetBytes(accented)]);
            var lines = Text(csv).Split('\n');
            var row = 1 + random.Next(lines.Length - 2);
            var cells = lines[row].Split(',');
            cells[random.Next(cells.Length)] = new string((char)('A' + (i % 26)), 300 + (i * 997 % 200_000));
            lines[row] = string.Join(',', cells);
            yield return ("huge-cell", $"huge-{i}.csv", Encoding.UTF8.GetBytes(string.Join('\n', lines)));
            var formula = (i % 5) switch
            {
                0 => "=HYPERLINK(\"http://evil.test\",\"click\")",
                1 => "+cmd|' /C calc'!A0",
                2 => "-2+3+cmd|' /C calc'!A0",
                3 => "@SUM(1+1)*cmd|' /C calc'!A0",
                _ => "\t=1+1",
            };
            cells = lines[row].Split(',');
            cells[random.Next(3)] = formula.Contains(',', StringComparison.Ordinal) ? $"\"{formula.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : formula;
            lines[row] = string.Join(',', cells);
            yield return ("formula-injection", $"formula-{i}.csv", Encoding.UTF8.GetBytes(string.Join('\n', lines)));
            yield return ("structure", $"structure-{i}.csv", (i % 5) switch
            {
                0 => [],
                1 => "\uFEFF"u8.ToArray(),
                2 => Encoding.UTF8.GetBytes(lines[0] + "\n"),
                3 => [.. csv.Take(200), 0, 0, 0, .. csv.Skip(200)],
                _ => Encoding.UTF8.GetBytes(string.Join('\n', lines.Select(l => l + new string(',', i % 7)))),
            });
            yield return ("wrong-extension", i % 2 == 0 ? $"csv-named-{i}.xlsx" : $"xlsx-named-{i}.csv", i % 2 == 0 ? csv : xlsx);
        }
    }

    [Fact]
    public async Task A_thousand_hostile_uploads_get_no_5xx_clear_problems_and_leave_no_rows_behind()
    {
        var client = await portal.Factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var failures = new List<string>();
        var answers = new Dictionary<int, int>();
        var files = 0;
        foreach (var (family, name, content) in HostileFiles())
        {
            files++;
            var file = new ByteArrayContent(content);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var form = new MultipartFormDataContent { { file, "file", name } };
            using var response = await client.PostAsync("/api/datasets", form);
            var status = (int)response.StatusCode;
            answers[status] = answers.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync();
            if (status >= 500)
            {
                failures.Add($"{family} {name}: {status} {body[..Math.Min(200, body.Length)]}");
                continue;
            }

            if (response.StatusCode == HttpStatusCode.Created)
            {
                continue;
            }

            using var problem = JsonDocument.Parse(body);
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || !problem.RootElement.TryGetProperty("title", out var title) || string.IsNullOrWhiteSpace(title.GetString())
                || !problem.RootElement.TryGetProperty("detail", out var detail) || string.IsNullOrWhiteSpace(detail.GetString()))
            {
                failures.Add($"{family} {name}: {status} is no clear Problem Details: {body[..Math.Min(200, body.Length)]}");
            }
        }

        output.WriteLine($"files: {files}; answers: {string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key}: {a.Value}"))}");
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var rejected = db.Set<UploadedDataset>().Where(d => d.Status == DatasetStatus.Rejected).Select(d => d.Id);
        var rowsOfRejected = await db.Set<DatasetRow>().CountAsync(r => rejected.Contains(r.DatasetId));
        var filesOfRejected = await db.Set<UploadedDatasetFile>().CountAsync(f => rejected.Contains(f.DatasetId));

        Assert.True(files >= 1000, $"only {files} files");
        Assert.True(failures.Count == 0, $"{failures.Count} of {files} answers failed:\n" + string.Join("\n", failures.Take(30)));
        Assert.Equal(0, rowsOfRejected);
        Assert.Equal(0, filesOfRejected);
        output.WriteLine($"rows of rejected datasets: {rowsOfRejected}; stored files of rejected datasets: {filesOfRejected}; 5xx: {failures.Count}");
        // The campaign is hostile, not only broken: most files are refused (the rest are mutations that stayed valid).
        Assert.True(answers.Where(a => a.Key != 201).Sum(a => a.Value) > files / 2, string.Join(", ", answers.Select(a => $"{a.Key}: {a.Value}")));
        Assert.True(await db.Set<UploadedDataset>().AnyAsync(d => d.Status == DatasetStatus.Rejected));
    }
}
