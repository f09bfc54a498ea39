using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Tests.Datasets;

namespace StudyRecs.Web.Tests.Browser;

/// <summary>A teacher uploads gradebooks in Chromium over the live connection: report in place, no reload, history updated.</summary>
[Trait("Category", "Browser")]
public partial class DatasetUploadBrowserTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private async Task<IPage> SignedInTeacherAsync(List<string> consoleErrors)
    {
        var (email, password) = await session.Portal.CreateUserAsync(Roles.Teacher);
        var page = await session.NewPageAsync(javaScript: true);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(TeacherHome());
        return page;
    }

    /// <summary>The file input the "Choose a file" button opens (MudFileUpload keeps a second one for drops).</summary>
    private static ILocator FilePicker(IPage page) => page.Locator(".mud-file-upload input[type=file]").First;

    /// <summary>
    /// Chooses a file and waits until the page names it. The file input starts listening a moment after the connection
    /// is live (its script is set up after the first render), so a choice made in that moment is repeated.
    /// </summary>
    private static async Task ChooseAsync(IPage page, FilePayload file)
    {
        for (var attempt = 1; ; attempt++)
        {
            await FilePicker(page).SetInputFilesAsync(file);
            try
            {
                await Assertions.Expect(page.Locator(".chosen-file")).ToContainTextAsync(file.Name, new() { Timeout = 2_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 5)
            {
            }
        }
    }

    private static FilePayload File(string name, string content) => new() { Name = name, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(content) };

    [BrowserFact]
    public async Task A_teacher_uploads_a_rejected_file_then_a_corrected_one_and_finds_it_in_the_history()
    {
        var errors = new List<string>();
        var page = await SignedInTeacherAsync(errors);
        await page.GotoAsync("/datasets/upload");
        await BrowserSession.WaitForLiveAsync(page);

        await BrowserSession.WithScreenshotOnFailureAsync(page, "dataset-upload", async () =>
        {
            await ChooseAsync(page, File("bad.csv", DatasetPageDriver.Csv("S1,0,Math,170,60,80,65,3.1,72,")));
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload and validate" }).ClickAsync();
            await Assertions.Expect(page.Locator(".upload-result [role=alert]")).ToContainTextAsync("Rejected");
            await Assertions.Expect(page.Locator(".upload-result tbody tr").First).ToContainTextAsync("semester");
            await BrowserSession.ScreenshotAsync(page, "upload-rejected");

            await page.GetByRole(AriaRole.Button, new() { Name = "Upload a corrected file" }).ClickAsync();
            await ChooseAsync(page, File("fixed.csv", DatasetPageDriver.UniqueCsv(3)));
            await page.GetByLabel("Course or term label (optional)").FillAsync("Browser term");
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload and validate" }).ClickAsync();
            await Assertions.Expect(page.Locator(".upload-result [role=status]").First).ToContainTextAsync("Accepted");
            Assert.EndsWith("/datasets/upload", page.Url, StringComparison.Ordinal);

            await page.GetByRole(AriaRole.Link, new() { Name = "Open the dataset" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("fixed.csv");
            await BrowserSession.ScreenshotAsync(page, "dataset-detail");

            await page.GotoAsync("/datasets?status=Accepted");
            await BrowserSession.WaitForLiveAsync(page);
            await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("tbody tr").First).ToContainTextAsync("fixed.csv");
            await BrowserSession.ScreenshotAsync(page, "datasets-accepted");
            await page.GotoAsync("/datasets?status=Rejected");
            await BrowserSession.WaitForLiveAsync(page);
            await Assertions.Expect(page.Locator("tbody tr").First).ToContainTextAsync("bad.csv");
        });

        Assert.Empty(errors);
    }

    [GeneratedRegex("/teacher$")]
    private static partial Regex TeacherHome();
}
