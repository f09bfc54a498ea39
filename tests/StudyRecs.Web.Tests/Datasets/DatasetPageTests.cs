using System.Security.Claims;
using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Datasets;

/// <summary>Drives the live dataset pages in bUnit with the real portal services.</summary>
internal static class DatasetPageDriver
{
    public const string Header = "student_id,semester,subject,assignment_marks,quiz_marks,attendance_percentage,midterm_marks,previous_cgpa,final_marks,final_grade";

    public static string Csv(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    public static string UniqueCsv(int rows = 3) =>
        Csv([.. Enumerable.Range(0, rows).Select(i => $"S{Guid.NewGuid():N},{1 + i % 3},Math,{70 + i % 20},{60 + i % 30},{80 + i % 15},{65 + i % 25},3.{i % 9},{72 + i % 20},")]);

    /// <summary>A new account in <paramref name="role"/>, and a bUnit context signed in as it (with its user id claim).</summary>
    public static async Task<(BunitContext Context, string UserId)> SignedInAsync(PortalFactory factory, string role)
    {
        var (email, _) = await factory.CreateUserAsync(role);
        await using var scope = factory.Services.CreateAsyncScope();
        var id = (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email))!.Id;
        return (PortalComponents.ForPortal(factory, role, email, null, new Claim(ClaimTypes.NameIdentifier, id)), id);
    }

    public static async Task<(long Rows, long Datasets, long Files)> StoredAsync(PortalFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        return (await db.Set<DatasetRow>().LongCountAsync(), await db.Set<UploadedDataset>().LongCountAsync(), await db.Set<UploadedDatasetFile>().LongCountAsync());
    }

    /// <summary>Chooses <paramref name="content"/> as <paramref name="fileName"/> in the page's file picker.</summary>
    public static void Choose(IRenderedComponent<Upload> page, string content, string fileName) =>
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(Encoding.UTF8.GetBytes(content), fileName));
}

