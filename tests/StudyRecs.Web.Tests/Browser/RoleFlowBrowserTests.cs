using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Browser;

/// <summary>
/// The browser session of <see cref="RoleFlowBrowserTests"/>: a portal that trains on a small class, checks open live
/// pages' sign-ins every 5 s, and holds one gradebook (uploaded by <see cref="TeacherEmail"/>) with trained models and
/// the starter catalog, so every role's pages have something to show.
/// </summary>
public sealed class RoleFlowSession : IAsyncLifetime
{
    public const string Password = "Correct-Horse-42";

    /// <summary>A student of the seeded gradebook, with a student account.</summary>
    public const string StudentId = "S00001";

    public RoleFlowSession()
    {
        Portal.Settings["Datasets:MinimumLabelledRowsToTrain"] = "200";
        Portal.Settings["Training:CvFolds"] = "3";
        Portal.Settings["Predictions:RefreshSeconds"] = "0.5";
        Portal.Settings["Accounts:SessionRevalidationSeconds"] = "5";
    }

    public BrowserSession Browser { get; } = new();

    public PortalFactory Portal => Browser.Portal;

    /// <summary>The teacher who uploaded the seeded gradebook.</summary>
    public string TeacherEmail { get; private set; } = "";

    public string StudentEmail { get; private set; } = "";

    public long DatasetId { get; private set; }

    /// <summary>A subject of <see cref="StudentId"/>'s latest semester.</summary>
    public string Subject { get; private set; } = "";

    /// <summary>The serving marks model version.</summary>
    public string RegressionVersion { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Browser.InitializeAsync();
        (TeacherEmail, _) = await Portal.CreateUserAsync(Roles.Teacher);
        (StudentEmail, _) = await Portal.CreateUserAsync(Roles.Student, StudentId);
        var services = Portal.Services;
        await using (var scope = services.CreateAsyncScope())
        {
            var teacher = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(TeacherEmail);
            var csv = new MemoryStream();
            await using (var writer = new StreamWriter(csv, leaveOpen: true))
            {
                PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(60, Subjects: 3, Semesters: 2, Seed: 13), writer);
            }

            csv.Position = 0;
            var import = await scope.ServiceProvider.GetRequiredService<DatasetImportService>()
                .ImportAsync(new DatasetUpload(csv, "role-flows.csv", UploaderId: teacher!.Id), CancellationToken.None);
            Assert.True(import.IsAccepted, import.Report.Summary);
            DatasetId = import.Dataset.Id;
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            Subject = await db.Set<DatasetRow>().AsNoTracking().Where(r => r.StudentId == StudentId)
                .OrderByDescending(r => r.Semester).ThenBy(r => r.Subject).Select(r => r.Subject).FirstAsync();
        }

        await using (var scope = services.CreateAsyncScope())
        {
            var pipeline = scope.ServiceProvider.GetRequiredService<TrainingPipeline>();
            var run = await pipeline.CreateRunAsync(new TrainingRequest(null, "role flow browser tests"), CancellationToken.None);
            var outcome = await pipeline.RunAsync(run.Id, CancellationToken.None);
            Assert.Equal(TrainingRunStatus.Succeeded, outcome.Run.Status);
            await scope.ServiceProvider.GetRequiredService<StarterCatalogSeeder>().SeedAsync(CancellationToken.None);
            RegressionVersion = (await scope.ServiceProvider.GetRequiredService<ModelRegistry>().GetActiveAsync(ModelTask.Regression, CancellationToken.None))!.Version;
        }

        await services.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None);
    }

    public Task DisposeAsync() => Browser.DisposeAsync();
}

/// <summary>
/// End-to-end flows per role in Chromium over the live connection (issue 13): training watched without a reload, a
/// what-if forecast changing in place, feedback on a recommendation keeping the scroll position, a locked account's
/// open page signed out, and every page of each role opening without a browser error. A failing step saves a
/// screenshot under TestResults/browser-failures and names it in the failure message.
/// </summary>
[Trait("Category", "Browser")]
public partial class RoleFlowBrowserTests(RoleFlowSession flows) : IClassFixture<RoleFlowSession>
{
    /// <summary>Training takes a while on a loaded CI machine with a server database.</summary>
    private const float TrainingTimeoutMs = 420_000;

