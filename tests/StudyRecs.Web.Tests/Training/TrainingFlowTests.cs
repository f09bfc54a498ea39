using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>A portal whose training threshold is small, so a generated class of students trains in seconds.</summary>
public sealed class TrainingPortalFixture : IDisposable
{
    public TrainingPortalFixture()
    {
        Factory.Settings["Datasets:MinimumLabelledRowsToTrain"] = "200";
        Factory.Settings["Training:CvFolds"] = "3";
        Factory.Settings["Predictions:RefreshSeconds"] = "0.5";
    }

    public PortalFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}

public class TrainingFlowTests(TrainingPortalFixture portal) : IClassFixture<TrainingPortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private async Task<IReadOnlyList<TrainedModel>> WaitForVersionsAsync(ModelTask task, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (DateTime.UtcNow < deadline)
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
            var versions = await registry.ListAsync(task, CancellationToken.None);
            var runs = await registry.RecentRunsAsync(10, TrainingRunKind.Grades, CancellationToken.None);
            Assert.DoesNotContain(runs, r => r.Status == TrainingRunStatus.Failed);
            if (versions.Count >= count && runs.All(r => r.Status is TrainingRunStatus.Succeeded))
            {
                return versions;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Fewer than {count} {task} versions after 4 minutes.");
    }

    /// <summary>The marks model version <c>POST /api/predict</c> answers with, once it is <paramref name="expected"/> or after 5 s.</summary>
    private static async Task<string?> RegressionVersionServedAsync(HttpClient client, string expected)
    {
        const string body = """{"semester": 2, "subject": "Algorithms", "assignment_marks": 62, "quiz_marks": 55, "attendance_percentage": 71, "midterm_marks": 48, "previous_cgpa": 2.7}""";
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string? served;
        do
        {
            var response = await client.PostAsync("/api/predict", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            served = doc.RootElement.GetProperty("model_versions").GetProperty("regression").GetString();
            if (served == expected)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return served;
    }

    [Fact]
    public async Task Upload_trains_through_the_scheduler_and_an_admin_rolls_back_with_a_reason()
    {
        var teacher = await PortalFactory.WithAntiforgeryHeaderAsync(await Factory.SignInAsync(Roles.Teacher));

        var first = await teacher.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(45, seed: 1));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var afterFirst = await WaitForVersionsAsync(ModelTask.Regression, 1);
        Assert.Single(afterFirst);
        Assert.True(afterFirst[0].IsActive);
        Assert.Single(await WaitForVersionsAsync(ModelTask.Classification, 1));

        // The dataset page shows the run that trained on it and links to the versions it produced.
        var firstDataset = first.Headers.Location!.OriginalString.Split('/')[^1];
        var datasetPage = await Html.GetAsync(teacher, $"/datasets/{firstDataset}");
        Assert.Contains(datasetPage.QuerySelectorAll("a"), a => a.GetAttribute("href") == $"models/regression/{afterFirst[0].Version}");

        // A second class (other students): training then reads both datasets.
        var second = await teacher.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(45, seed: 2, firstStudent: 1001));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var versions = await WaitForVersionsAsync(ModelTask.Regression, 2);
        Assert.Equal(2, versions.Count);
        Assert.True(versions[0].RowsUsed > versions[1].RowsUsed, "the second training uses both datasets");

        // The model page shows the metrics of each version.
        var modelPage = await Html.GetAsync(teacher, $"/models/regression/{versions[0].Version}");
        Assert.Contains("RMSE", modelPage.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await teacher.GetAsync($"/models/regression/{versions[0].Version}/model.bin")).StatusCode);
        var grades = await WaitForVersionsAsync(ModelTask.Classification, 2);
        var gradePage = await Html.GetAsync(teacher, $"/models/classification/{grades[0].Version}");
        var gradeText = gradePage.QuerySelector("main")!.TextContent;
        foreach (var card in new[] { "Confusion matrix", "Per grade", "Reliability of the predicted probabilities", "Class balance", "Weighted F1" })
        {
            Assert.Contains(card, gradeText, StringComparison.Ordinal);
        }

        Assert.NotEmpty(gradePage.QuerySelectorAll("table.heatmap tbody td"));
        Assert.NotEmpty(gradePage.QuerySelectorAll("svg"));
        var metrics = await teacher.GetAsync($"/models/classification/{grades[0].Version}/metrics.json");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        using (var json = System.Text.Json.JsonDocument.Parse(await metrics.Content.ReadAsStringAsync()))
        {
            Assert.Equal(System.Text.Json.JsonValueKind.Object, json.RootElement.ValueKind);
            Assert.True(json.RootElement.EnumerateObject().Any(), "the metrics file has content");
        }

        // Teachers may look but not activate.
        await using (var asTeacher = PortalComponents.ForPortal(Factory, Roles.Teacher, "teacher-flow@test.local"))
        {
            var older = ModelPageDriver.RenderVersion(asTeacher, ModelTask.Regression, versions[1].Version);
            await older.WaitForAssertionAsync(() => Assert.Contains(versions[1].Version, older.Find("h1").TextContent, StringComparison.Ordinal), ModelPageDriver.Patience);
            Assert.Empty(older.FindAll("button.activate"));
        }

        // An admin activates in a dialog that refuses to confirm without a reason (checked by the driver).
        var admin = await Factory.SignInAsync(Roles.Admin);
        var target = versions.First(v => !v.IsActive);
        var done = await ModelPageDriver.ActivateAsync(Factory, ModelTask.Regression, target.Version, "Forecasts regressed after the new term");
        Assert.Contains($"Version {target.Version} replaced", done, StringComparison.Ordinal);

        await using var scope = Factory.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        Assert.Equal(target.Version, (await registry.GetActiveAsync(ModelTask.Regression, CancellationToken.None))!.Version);
        var audit = await registry.AuditAsync(ModelTask.Regression, CancellationToken.None);
        Assert.Contains(audit, a => a.ToVersion == target.Version && a.Reason == "Forecasts regressed after the new term" && a.By.Length > 0);

        // Forecasts follow the rollback: the API answers with the version the admin chose.
        Assert.Equal(target.Version, await RegressionVersionServedAsync(admin, target.Version));

        // The job cards come with the page (the history grid loads once the page is live; JobsHistoryGridTests covers it).
        var jobs = await Html.GetAsync(admin, "/admin/jobs");
        var latest = (await registry.RecentRunsAsync(1, TrainingRunKind.Grades, CancellationToken.None))[0];
        Assert.Contains($"run #{latest.Id}", jobs.QuerySelector(".job-card .last-run")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("0 0 2 * * ?", jobs.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        // Run now trains again although no data changed (the nightly trigger would skip).
        Assert.Contains("started", await JobsPageDriver.PressAsync(Factory, "Run now"), StringComparison.Ordinal);
        Assert.Equal(3, (await WaitForVersionsAsync(ModelTask.Regression, 3)).Count);
        var runs = await registry.RecentRunsAsync(10, TrainingRunKind.Grades, CancellationToken.None);
        Assert.Contains(runs, r => r.TriggeredBy == "run now (jobs page)" && r.Status == TrainingRunStatus.Succeeded);
    }
}
