using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Tests.Training;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Datasets;

/// <summary>Uploads whose rows repeat (student, semester, subject) of accepted datasets, and what training then reads.</summary>
public sealed class DatasetOverlapTests : IAsyncLifetime
{
    private const string Header = "student_id,semester,subject,assignment_marks,quiz_marks,attendance_percentage,midterm_marks,previous_cgpa,final_marks,final_grade\n";
    private CoreTestHost _host = null!;

    public async Task InitializeAsync() => _host = await CoreTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>One row per student of semester 1 Calculus; <paramref name="finalMarks"/> tells the files apart.</summary>
    private static byte[] Gradebook(double finalMarks, params string[] students) => Encoding.UTF8.GetBytes(Header +
        string.Concat(students.Select(s => $"{s},1,Calculus,70,65,90,60,3.1,{finalMarks.ToString(System.Globalization.CultureInfo.InvariantCulture)},\n")));

    private Task<DatasetImportResult> ImportAsync(byte[] content, string name, OverlapPolicy policy) => _host.WithScopeAsync(sp =>
        sp.GetRequiredService<DatasetImportService>().ImportAsync(new DatasetUpload(new MemoryStream(content), name, OnOverlap: policy), CancellationToken.None));

    private Task<(int Datasets, int Rows)> StoredAsync() => _host.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<StudyRecsDbContext>();
        return (await db.Set<UploadedDataset>().CountAsync(), await db.Set<DatasetRow>().CountAsync());
    });

    [Fact]
    public async Task Ask_stores_nothing_and_reports_how_many_rows_overlap_which_datasets()
    {
        var first = await ImportAsync(Gradebook(72, "S1", "S2", "S3"), "first.csv", OverlapPolicy.Ask);
        Assert.True(first.IsAccepted, first.Report.Summary);
        Assert.Equal(0, first.Overlap!.Rows);

        var second = await ImportAsync(Gradebook(81, "S2", "S3", "S4"), "second.xlsx.csv", OverlapPolicy.Ask);

        Assert.False(second.IsAccepted);
        Assert.True(second.StoppedByOverlap);
        Assert.Equal(2, second.Overlap!.Rows);
        Assert.Equal([first.Dataset.Id], second.Overlap.DatasetIds);
        Assert.Equal(0, second.Dataset.Id);
        Assert.Contains("2 rows of this file have the same student, semester and subject as rows of dataset #1", second.Overlap.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was stored", second.Overlap.Message, StringComparison.Ordinal);
        Assert.Equal((1, 3), await StoredAsync());
    }

    [Fact]
    public async Task Cancel_stores_nothing_when_rows_overlap_and_stores_a_file_that_does_not_overlap()
    {
        await ImportAsync(Gradebook(72, "S1", "S2"), "first.csv", OverlapPolicy.Ask);

        var overlapping = await ImportAsync(Gradebook(81, "S2", "S9"), "second.csv", OverlapPolicy.Cancel);
        var separate = await ImportAsync(Gradebook(81, "S7", "S8"), "third.csv", OverlapPolicy.Cancel);

        Assert.True(overlapping.StoppedByOverlap);
        Assert.Equal(1, overlapping.Overlap!.Rows);
        Assert.Contains("cancelled and nothing was stored", overlapping.Overlap.Message, StringComparison.Ordinal);
        Assert.True(separate.IsAccepted, separate.Report.Summary);
        Assert.Equal((2, 4), await StoredAsync());
    }

    [Fact]
    public async Task Replace_stores_the_upload_and_training_reads_each_key_once_with_the_newest_values()
    {
        var first = await ImportAsync(Gradebook(72, "S1", "S2", "S3"), "first.csv", OverlapPolicy.Ask);
        var second = await ImportAsync(Gradebook(81, "S2", "S3", "S4"), "second.csv", OverlapPolicy.Replace);

        Assert.True(second.IsAccepted, second.Report.Summary);
        Assert.Equal(2, second.Overlap!.Rows);
        Assert.Contains("they replace the older rows in training", second.Overlap.Message, StringComparison.Ordinal);
        Assert.Equal((2, 6), await StoredAsync());

        var rows = await _host.WithScopeAsync(async sp =>
            await TrainingData.LoadLabelledRowsAsync(sp.GetRequiredService<StudyRecsDbContext>(), [first.Dataset.Id, second.Dataset.Id], CancellationToken.None));
        Assert.Equal(
            [("S1", 72.0, first.Dataset.Id), ("S2", 81.0, second.Dataset.Id), ("S3", 81.0, second.Dataset.Id), ("S4", 81.0, second.Dataset.Id)],
            rows.Select(r => (r.StudentId, r.FinalMarks!.Value, r.DatasetId)).OrderBy(r => r.StudentId));

        // The data hash follows the rows training reads: the older S2 and S3 rows no longer count.
        var hash = await _host.WithScopeAsync(sp => sp.GetRequiredService<TrainingPipeline>().CurrentDataHashAsync(null, CancellationToken.None));
        Assert.Equal(TrainingData.Hash(rows), hash);
    }

    [Fact]
    public async Task A_byte_identical_file_is_still_refused_as_a_duplicate_before_any_overlap_check()
    {
        var content = Gradebook(72, "S1", "S2");
        await ImportAsync(content, "first.csv", OverlapPolicy.Ask);

        var again = await ImportAsync(content, "copy.csv", OverlapPolicy.Replace);

        Assert.False(again.IsAccepted);
        Assert.Null(again.Overlap);
        Assert.Equal(DatasetStatus.Rejected, again.Dataset.Status);
        DatasetTestKit.Single(again.Report, DatasetRules.DuplicateUpload);
        Assert.Equal((2, 2), await StoredAsync());
    }

    [Fact]
    public async Task Archived_datasets_do_not_count_as_overlap()
    {
        var first = await ImportAsync(Gradebook(72, "S1", "S2"), "first.csv", OverlapPolicy.Ask);
        var archived = await _host.WithScopeAsync(sp => sp.GetRequiredService<DatasetLifecycle>()
            .ArchiveAsync(first.Dataset.Id, DatasetActor.Operator("ops"), "old term", CancellationToken.None));
        Assert.True(archived.Succeeded, archived.Message);

        var second = await ImportAsync(Gradebook(81, "S1", "S2"), "second.csv", OverlapPolicy.Ask);

        Assert.True(second.IsAccepted, second.Report.Summary);
        Assert.Equal(0, second.Overlap!.Rows);
    }

    [Theory]
    [InlineData("ask", OverlapPolicy.Ask)]
    [InlineData(" Replace ", OverlapPolicy.Replace)]
    [InlineData("CANCEL", OverlapPolicy.Cancel)]
    [InlineData("overwrite", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Policy_names_parse_in_any_case_and_nothing_else_does(string? text, OverlapPolicy? expected) =>
        Assert.Equal(expected, DatasetOverlap.ParsePolicy(text));
}
