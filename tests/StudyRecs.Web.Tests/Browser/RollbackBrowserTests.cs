using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Training;

namespace StudyRecs.Web.Tests.Browser;

/// <summary>An admin rolls the marks model back in the live page: a dialog that requires a reason, audited, pinned.</summary>
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
        var page = await session.NewPageAsync(javaScript: true);
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GotoAsync("/models?task=regression");

        await BrowserSession.WithScreenshotOnFailureAsync(page, "rollback", async () =>
        {
            await BrowserSession.WaitForLiveAsync(page);
            await page.GetByRole(AriaRole.Link, new() { Name = older.Version, Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(older.Version);
            await BrowserSession.WaitForLiveAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "Roll back to this version" }).ClickAsync();

            // The dialog names both versions and will not confirm without a reason.
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Assertions.Expect(dialog).ToContainTextAsync($"to version {older.Version}");
            var confirm = dialog.GetByRole(AriaRole.Button, new() { Name = "Roll back to this version" });
            await Assertions.Expect(confirm).ToBeDisabledAsync();
            await dialog.GetByLabel("Reason (required, kept in the activation log)").FillAsync("New term's forecasts look worse");
            await confirm.ClickAsync();

            await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Version {older.Version} replaced");
            await Assertions.Expect(page.Locator("main .page-header")).ToContainTextAsync("Serving · pinned");
            // The rollback pins the task: the models page says so, so nobody wonders why the next training does not serve.
            await page.GetByRole(AriaRole.Link, new() { Name = "← Final marks (regression)" }).ClickAsync();
            await Assertions.Expect(page.Locator("main .pin-notice")).ToContainTextAsync($"Pinned to version {older.Version}");
        });

        await using var scope = session.Portal.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        Assert.Equal(older.Version, (await registry.GetActiveAsync(ModelTask.Regression, CancellationToken.None))!.Version);
        Assert.Contains(await registry.AuditAsync(ModelTask.Regression, CancellationToken.None), a => a.ToVersion == older.Version && a.Reason == "New term's forecasts look worse" && a.By == email);
    }
}
