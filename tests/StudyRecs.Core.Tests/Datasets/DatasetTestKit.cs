using System.Runtime.CompilerServices;
using System.Text;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;

namespace StudyRecs.Core.Tests.Datasets;

/// <summary>Builders for gradebook files and a sink that records what it receives.</summary>
internal static class DatasetTestKit
{
    public const string Header = "student_id,semester,subject,assignment_marks,quiz_marks,attendance_percentage,midterm_marks,previous_cgpa,final_marks,final_grade";

    /// <summary>A valid row; final marks 72 earn a B.</summary>
    public static string Row(string id = "S1", int semester = 1, string subject = "Calculus", string assignment = "70", string quiz = "65",
        string attendance = "90", string midterm = "60", string cgpa = "3.1", string final = "72", string grade = "B") =>
        $"{id},{semester},{subject},{assignment},{quiz},{attendance},{midterm},{cgpa},{final},{grade}";

    /// <summary>A valid file of <paramref name="rows"/> distinct rows.</summary>
    public static string ValidCsv(int rows)
    {
        var sb = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            sb.Append(Row(id: $"S{i}")).Append('\n');
        }

        return sb.ToString();
    }

    public static string Csv(params string[] dataRows) => Header + "\n" + string.Join("\n", dataRows) + "\n";

    public static Task<DatasetValidationReport> ImportAsync(string csv, string fileName = "grades.csv", DatasetOptions? options = null, RecordingSink? sink = null) =>
        ImportAsync(Encoding.UTF8.GetBytes(csv), fileName, null, options, sink);

    public static Task<DatasetValidationReport> ImportAsync(byte[] content, string fileName, string? sheet = null, DatasetOptions? options = null, RecordingSink? sink = null) =>
        new GradebookImporter(options ?? new DatasetOptions()).ImportAsync(new MemoryStream(content), fileName, sheet, sink, CancellationToken.None);

    public static byte[] GeneratedXlsx(int students, int seed = 7)
    {
        using var memory = new MemoryStream();
        PerformanceDataGenerator.WriteXlsx(new PerformanceDataSpec(students, Seed: seed), memory);
        return memory.ToArray();
    }

    public static byte[] GeneratedCsv(int students, int seed = 7)
    {
        using var writer = new StringWriter();
        PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(students, Seed: seed), writer);
        return Encoding.UTF8.GetBytes(writer.ToString());
    }

    public static byte[] Fixture(string name, [CallerFilePath] string here = "") =>
        File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", name));

    public static DatasetProblem Single(DatasetValidationReport report, string rule) =>
        Assert.Single(report.Problems, p => p.Rule == rule);
}

/// <summary>Records every batch; <see cref="Rows"/> is what a committed transaction would hold.</summary>
internal sealed class RecordingSink : IGradebookRowSink
{
    public List<GradebookRow> Rows { get; } = [];

    public int Batches { get; private set; }

    public ValueTask WriteBatchAsync(IReadOnlyList<GradebookRow> batch, CancellationToken cancellationToken)
    {
        Batches++;
        Rows.AddRange(batch);
        return ValueTask.CompletedTask;
    }
}
