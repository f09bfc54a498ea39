using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Training;

namespace StudyRecs.Web.Tests.Browser;

/// <summary>An admin rolls the marks model back in the browser: confirmation step, reason required, audited.</summary>
[Trait("Category", "Browser")]
public class RollbackBrowserTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private async Task<IReadOnlyList<TrainedModel>> TrainTwoVersionsAsync()
    {
        var services = session.Portal.Services;
        await using (var scope = services.CreateAsyncScope())
        {
            var csv = new MemoryStream();
            await using (var writer = new StreamWriter(csv, leaveOpen: true))
            {
                PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(120, Subjects: 5, Semesters: 2, Seed: 5), writer);
            }

            csv.Position = 0;
            var import = await scope.ServiceProvider.GetRequiredService<DatasetImportService>().ImportAsync(new DatasetUpload(csv, "rollback.csv"), CancellationToken.None);
            Assert.True(import.IsAccepted, import.Report.Summary);
        }

        for (var i = 0; i < 2; i++)
        {
            await using var scope = services.CreateAsyncScope();
            var pipeline = scope.ServiceProvider.GetRequiredService<TrainingPipeline>();
            var run = await pipeline.CreateRunAsync(new TrainingRequest(null, "browser test"), CancellationToken.None);
            Assert.Equal(TrainingRunStatus.Succeeded, (await pipeline.RunAsync(run.Id, CancellationToken.None)).Run.Status);
            await Task.Delay(1100); // versions are named by the second
        }

        await using var last = services.CreateAsyncScope();
        return await last.ServiceProvider.GetRequiredService<ModelRegistry>().ListAsync(ModelTask.Regression, CancellationToken.None);
    }

    [BrowserFact]
    public async Task An_admin_rolls_back_after_confirming_with_a_reason()
    {
        var versions = await TrainTwoVersionsAsync();
        Assert.Equal(2, versions.Count);
        var older = versions.Single(v => !v.IsActive);

        var (email, password) = await session.Portal.CreateUserAsync(Roles.Admin);
        var page = await session.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GotoAsync("/models?task=regression");

        await BrowserSession.WithScreenshotOnFailureAsync(page, "rollback", async () =>
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Roll back to this" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync($"Roll back Final marks (regression) to {older.Version}?");

            // Without a reason and confirmation nothing changes.
            await page.GetByRole(AriaRole.Button, new() { Name = "Roll back" }).ClickAsync();
            await Assertions.Expect(page.GetByText("Say why, for the activation log.")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText("Tick the box to confirm.")).ToBeVisibleAsync();

            await page.GetByLabel("Reason (required)").FillAsync("New term's forecasts look worse");
            await page.GetByLabel($"I understand that forecasts for all students will use version {older.Version}").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Roll back" }).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/models\\?task=regression$"));
            await Assertions.Expect(page.Locator("main").GetByRole(AriaRole.Status)).ToContainTextAsync($"Version {older.Version} is now the active");
            // The rollback pins the task: the page says so, so nobody wonders why the next training does not serve.
            await Assertions.Expect(page.Locator("main .pin-notice")).ToContainTextAsync($"Pinned to version {older.Version}");
        });

        await using var scope = session.Portal.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        Assert.Equal(older.Version, (await registry.GetActiveAsync(ModelTask.Regression, false, CancellationToken.None))!.Version);
        Assert.Contains(await registry.AuditAsync(ModelTask.Regression, CancellationToken.None), a => a.ToVersion == older.Version && a.Reason == "New term's forecasts look worse" && a.By == email);
    }
}