/// <summary>
/// The live dataset pages over a (bUnit) circuit with the real portal services: the upload over the connection with its
/// report in place, the sortable history, the dataset page that follows its status.
/// </summary>
public class DatasetPageTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private static Task PressUploadAsync(IRenderedComponent<Upload> page) =>
        LiveEvents.ClickAsync(() => page.Find("button.upload-button"));

    private async Task<long> ImportAsync(string userId, string content, string fileName = "grades.csv", string? label = null)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var imports = scope.ServiceProvider.GetRequiredService<DatasetImportService>();
        var result = await imports.ImportAsync(new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(content)), fileName, Label: label, UploaderId: userId), default);
        return result.Dataset.Id;
    }

    /// <summary>Three rows of one class; <paramref name="assignment"/> changes the bytes but not the keys.</summary>
    private static string ClassCsv(string prefix, int assignment) =>
        DatasetPageDriver.Csv([.. Enumerable.Range(1, 3).Select(i => $"{prefix}{i},1,Math,{assignment},60,85,70,3.1,75,")]);

    [Fact]
    public async Task An_upload_that_repeats_accepted_rows_asks_first_then_replaces_or_cancels_as_the_teacher_chooses()
    {
        var (ctx, userId) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var prefix = "OV" + Guid.NewGuid().ToString("N")[..6];
        await ImportAsync(userId, ClassCsv(prefix, 70), "first.csv");
        var before = await DatasetPageDriver.StoredAsync(Factory);
        var page = ctx.Render<Upload>();

        // Asked: nothing stored, the count and both choices shown.
        DatasetPageDriver.Choose(page, ClassCsv(prefix, 71), "corrected.csv");
        await PressUploadAsync(page);
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".upload-overlap")), TimeSpan.FromSeconds(30));
        Assert.Contains("3 rows of this file have the same student, semester and subject", page.Find(".upload-overlap").TextContent, StringComparison.Ordinal);
        Assert.Equal(before, await DatasetPageDriver.StoredAsync(Factory));

        // Replace: the same file is stored and its rows win in training.
        await LiveEvents.ClickAsync(() => page.FindAll(".upload-overlap button").Single(b => b.TextContent.Contains("Replace the older rows", StringComparison.Ordinal)));
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".upload-result")), TimeSpan.FromSeconds(30));
        Assert.Contains("they replace the older rows in training", page.Find(".upload-result").TextContent, StringComparison.Ordinal);
        var replaced = await DatasetPageDriver.StoredAsync(Factory);
        Assert.Equal((before.Rows + 3, before.Datasets + 1), (replaced.Rows, replaced.Datasets));

        // Cancel: a third version of the class is dropped, nothing stored, the empty form is back.
        await LiveEvents.ClickAsync(() => page.FindAll("button").Single(b => b.TextContent.Contains("Upload another file", StringComparison.Ordinal)));
        DatasetPageDriver.Choose(page, ClassCsv(prefix, 72), "again.csv");
        await PressUploadAsync(page);
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".upload-overlap")), TimeSpan.FromSeconds(30));
        await LiveEvents.ClickAsync(() => page.FindAll(".upload-overlap button").Single(b => b.TextContent.Contains("Cancel the upload", StringComparison.Ordinal)));
        // A MudButton runs its handler asynchronously: wait for the form to come back.
        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll(".upload-overlap")), TimeSpan.FromSeconds(30));
        Assert.True(page.Find("button.upload-button").HasAttribute("disabled"));
        Assert.Equal(replaced, await DatasetPageDriver.StoredAsync(Factory));
    }

    [Fact]
    public async Task Upload_over_the_live_connection_shows_the_accepted_report_in_place_and_links_to_the_dataset()
    {
        var (ctx, _) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var before = await DatasetPageDriver.StoredAsync(Factory);
        var page = ctx.Render<Upload>();

        DatasetPageDriver.Choose(page, DatasetPageDriver.UniqueCsv(4), "term.csv");
        await LiveEvents.ChangeAsync(() => page.Find("input[maxlength='200'][placeholder]"), "Physics");
        await page.WaitForAssertionAsync(() => Assert.Contains("term.csv", page.Find(".chosen-file").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Empty(page.FindAll(".mud-chip")); // the file is named once, not again in MudBlazor's own chip
        await PressUploadAsync(page);

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".upload-result")), TimeSpan.FromSeconds(30));
        Assert.Contains("Accepted", page.Find(".upload-result [role=status]").TextContent, StringComparison.Ordinal);
        Assert.Contains("too small to train", page.Find(".upload-result").TextContent, StringComparison.OrdinalIgnoreCase);
        var link = page.FindAll(".upload-result a").Single(a => a.TextContent.Contains("Open the dataset", StringComparison.Ordinal)).GetAttribute("href")!;
        Assert.Matches("^datasets/[0-9]+$", link);
        var after = await DatasetPageDriver.StoredAsync(Factory);
        Assert.Equal((before.Rows + 4, before.Datasets + 1), (after.Rows, after.Datasets));

        await using var scope = Factory.Services.CreateAsyncScope();
        var storedId = long.Parse(link["datasets/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var stored = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<UploadedDataset>().SingleAsync(d => d.Id == storedId);
        Assert.Equal(("term.csv", "Physics", DatasetStatus.Accepted), (stored.FileName, stored.Label, stored.Status));

        // "Upload another file" brings the empty form back without reloading.
        await LiveEvents.ClickAsync(() => page.FindAll("button").Single(b => b.TextContent.Contains("Upload another file", StringComparison.Ordinal)));
        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll(".upload-result")), TimeSpan.FromSeconds(30));
        Assert.True(page.Find("button.upload-button").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Upload_with_bad_rows_lists_each_problem_in_place_and_stores_no_rows()
    {
        var (ctx, _) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var before = await DatasetPageDriver.StoredAsync(Factory);
        var page = ctx.Render<Upload>();

        DatasetPageDriver.Choose(page, DatasetPageDriver.Csv("S1,1,Math,70,60,80,65,3.1,72,", "S2,0,Math,170,60,80,65,3.1,72,Z"), "bad.csv");
        await PressUploadAsync(page);

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".upload-result")), TimeSpan.FromSeconds(30));
        Assert.Contains("Rejected", page.Find(".upload-result [role=alert]").TextContent, StringComparison.OrdinalIgnoreCase);
        var rows = page.FindAll(".upload-result tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.Contains("semester", StringComparison.Ordinal) && r.StartsWith('3'));
        Assert.Contains(rows, r => r.Contains("assignment_marks", StringComparison.Ordinal) && r.Contains("170", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("final_grade", StringComparison.Ordinal));
        Assert.Equal(before.Rows, (await DatasetPageDriver.StoredAsync(Factory)).Rows);
        Assert.Contains(page.FindAll("button"), b => b.TextContent.Contains("Upload a corrected file", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "empty.csv", "empty")]
    [InlineData("student_id,semester\n", "header-only.csv", "")]
    [InlineData("\u0000\u0001\u0002binary garbage\u00ff", "garbage.csv", "")]
    [InlineData("PK\u0003\u0004 not really a zip", "fake.xlsx", "")]
    [InlineData("student_id,semester,subject\n", "grades.pdf", "")]
    public async Task Upload_of_a_broken_file_shows_why_it_was_rejected_and_stores_no_rows_nor_file(string content, string fileName, string expected)
    {
        var (ctx, userId) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var before = await DatasetPageDriver.StoredAsync(Factory);
        var page = ctx.Render<Upload>();

        DatasetPageDriver.Choose(page, content, fileName);
        await PressUploadAsync(page);

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".upload-result")), TimeSpan.FromSeconds(30));
        var alert = page.Find(".upload-result [role=alert]").TextContent;
        Assert.False(string.IsNullOrWhiteSpace(alert));
        Assert.Contains(expected, alert, StringComparison.OrdinalIgnoreCase);
        var after = await DatasetPageDriver.StoredAsync(Factory);
        Assert.Equal((before.Rows, before.Files), (after.Rows, after.Files));
        await using var scope = Factory.Services.CreateAsyncScope();
        var mine = await scope.ServiceProvider.GetRequiredService<DatasetCatalog>().ListAsync(userId, null, 0, 5, default);
        Assert.Equal(DatasetStatus.Rejected, Assert.Single(mine).Status);
    }

    [Fact]
    public async Task Nothing_is_uploaded_before_a_file_is_chosen()
    {
        var (ctx, _) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;

        var page = ctx.Render<Upload>();

        Assert.True(page.Find("button.upload-button").HasAttribute("disabled"));
        Assert.Contains("MB", page.Find(".drop-zone").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_lists_only_the_teachers_own_uploads_newest_first_and_sorts_in_the_database()
    {
        var (ctx, me) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var (other, otherId) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await other.DisposeAsync();
        await ImportAsync(me, DatasetPageDriver.UniqueCsv(), "b-second.csv");
        await ImportAsync(me, DatasetPageDriver.UniqueCsv(), "c-third.csv");
        await ImportAsync(me, DatasetPageDriver.UniqueCsv(), "a-first.csv");
        await ImportAsync(otherId, DatasetPageDriver.UniqueCsv(), "theirs.csv");

        var page = ctx.Render<Features.Datasets.Datasets>();

        await page.WaitForAssertionAsync(() => Assert.Equal(3, page.FindAll("tbody tr").Count), TimeSpan.FromSeconds(30));
        Assert.Equal(["a-first.csv", "c-third.csv", "b-second.csv"], page.FindAll("tbody tr td:first-child a").Select(a => a.TextContent).ToList());
        Assert.Contains("3 uploads by you", page.Find(".history-count").TextContent, StringComparison.Ordinal);

        await LiveEvents.ClickAsync(() => page.FindAll("th .sortable-column-header").First(h => h.TextContent.Trim() == "File"));
        await page.WaitForAssertionAsync(() => Assert.Equal(["a-first.csv", "b-second.csv", "c-third.csv"], page.FindAll("tbody tr td:first-child a").Select(a => a.TextContent).ToList()));
    }

    [Fact]
    public async Task History_filters_by_the_status_in_the_address_and_says_when_nothing_matches()
    {
        var (ctx, me) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        await ImportAsync(me, DatasetPageDriver.UniqueCsv(), "good.csv");
        await ImportAsync(me, DatasetPageDriver.Csv("S1,1,Math,170,60,80,65,3.1,72,"), "bad.csv");
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();

        navigation.NavigateTo("datasets?status=Rejected");
        var page = ctx.Render<Features.Datasets.Datasets>();
        await page.WaitForAssertionAsync(() => Assert.Equal(["bad.csv"], page.FindAll("tbody tr td:first-child a").Select(a => a.TextContent).ToList()));

        navigation.NavigateTo("datasets?status=Trained");
        await page.WaitForAssertionAsync(() => Assert.Contains("No uploads that are “Trained”", page.Find(".empty-state").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dataset_page_follows_the_status_while_it_is_open()
    {
        var (ctx, me) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var id = await ImportAsync(me, DatasetPageDriver.UniqueCsv(4), "watched.csv");

        var page = ctx.Render<DatasetDetail>(p => p.Add(d => d.Id, id));
        await page.WaitForAssertionAsync(() => Assert.Contains("Accepted", page.Find(".status-badge").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        // The first rows load after the dataset itself: on a server database the page renders in between.
        await page.WaitForAssertionAsync(() => Assert.Equal(4, page.FindAll("table.first-rows tbody tr").Count), TimeSpan.FromSeconds(30));
        Assert.Contains(page.FindAll("a"), a => a.GetAttribute("href") == $"datasets/{id}/original" && a.HasAttribute("download"));

        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            await db.Set<UploadedDataset>().Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DatasetStatus.Training));
        }

        await page.WaitForAssertionAsync(() => Assert.Contains("Training", page.Find(".status-badge").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_open_dataset_page_listens_to_the_nodes_one_watcher_and_stops_when_left()
    {
        var activity = Factory.Services.GetRequiredService<PortalActivity>();
        var (ctx, me) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        var id = await ImportAsync(me, DatasetPageDriver.UniqueCsv(4), "listened.csv");
        var before = activity.Subscribers;

        var page = ctx.Render<DatasetDetail>(p => p.Add(d => d.Id, id));
        await page.WaitForAssertionAsync(() => Assert.Contains("Accepted", page.Find(".status-badge").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal(before + 1, activity.Subscribers);

        await ctx.DisposeAsync();
        Assert.Equal(before, activity.Subscribers);
    }

    [Fact]
    public async Task Teacher_dashboard_counts_uploads_by_status_and_picks_up_a_new_upload_while_open()
    {
        var (ctx, me) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        await ImportAsync(me, DatasetPageDriver.UniqueCsv(), "kept.csv");
        await ImportAsync(me, DatasetPageDriver.Csv("S1,1,Math,170,60,80,65,3.1,72,"), "refused.csv");

        var page = ctx.Render<Features.Dashboards.TeacherDashboard>();
        await page.WaitForAssertionAsync(() => Assert.NotEmpty(page.FindAll(".recent-uploads a")), TimeSpan.FromSeconds(30));

        int Stat(string label) => int.Parse(page.FindAll(".stat").Single(s => s.QuerySelector(".stat-label")!.TextContent == label).QuerySelector(".stat-value")!.TextContent,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((2, 1, 1), (Stat("Your uploads"), Stat("Stored (accepted or trained)"), Stat("Rejected")));
        Assert.Equal(["refused.csv", "kept.csv"], page.FindAll(".recent-uploads a").Select(a => a.TextContent).ToList());
        Assert.Contains(page.FindAll(".status-links a"), a => a.GetAttribute("href") == "datasets?status=Rejected");

        await ImportAsync(me, DatasetPageDriver.UniqueCsv(), "later.csv");
        await page.WaitForAssertionAsync(() => Assert.Equal(3, Stat("Your uploads")), TimeSpan.FromSeconds(30));
        Assert.Equal("later.csv", page.FindAll(".recent-uploads a")[0].TextContent);
    }
}
