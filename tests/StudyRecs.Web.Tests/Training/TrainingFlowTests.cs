using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>A portal whose training threshold is small, so a generated class of students trains in seconds.</summary>
public sealed class TrainingPortalFixture : IDisposable
{
    public TrainingPortalFixture()
    {
        Factory.Settings["Datasets:MinimumLabelledRowsToTrain"] = "200";
        Factory.Settings["Training:CvFolds"] = "3";
    }

    public PortalFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}

public class TrainingFlowTests(TrainingPortalFixture portal) : IClassFixture<TrainingPortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private static MultipartFormDataContent GeneratedUpload(int students, int seed)
    {
        var csv = new StringWriter();
        PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(students, Subjects: 3, Semesters: 2, Seed: seed), csv);
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString()));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", $"generated-{seed}.csv" } };
    }

    private async Task<IReadOnlyList<TrainedModel>> WaitForVersionsAsync(ModelTask task, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (DateTime.UtcNow < deadline)
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
            var versions = await registry.ListAsync(task, CancellationToken.None);
            var runs = await registry.RecentRunsAsync(10, CancellationToken.None);
            Assert.DoesNotContain(runs, r => r.Status == TrainingRunStatus.Failed);
            if (versions.Count >= count && runs.All(r => r.Status is TrainingRunStatus.Succeeded))
            {
                return versions;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Fewer than {count} {task} versions after 4 minutes.");
    }

    [Fact]
    public async Task Upload_trains_through_the_scheduler_and_an_admin_rolls_back_with_a_reason()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);

        var first = await teacher.PostAsync("/api/datasets", GeneratedUpload(45, seed: 1));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var afterFirst = await WaitForVersionsAsync(ModelTask.Regression, 1);
        Assert.Single(afterFirst);
        Assert.True(afterFirst[0].IsActive);
        Assert.Single(await WaitForVersionsAsync(ModelTask.Classification, 1));

        var second = await teacher.PostAsync("/api/datasets", GeneratedUpload(45, seed: 2));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var versions = await WaitForVersionsAsync(ModelTask.Regression, 2);
        Assert.Equal(2, versions.Count);
        Assert.True(versions[0].RowsUsed > versions[1].RowsUsed, "the second training uses both datasets");

        // The model page shows the metrics of each version.
        var modelPage = await Html.GetAsync(teacher, $"/models/regression/{versions[0].Version}");
        Assert.Contains("RMSE", modelPage.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await teacher.GetAsync($"/models/regression/{versions[0].Version}/model.bin")).StatusCode);

        // Teachers may look but not activate.
        var denied = await teacher.GetAsync($"/models/regression/{versions[1].Version}/activate");
        Assert.Contains("/account/access-denied", Redirects.LocalTarget(denied), StringComparison.Ordinal);

        var admin = await Factory.SignInAsync(Roles.Admin);
        var target = versions.First(v => !v.IsActive);
        var url = $"/models/regression/{target.Version}/activate";

        var unconfirmed = await PortalFactory.PostFormAsync(admin, url, "activate", new() { ["Input.Reason"] = "", ["Input.Confirm"] = "False" });
        var text = await unconfirmed.Content.ReadAsStringAsync();
        Assert.Contains("Say why, for the activation log.", text, StringComparison.Ordinal);
        Assert.Contains("Tick the box to confirm.", text, StringComparison.Ordinal);

        var done = await PortalFactory.PostFormAsync(admin, url, "activate", new() { ["Input.Reason"] = "Forecasts regressed after the new term", ["Input.Confirm"] = "True" });
        Assert.Equal("/models?task=regression", Redirects.LocalTarget(done));

        await using var scope = Factory.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        Assert.Equal(target.Version, (await registry.GetActiveAsync(ModelTask.Regression, false, CancellationToken.None))!.Version);
        var audit = await registry.AuditAsync(ModelTask.Regression, CancellationToken.None);
        Assert.Contains(audit, a => a.ToVersion == target.Version && a.Reason == "Forecasts regressed after the new term" && a.By.Length > 0);

        var jobs = await Html.GetAsync(admin, "/admin/jobs");
        Assert.True(jobs.QuerySelectorAll("tbody tr").Length >= 2);
        Assert.Contains("0 0 2 * * ?", jobs.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        // Run now trains again although no data changed (the nightly trigger would skip).
        var runForm = jobs.QuerySelectorAll("form").Single(f => f.GetAttribute("action") == $"admin/jobs/{Core.Scheduling.TrainModelsJob.Key.Group}/{Core.Scheduling.TrainModelsJob.Key.Name}/run");
        var token = runForm.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var ran = await admin.PostAsync("/" + runForm.GetAttribute("action"), new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal("/admin/jobs", Redirects.LocalTarget(ran));
        Assert.Equal(3, (await WaitForVersionsAsync(ModelTask.Regression, 3)).Count);
        var runs = await registry.RecentRunsAsync(10, CancellationToken.None);
        Assert.Contains(runs, r => r.TriggeredBy == "run now (jobs page)" && r.Status == TrainingRunStatus.Succeeded);
    }
}
