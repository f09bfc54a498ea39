using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;
using StudyRecs.Web.Features.Recommendations;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Recommendations;

/// <summary>
/// The "Models trained elsewhere" page: the interactions download, the score upload with its report, the list of sets and
/// their deletion, on the live page over the real services (its own database: an imported set changes what students get).
/// </summary>
public sealed class ExternalScoresPageTests(RecommendationPortalFixture portal) : IClassFixture<RecommendationPortalFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private PortalFactory Factory => portal.Factory;

    /// <summary>Students the portal knows by their recommendation events (the ids the export writes).</summary>
    private async Task<List<RecommendationEvent>> KnownStudentsAsync(string prefix) => await portal.SeedCommunityEventsAsync(prefix, students: 4);

    private async Task<(int Sets, int Scores)> StoredAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        return (await db.Set<ImportedScoreSet>().CountAsync(), await db.Set<ImportedScore>().CountAsync());
    }

    private static IRenderedComponent<ExternalScoresPage> Render(BunitContext ctx)
    {
        ctx.Render<MudPopoverProvider>();
        return ctx.Render<ExternalScoresPage>();
    }

    private static void Choose(IRenderedComponent<ExternalScoresPage> page, byte[] content, string fileName) =>
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(content, fileName));

    private static void Choose(IRenderedComponent<ExternalScoresPage> page, string content, string fileName) => Choose(page, Encoding.UTF8.GetBytes(content), fileName);

    private static Task PressImportAsync(IRenderedComponent<ExternalScoresPage> page) => LiveEvents.ClickAsync(() => page.Find("button.import-button"));

    /// <summary>An element's text as the browser shows it (runs of white space as one space).</summary>
    private static string Text(IElement element) => System.Text.RegularExpressions.Regex.Replace(element.TextContent, @"\s+", " ").Trim();

    private static string LabelError(IRenderedComponent<ExternalScoresPage> page) =>
        page.Find(".score-label").QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent ?? "";

    /// <summary>The rejection report: kinds with their counts, and the listed problems as (line, message).</summary>
    private static (Dictionary<string, string> Counts, List<(string Line, string Message)> Problems) Report(IRenderedComponent<ExternalScoresPage> page)
    {
        var counts = page.FindAll(".report-counts tbody tr").ToDictionary(r => r.QuerySelector("th")!.TextContent.Trim(), r => r.QuerySelector("td")!.TextContent.Trim());
        var problems = page.FindAll(".report-problems tbody tr").Select(r => (r.QuerySelector("th")!.TextContent.Trim(), r.QuerySelector("td")!.TextContent.Trim())).ToList();
        return (counts, problems);
    }

    [Fact]
    public async Task Hostile_labels_and_files_store_nothing_then_a_good_file_is_served_listed_and_deleted()
    {
        await KnownStudentsAsync("XA");
        var (r0, r1, r2) = (portal.Resources[0].Id, portal.Resources[1].Id, portal.Resources[2].Id);
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "external-admin@test.local");
        var dialogs = ctx.Render<MudDialogProvider>();
        var page = Render(ctx);
        await page.WaitForAssertionAsync(() => Assert.Contains("No score set yet", page.Find(".sets-card .empty-state").TextContent, StringComparison.Ordinal), Patience);
        var good = $"user_id,resource_id,score\nXA000,{r0},0.9\nXA000,{r1},0.25\nXA001,{r2},-1.5e-1\n";

        // No label, a label too long, a label with spaces and capitals: refused with Core's rule before the file is read.
        Choose(page, good, "scores.csv");
        await page.WaitForAssertionAsync(() => Assert.Contains("scores.csv", page.Find(".chosen-file").TextContent, StringComparison.Ordinal), Patience);
        await PressImportAsync(page);
        await page.WaitForAssertionAsync(() => Assert.StartsWith("Give the scores a label: 1 to", LabelError(page), StringComparison.Ordinal), Patience);
        await LiveEvents.InputAsync(() => page.Find("#score-label"), new string('a', ImportedScoreSet.MaxLabelLength + 1));
        await PressImportAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Contains($"is not allowed: use {ImportedScoreSet.LabelRule}.", LabelError(page), StringComparison.Ordinal), Patience);
        await LiveEvents.InputAsync(() => page.Find("#score-label"), "Spring 2027");
        await PressImportAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Equal($"The label 'Spring 2027' is not allowed: use {ImportedScoreSet.LabelRule}.", LabelError(page)), Patience);
        Assert.Equal((0, 0), await StoredAsync());

        // A workbook is not taken at all: the button stays off.
        await LiveEvents.InputAsync(() => page.Find("#score-label"), "bad-rows");
        Choose(page, [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00], "scores.xlsx");
        await page.WaitForAssertionAsync(() => Assert.Contains("“scores.xlsx” is not a CSV file", page.Find(".upload-problem").TextContent, StringComparison.Ordinal), Patience);
        Assert.True(page.Find("button.import-button").HasAttribute("disabled"));

        // Bad rows: every problem is reported by kind and by line, and nothing is stored.
        Choose(page, $"user_id,resource_id,score\nXA000,{r0},0.9\nNOBODY,{r1},0.5\nXA001,999999999,0.4\nXA001,{r1},abc\nXA000,{r0},0.1\nXA002,{r2}\n", "bad.csv");
        await page.WaitForAssertionAsync(() => Assert.False(page.Find("button.import-button").HasAttribute("disabled")), Patience);
        await PressImportAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Contains("“bad.csv” was not imported", page.Find(".import-report").TextContent, StringComparison.Ordinal), Patience);
        var (counts, problems) = Report(page);
        Assert.Equal(new Dictionary<string, string>
        {
            ["Unknown student"] = "1",
            ["Resource not in the catalog"] = "1",
            ["Score not a number"] = "1",
            ["Student and resource scored twice"] = "1",
            ["Wrong number of fields"] = "1",
        }, counts);
        Assert.Equal(["3", "4", "5", "6", "7"], problems.Select(p => p.Line));
        Assert.Contains("Student 'NOBODY' is not known", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("There is no resource 999999999 in the catalog", problems[1].Message, StringComparison.Ordinal);
        Assert.Contains("were scored on line 2 already", problems[3].Message, StringComparison.Ordinal);
        Assert.Contains("5 problems found. Nothing was stored: no score set was created.", Text(page.Find(".import-report .notice-error")), StringComparison.Ordinal);
        Assert.Equal((0, 0), await StoredAsync());
        Assert.NotNull(page.Find(".sets-card .empty-state"));

        // An empty file and a file that is not text.
        Choose(page, "", "empty.csv");
        await PressImportAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Contains("“empty.csv” was not imported", page.Find(".import-report").TextContent, StringComparison.Ordinal), Patience);
        Assert.Equal("Empty file", Assert.Single(Report(page).Counts).Key);
        Assert.Contains("The file is empty", Assert.Single(Report(page).Problems).Message, StringComparison.Ordinal);
        Choose(page, [0x50, 0x4B, 0x03, 0x04, 0xC3, 0x28, 0xFF, 0x81, 0x0A], "binary.csv");
        await PressImportAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Contains("“binary.csv” was not imported", page.Find(".import-report").TextContent, StringComparison.Ordinal), Patience);
        Assert.Equal("Not UTF-8 text", Assert.Single(Report(page).Counts).Key);
        Assert.Equal((0, 0), await StoredAsync());

        // A good file: stored, served now as imported:LABEL, and listed.
        await LiveEvents.InputAsync(() => page.Find("#score-label"), "spring-2027");
        Choose(page, good, "scores.csv");
        await PressImportAsync(page);
        await page.WaitForAssertionAsync(() =>
        {
            var result = Text(page.Find(".import-result"));
            Assert.Contains("Imported 3 scores for 2 students over 3 resources from “scores.csv” as “spring-2027”.", result, StringComparison.Ordinal);
            Assert.Contains("It is now served as the strategy imported:spring-2027", result, StringComparison.Ordinal);
        }, Patience);
        Assert.Empty(page.FindAll(".import-report"));
        Assert.Equal((1, 3), await StoredAsync());
        Assert.Contains("imported:spring-2027", (await Factory.Services.GetRequiredService<ActiveRecommender>().GetAsync(CancellationToken.None)).Strategies.Keys);
        var row = page.Find(".score-sets tbody tr");
        Assert.Equal("spring-2027", row.GetAttribute("data-label"));
        Assert.Equal(["spring-2027", "imported:spring-2027", "scores.csv", "3", "2", "3"], row.Children.Take(6).Select(c => c.TextContent.Trim()));
        Assert.Equal("external-admin@test.local", row.Children[7].TextContent.Trim());

        // The label now in the list is said to be replaced by a new upload.
        await LiveEvents.InputAsync(() => page.Find("#score-label"), "spring-2027");
        await page.WaitForAssertionAsync(() => Assert.Contains("“spring-2027” is listed below: importing replaces its scores.", page.Find(".score-label").TextContent, StringComparison.Ordinal), Patience);

        // Delete asks first; cancelling keeps the set, confirming deletes it and stops serving it.
        await LiveEvents.ClickAsync(() => page.Find("button.delete-set"));
        await dialogs.WaitForAssertionAsync(() => Assert.Contains("Delete the score set “spring-2027”?", dialogs.Markup, StringComparison.Ordinal), Patience);
        await LiveEvents.ClickAsync(() => dialogs.FindAll(".mud-dialog-actions button").First(b => b.TextContent.Trim() == "Cancel"));
        await dialogs.WaitForAssertionAsync(() => Assert.Empty(dialogs.FindAll(".mud-dialog")), Patience);
        Assert.Equal((1, 3), await StoredAsync());
        await LiveEvents.ClickAsync(() => page.Find("button.delete-set"));
        await dialogs.WaitForAssertionAsync(() => Assert.Contains(dialogs.FindAll(".mud-dialog-actions button"), b => b.TextContent.Trim() == "Delete"), Patience);
        await LiveEvents.ClickAsync(() => dialogs.FindAll(".mud-dialog-actions button").Last(b => b.TextContent.Trim() == "Delete"));
        await page.WaitForAssertionAsync(() => Assert.Contains("No score set yet", page.Find(".sets-card .empty-state").TextContent, StringComparison.Ordinal), Patience);
        Assert.Equal((0, 0), await StoredAsync());
        Assert.DoesNotContain("imported:spring-2027", (await Factory.Services.GetRequiredService<ActiveRecommender>().GetAsync(CancellationToken.None)).Strategies.Keys);
        Assert.Contains(ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == "“spring-2027” is deleted: imported:spring-2027 is no longer served.");
    }

    [Fact]
    public async Task A_file_over_the_upload_limit_or_the_row_limit_is_refused_with_the_limit_named()
    {
        // Its own portal: the limits are settings read at start.
        using var factory = new PortalFactory();
        factory.Settings["Resources:SeedStarterCatalog"] = "true";
        factory.Settings["Datasets:MaxUploadBytes"] = "2048";
        factory.Settings["Recommendations:ImportedScoresMaxRows"] = "3";
        await factory.CreateUserAsync(Roles.Student, "XL001");
        long[] resources;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            resources = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<Core.Resources.LearningResource>().OrderBy(r => r.Id).Select(r => r.Id).Take(4).ToArrayAsync();
        }

        await using var ctx = PortalComponents.ForPortal(factory, Roles.Admin, "external-limits@test.local");
        var page = Render(ctx);
        await page.WaitForAssertionAsync(() => Assert.Contains("up to 2.0 KB and 3 scores", page.Find(".drop-zone").TextContent, StringComparison.Ordinal), Patience);
        await LiveEvents.InputAsync(() => page.Find("#score-label"), "limits");

        var large = "user_id,resource_id,score\n" + string.Concat(Enumerable.Repeat($"XL001,{resources[0]},0.5\n", 300));
        Assert.InRange(large.Length, 3 * 1024, 10 * 1024);
        Choose(page, large, "large.csv");
        await page.WaitForAssertionAsync(() => Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"“large.csv” is {large.Length / 1024.0:0.0} KB"), page.Find(".upload-problem").TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("KB, larger than the upload limit of 2.0 KB. Split the scores into sets under several labels. Nothing was uploaded.", page.Find(".upload-problem").TextContent, StringComparison.Ordinal);
        Assert.True(page.Find("button.import-button").HasAttribute("disabled"));
        Assert.Empty(page.FindAll(".chosen-file"));

        Choose(page, "user_id,resource_id,score\n" + string.Concat(resources.Select(r => $"XL001,{r},0.5\n")), "four.csv");
        await PressImportAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Contains("“four.csv” was not imported", page.Find(".import-report").TextContent, StringComparison.Ordinal), Patience);
        var (counts, problems) = Report(page);
        Assert.Equal("Too many scores", Assert.Single(counts).Key);
        Assert.Equal(("5", "The file has more than 3 scores; split it, or raise Recommendations:ImportedScoresMaxRows."), Assert.Single(problems));
        Assert.Empty(page.FindAll(".upload-problem"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<ImportedScoreSet>().CountAsync());
        }
    }

    [Fact]
    public async Task A_set_an_ab_test_plays_is_not_deleted_until_the_test_is_stopped()
    {
        await KnownStudentsAsync("XB");
        var csv = $"user_id,resource_id,score\nXB000,{portal.Resources[3].Id},1\nXB001,{portal.Resources[4].Id},0.5\n";
        RecommendationExperiment test;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<ImportedScoreImport>()
                .ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "ab.csv", "ab-played", "test", CancellationToken.None);
            Assert.True(result.IsAccepted);
            var active = Factory.Services.GetRequiredService<ActiveRecommender>();
            await active.RefreshAsync(CancellationToken.None);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var (created, errors) = await scope.ServiceProvider.GetRequiredService<RecommendationExperiments>().CreateAsync(
                new ExperimentDraft("Imported against the fallback", "imported:ab-played", RecommendationStrategyNames.Fallback, today, today.AddDays(6)),
                [.. (await active.GetAsync(CancellationToken.None)).Strategies.Keys], "test", CancellationToken.None);
            test = created ?? throw new InvalidOperationException(string.Join("; ", errors));
        }

        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "external-ab@test.local");
        var dialogs = ctx.Render<MudDialogProvider>();
        var page = Render(ctx);
        await page.WaitForAssertionAsync(() => Assert.Equal("ab-played", page.Find(".score-sets tbody tr[data-label='ab-played'] th").TextContent.Trim()), Patience);

        async Task DeleteAsync()
        {
            await LiveEvents.ClickAsync(() => page.Find("tr[data-label='ab-played'] button.delete-set"));
            await dialogs.WaitForAssertionAsync(() => Assert.Contains(dialogs.FindAll(".mud-dialog-actions button"), b => b.TextContent.Trim() == "Delete"), Patience);
            await LiveEvents.ClickAsync(() => dialogs.FindAll(".mud-dialog-actions button").Last(b => b.TextContent.Trim() == "Delete"));
        }

        await DeleteAsync();
        await page.WaitForAssertionAsync(() => Assert.Contains(
            "“ab-played” was not deleted: it is a group of the A/B test “Imported against the fallback”, running until", Text(page.Find(".delete-problem")), StringComparison.Ordinal), Patience);
        Assert.Contains("Stop or cancel that test on the A/B tests page first", Text(page.Find(".delete-problem")), StringComparison.Ordinal);
        Assert.NotNull(page.Find("tr[data-label='ab-played']"));
        Assert.Equal((1, 2), await StoredAsync());

        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<RecommendationExperiments>().StopAsync(test.Id, "test", CancellationToken.None));
        }

        await DeleteAsync();
        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll("tr[data-label='ab-played']")), Patience);
        Assert.Empty(page.FindAll(".delete-problem"));
        Assert.Equal((0, 0), await StoredAsync());
    }

    [Fact]
    public async Task Only_admins_reach_the_page_and_its_link()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        var page = await Html.GetAsync(admin, "/recommendations/external");
        Assert.Equal("Models trained elsewhere", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains(page.QuerySelectorAll("nav a"), a => a.GetAttribute("href") == "recommendations/external" && a.TextContent.Trim() == "Models trained elsewhere");

        foreach (var role in new[] { Roles.Teacher, Roles.Student })
        {
            var client = await Factory.SignInAsync(role, role == Roles.Student ? "XC-" + Guid.NewGuid().ToString("N")[..6] : null);
            Assert.StartsWith("/account/access-denied", Redirects.LocalTarget(await client.GetAsync("/recommendations/external")), StringComparison.Ordinal);
            var home = await Html.GetAsync(client, role == Roles.Teacher ? "/teacher" : "/student");
            Assert.DoesNotContain(home.QuerySelectorAll("nav a"), a => a.GetAttribute("href") == "recommendations/external");
        }

        Assert.StartsWith("/account/login", Redirects.LocalTarget(await Factory.CreateBrowserlessClient().GetAsync("/recommendations/external")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_interactions_download_streams_the_logged_events_and_refuses_a_bad_date()
    {
        var seeded = await KnownStudentsAsync("XD");
        var admin = await Factory.SignInAsync(Roles.Admin);
        int Logged(DateTime? since)
        {
            using var scope = Factory.Services.CreateScope();
            var events = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<RecommendationEvent>().AsNoTracking().Where(e => e.Type != RecommendationEventType.Impression);
            return since is { } from ? events.Count(e => e.AtUtc >= from) : events.Count();
        }

        var response = await admin.GetAsync(ExternalScoreEndpoints.InteractionsPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("studyrecs-interactions-", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'), StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("user_id,item_id,timestamp,event,strategy,position,request_id", lines[0].TrimEnd('\r'));
        Assert.Equal(Logged(null), lines.Length - 1);
        var first = seeded.OrderBy(e => e.Id).First();
        Assert.Contains(lines, l => l.StartsWith($"{first.StudentId},{first.ResourceId},", StringComparison.Ordinal) && l.Contains($",{first.RequestId}", StringComparison.Ordinal));

        // A day: the interactions from its start (UTC); the seeded ones began 40 hours ago.
        var day = DateTime.UtcNow.Date;
        var since = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var windowed = (await admin.GetStringAsync($"{ExternalScoreEndpoints.InteractionsPath}?since={since}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Logged(day), windowed.Length - 1);
        Assert.True(windowed.Length - 1 < lines.Length - 1, "The seeded events began before today.");

        // Not a date, a day in the future, twice, an unknown parameter: 400 with Problem Details naming the parameter.
        foreach (var (query, field, message) in new[]
        {
            ("since=31/12/2026", "since", "“31/12/2026” is not a date"),
            ("since=2026-02-30", "since", "“2026-02-30” is not a date"),
            ($"since={DateTime.UtcNow.AddDays(2):yyyy-MM-dd}", "since", "is in the future"),
            ("since=2026-01-01&since=2026-02-01", "since", "Give since once."),
            ("from=2026-01-01", "from", "Unknown parameter"),
        })
        {
            var bad = await admin.GetAsync($"{ExternalScoreEndpoints.InteractionsPath}?{query}");
            var body = await bad.Content.ReadAsStringAsync();
            Assert.True(bad.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)bad.StatusCode} {body}");
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType!.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Contains(message, problem.RootElement.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        }

        // Anonymous callers are sent to sign in, teachers are refused; neither gets a row.
        var anonymous = await Factory.CreateBrowserlessClient().GetAsync(ExternalScoreEndpoints.InteractionsPath);
        Assert.StartsWith("/account/login", Redirects.LocalTarget(anonymous), StringComparison.Ordinal);
        var teacher = await (await Factory.SignInAsync(Roles.Teacher)).GetAsync(ExternalScoreEndpoints.InteractionsPath);
        Assert.StartsWith("/account/access-denied", Redirects.LocalTarget(teacher), StringComparison.Ordinal);
        Assert.DoesNotContain("user_id,item_id", await teacher.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_download_button_follows_the_since_date_and_a_bad_date_turns_it_off()
    {
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "external-since@test.local");
        var page = Render(ctx);
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("a.export-download")), Patience);
        Assert.Equal("recommendations/external/interactions.csv", page.Find("a.export-download").GetAttribute("href"));

        await LiveEvents.InputAsync(() => page.Find("#export-since"), "2026-09-01");
        await page.WaitForAssertionAsync(() => Assert.Equal("recommendations/external/interactions.csv?since=2026-09-01", page.Find("a.export-download").GetAttribute("href")), Patience);

        var future = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await LiveEvents.InputAsync(() => page.Find("#export-since"), future);
        await page.WaitForAssertionAsync(() =>
        {
            Assert.Contains($"{future} is in the future", page.Find(".export-since").TextContent, StringComparison.Ordinal);
            Assert.Empty(page.FindAll("a.export-download"));
            Assert.True(page.Find(".export-download").HasAttribute("disabled"));
        }, Patience);

        await LiveEvents.InputAsync(() => page.Find("#export-since"), "");
        await page.WaitForAssertionAsync(() => Assert.Equal("recommendations/external/interactions.csv", page.Find("a.export-download").GetAttribute("href")), Patience);
    }
}
