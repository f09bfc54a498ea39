using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Predictions;

/// <summary>The what-if form is built from the active model's feature schema, so a school's extra column can be changed too.</summary>
public sealed class WhatIfExtraColumnTests : IDisposable
{
    private readonly PortalFactory factory = new();

    public WhatIfExtraColumnTests()
    {
        factory.Settings["Datasets:MinimumLabelledRowsToTrain"] = "200";
        factory.Settings["Training:CvFolds"] = "3";
    }

    public void Dispose() => factory.Dispose();

    /// <summary>A generated gradebook with an extra numeric column, study hours, that tracks the final marks.</summary>
    private static byte[] GradebookWithStudyHours()
    {
        var csv = new StringWriter();
        PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(40, Subjects: 3, Semesters: 2, Seed: 5), csv);
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        var header = lines[0].Split(',');
        var finalMarks = Array.IndexOf(header, "final_marks");
        var text = new StringBuilder(lines[0]).Append(",study_hours\n");
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            var hours = double.TryParse(cells[finalMarks], NumberStyles.Float, CultureInfo.InvariantCulture, out var marks) ? Math.Round(marks / 10, 1) : 5.0;
            text.Append(lines[i]).Append(',').Append(hours.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    [Fact]
    public async Task An_extra_numeric_column_the_model_learned_from_is_a_what_if_field()
    {
        var teacher = await PortalFactory.WithAntiforgeryHeaderAsync(await factory.SignInAsync(Roles.Teacher));
        var file = new ByteArrayContent(GradebookWithStudyHours());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        Assert.Equal(HttpStatusCode.Created, (await teacher.PostAsync("/api/datasets", new MultipartFormDataContent { { file, "file", "with-hours.csv" } })).StatusCode);

        var deadline = DateTime.UtcNow.AddMinutes(4);
        (string StudentId, string Subject) target = default;
        while (true)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            Assert.DoesNotContain(await db.Set<TrainingRun>().Select(r => r.Status).ToListAsync(), s => s == TrainingRunStatus.Failed);
            if (await db.Set<TrainedModel>().CountAsync(m => m.IsActive) == 2)
            {
                var row = await db.Set<DatasetRow>().OrderByDescending(r => r.Semester).ThenBy(r => r.RowNumber).FirstAsync();
                target = (row.StudentId, row.Subject);
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "The models were not trained within 4 minutes.");
            await Task.Delay(300);
        }

        // This node serves the new versions from its next refresh (Predictions:RefreshSeconds); take it now.
        await factory.Services.GetRequiredService<ActiveModels>().RefreshAsync(CancellationToken.None);
        var url = $"/forecasts/{target.StudentId}/{Uri.EscapeDataString(target.Subject)}";
        var page = await Html.GetAsync(teacher, url);
        var field = page.QuerySelector("input[id='extra:study_hours']");
        Assert.True(field is not null, page.QuerySelector("main")!.TextContent);
        Assert.Contains("study_hours", page.QuerySelector("label[for='extra:study_hours']")!.TextContent, StringComparison.Ordinal);

        var moved = await Html.GetAsync(teacher, url + "?" + Uri.EscapeDataString("extra:study_hours") + "=0");
        Assert.Contains("With these values the forecast moves from", moved.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        var invalid = await Html.GetAsync(teacher, url + "?" + Uri.EscapeDataString("extra:study_hours") + "=many");
        Assert.Contains("Enter a number.", invalid.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }
}