    private const float Patience = 30_000;

    private BrowserSession Session => flows.Browser;

    private async Task<IPage> SignInAsync(string email, ViewportSize? viewport = null)
    {
        var page = await Session.NewPageAsync(javaScript: true, viewport: viewport);
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(RoleFlowSession.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).Not.ToHaveURLAsync(LoginPage(), new() { Timeout = Patience });
        return page;
    }

    /// <summary>Runs the steps; on failure saves a screenshot under TestResults/browser-failures and fails naming it.</summary>
    private static async Task StepsAsync(IPage page, string name, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch (Exception e)
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "TestResults", "browser-failures");
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, $"{string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '_'))}-{DateTime.UtcNow:HHmmss}.png");
            string shot;
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
                shot = file;
            }
            catch (PlaywrightException screenshotError)
            {
                shot = $"(no screenshot: {screenshotError.Message})";
            }

            throw new Xunit.Sdk.XunitException($"{name} failed at {page.Url}; screenshot: {shot}{Environment.NewLine}{e.Message}", e);
        }
    }

    /// <summary>Marks the open document, so a later <see cref="AssertSameDocumentAsync"/> can tell that it was never reloaded.</summary>
    private static async Task MarkDocumentAsync(IPage page) => await page.EvaluateAsync("() => { window.__roleFlowMarker = 'same document'; }");

    private static async Task AssertSameDocumentAsync(IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("() => window.__roleFlowMarker === 'same document'"), $"{page.Url} was reloaded (the page marker is gone)");

    /// <summary>
    /// Chooses a file in the upload form and waits until the page names it. The file input starts listening a moment
    /// after the connection is live, so a choice made before that is made again.
    /// </summary>
    private static async Task ChooseFileAsync(IPage page, FilePayload file)
    {
        var input = page.Locator(".mud-file-upload input[type=file]").First;
        for (var attempt = 1; ; attempt++)
        {
            await input.SetInputFilesAsync(file);
            try
            {
                await Assertions.Expect(page.Locator(".chosen-file")).ToContainTextAsync(file.Name, new() { Timeout = 3_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 8)
            {
            }
        }
    }

    [BrowserFact]
    public async Task A_teacher_uploads_a_gradebook_and_watches_its_training_finish_without_reloading()
    {
        var (email, _) = await flows.Portal.CreateUserAsync(Roles.Teacher);
        var page = await SignInAsync(email);
        var csv = new StringWriter();
        PerformanceDataGenerator.WriteCsv(new PerformanceDataSpec(45, Subjects: 3, Semesters: 2, Seed: 21, FirstStudent: 3001), csv);
        var file = new FilePayload { Name = "class-of-3001.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) };

        await StepsAsync(page, "flow-upload-training", async () =>
        {
            await page.GotoAsync("/datasets/upload");
            await BrowserSession.WaitForLiveAsync(page);
            await MarkDocumentAsync(page);
            await ChooseFileAsync(page, file);
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload and validate" }).ClickAsync();
            await Assertions.Expect(page.Locator(".upload-result [role=status]").First).ToContainTextAsync("Accepted", new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator(".upload-result")).ToContainTextAsync("is queued with this data");

            await page.GetByRole(AriaRole.Link, new() { Name = "Open the dataset" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(file.Name, new() { Timeout = Patience });
            await BrowserSession.WaitForLiveAsync(page);

            // The training card follows the run by itself until it has finished and names the versions it trained.
            var card = page.Locator(".card", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Training", Exact = true }) });
            await Assertions.Expect(card).ToContainTextAsync("succeeded", new() { Timeout = TrainingTimeoutMs });
            await Assertions.Expect(card).ToContainTextAsync("Versions trained on this dataset");
            await Assertions.Expect(card.GetByRole(AriaRole.Link).First).ToHaveAttributeAsync("href", new Regex("^models/"));
            await Assertions.Expect(card.GetByRole(AriaRole.Button, new() { Name = "Retrain now" })).ToBeEnabledAsync();
            await AssertSameDocumentAsync(page);
        });
    }

    [BrowserFact]
    public async Task A_student_changes_a_what_if_value_and_the_forecast_changes_in_place()
    {
        var page = await SignInAsync(flows.StudentEmail);
        var max = flows.Portal.Services.GetRequiredService<IOptions<DatasetOptions>>().Value.MidtermMarksMax;
        var url = $"/forecasts/{RoleFlowSession.StudentId}/{Uri.EscapeDataString(flows.Subject)}";

        await StepsAsync(page, "flow-what-if", async () =>
        {
            await page.GotoAsync(url);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"{flows.Subject}: what if?", new() { Timeout = Patience });
            await BrowserSession.WaitForLiveAsync(page);
            await MarkDocumentAsync(page);
            var change = page.Locator(".what-if-change");
            await Assertions.Expect(change).ToHaveCountAsync(0);

            var midterm = page.Locator("#midterm_marks");
            await midterm.FillAsync("0");
            await Assertions.Expect(change).ToContainTextAsync("the forecast moves from", new() { Timeout = Patience });
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "With your changes" })).ToBeVisibleAsync();
            var low = await change.InnerTextAsync();

            await midterm.FillAsync(max.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(change).Not.ToHaveTextAsync(low, new() { Timeout = Patience });
            await Assertions.Expect(change).ToContainTextAsync("the forecast moves from");

            // Back to the real marks: the comparison goes away, still on the same page.
            await page.GetByRole(AriaRole.Button, new() { Name = "Reset to the real marks" }).ClickAsync();
            await Assertions.Expect(change).ToHaveCountAsync(0, new() { Timeout = Patience });
            Assert.EndsWith(url, page.Url, StringComparison.Ordinal);
            await AssertSameDocumentAsync(page);
        });
    }

    [BrowserFact]
    public async Task A_students_feedback_updates_the_list_in_place_and_keeps_the_scroll_position()
    {
        var page = await SignInAsync(flows.StudentEmail, new ViewportSize { Width = 1280, Height = 500 });

        await StepsAsync(page, "flow-feedback-scroll", async () =>
        {
            await page.GotoAsync("/student");
            var list = page.Locator("ol.recommendations").First;
            await Assertions.Expect(list.Locator("> li").First).ToBeVisibleAsync(new() { Timeout = Patience });
            await BrowserSession.WaitForLiveAsync(page);
            await MarkDocumentAsync(page);
            var items = list.Locator("> li");
            // The live page replaces the prerendered one and loads the forecasts again (a moment of progress bar) before
            // it shows the handed-over list: wait for the live list before counting it.
            await Assertions.Expect(items.Nth(1)).ToBeVisibleAsync(new() { Timeout = Patience });
            var before = await items.CountAsync();
            Assert.True(before >= 2, $"only {before} recommendations shown");

            // Scroll down so the list's first item sits at the top of the screen, then answer on the second: what the
            // student looks at stays where it is (the browser keeps the first item in place).
            await items.First.EvaluateAsync("e => e.scrollIntoView({ block: 'start' })");
            await Assertions.Expect(items.Nth(1)).ToBeInViewportAsync();
            var scrollBefore = await page.EvaluateAsync<double>("() => window.scrollY");
            Assert.True(scrollBefore > 50, $"the page did not scroll (scrollY {scrollBefore}); the test needs a page longer than the screen");

            var chosen = items.Nth(1);
            var resourceId = await chosen.GetAttributeAsync("data-resource-id");
            await chosen.GetByRole(AriaRole.Button, new() { Name = "I completed it" }).ClickAsync();

            await Assertions.Expect(list.Locator($"> li[data-resource-id='{resourceId}']")).ToHaveCountAsync(0, new() { Timeout = Patience });
            await Assertions.Expect(items).ToHaveCountAsync(before - 1);
            await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("it will not be suggested again");
            var scrollAfter = await page.EvaluateAsync<double>("() => window.scrollY");
            Assert.True(Math.Abs(scrollAfter - scrollBefore) <= 5, $"the page jumped from scrollY {scrollBefore} to {scrollAfter}");
            Assert.EndsWith("/student", page.Url, StringComparison.Ordinal);
            await AssertSameDocumentAsync(page);
        });
    }

    [BrowserFact]
    public async Task A_locked_accounts_open_page_is_signed_out()
    {
        var studentId = "L-" + Guid.NewGuid().ToString("N")[..6];
        var (email, _) = await flows.Portal.CreateUserAsync(Roles.Student, studentId);
        var (adminEmail, _) = await flows.Portal.CreateUserAsync(Roles.Admin);
        var page = await SignInAsync(email);

        await StepsAsync(page, "flow-locked-account", async () =>
        {
            await page.GotoAsync("/student");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("My dashboard", new() { Timeout = Patience });
            await BrowserSession.WaitForLiveAsync(page);

            await using (var scope = flows.Portal.Services.CreateAsyncScope())
            {
                var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
                var student = await users.FindByEmailAsync(email);
                var admin = await users.FindByEmailAsync(adminEmail);
                var locked = await scope.ServiceProvider.GetRequiredService<UserAdministration>().LockAsync(student!.Id, admin!.Id, "browser flow test");
                Assert.True(locked.Succeeded, string.Join(" ", locked.Errors));
            }

            // Nobody touches the page: within the revalidation period (5 s here) it loses its sign-in and goes to sign in.
            await Assertions.Expect(page).ToHaveURLAsync(LoginPage(), new() { Timeout = 60_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in", new() { Timeout = Patience });

            // And the dashboard stays closed to the locked account.
            await page.GotoAsync("/student");
            await Assertions.Expect(page).ToHaveURLAsync(LoginPage(), new() { Timeout = Patience });
        });
    }

    public static TheoryData<string> Roles3() => [Roles.Teacher, Roles.Student, Roles.Admin];

    /// <summary>The pages of the README's "What the portal does, by role" table (plus each role's dashboard).</summary>
    private string[] PagesOf(string role)
    {
        var forecast = $"/forecasts/{RoleFlowSession.StudentId}/{Uri.EscapeDataString(flows.Subject)}";
        var version = $"/models/regression/{flows.RegressionVersion}";
        return role switch
        {
            Roles.Teacher =>
            [
                "/teacher", "/datasets/upload", "/datasets", $"/datasets/{flows.DatasetId}", "/models", version, "/teacher/at-risk",
                $"/students/{RoleFlowSession.StudentId}", forecast, "/resources", "/monitoring", "/recommendations/analytics", "/recommendations/experiments", "/models?task=recommendation",
            ],
            Roles.Student => ["/student", forecast],
            _ => ["/admin", "/admin/users", "/admin/jobs", "/admin/predictions", "/admin/recommendations", "/recommendations/external", "/models", version, "/datasets"],
        };
    }

    [BrowserTheory]
    [MemberData(nameof(Roles3))]
    public async Task Every_page_of_a_role_opens_live_without_a_browser_error(string role)
    {
        var email = role switch
        {
            Roles.Teacher => flows.TeacherEmail,
            Roles.Student => flows.StudentEmail,
            _ => (await flows.Portal.CreateUserAsync(Roles.Admin)).Email,
        };
        var page = await SignInAsync(email);
        var errors = new List<string>();
        var current = "";
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add($"{current}: console error: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add($"{current}: uncaught error: {error}");
            }
        };

        foreach (var url in PagesOf(role))
        {
            current = url;
            await StepsAsync(page, $"flow-pages-{role}{url}", async () =>
            {
                var response = await page.GotoAsync(url);
                Assert.True(response is { Ok: true }, $"{url} answered {response?.Status}");
                await BrowserSession.WaitForLiveAsync(page);
                var heading = page.GetByRole(AriaRole.Heading, new() { Level = 1 });
                await Assertions.Expect(heading).ToBeVisibleAsync(new() { Timeout = Patience });
                await Assertions.Expect(heading).Not.ToHaveTextAsync(new Regex("Access denied|not found|Something went wrong", RegexOptions.IgnoreCase));
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = Patience });
                lock (errors)
                {
                    Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
                }
            });
        }
    }

    [GeneratedRegex("/account/login")]
    private static partial Regex LoginPage();
}
