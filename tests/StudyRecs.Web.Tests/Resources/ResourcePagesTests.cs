using System.Net;
using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Resources;
using StudyRecs.Web.Features.Resources;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Resources;

/// <summary>
/// The catalog pages: first loads over HTTP (authorization, statuses, what the prerendered page says) and the actions
/// over a (bUnit) live connection with the real portal services: the editor form, retire and restore, the import.
/// </summary>
public class ResourcePagesTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private const string Header = "title,description,subject,topic,difficulty,type,url,minutes,tags";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private PortalFactory Factory => portal.Factory;

    private static string UniqueUrl() => $"https://example.edu/{Guid.NewGuid():N}";

    private async Task<int> CountAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var page = await scope.ServiceProvider.GetRequiredService<ResourceCatalog>()
            .ListAsync(new ResourceQuery(Status: ResourceStatusFilter.All), 0, 1, CancellationToken.None);
        return page.Total;
    }

    private async Task<LearningResource> CreateAsync(string title, int minutes = 10)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var input = new ResourceInput { Title = title, Subject = "Physics", Difficulty = "beginner", Type = "article", Url = UniqueUrl(), Minutes = minutes.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var result = await scope.ServiceProvider.GetRequiredService<ResourceCatalog>().CreateAsync(input, "test", CancellationToken.None);
        Assert.True(result.Succeeded);
        return result.Resource!;
    }

    private async Task<LearningResource?> StoredAsync(long id)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ResourceCatalog>().GetAsync(id, CancellationToken.None);
    }

    private BunitContext Teacher() => PortalComponents.ForPortal(Factory, Roles.Teacher, "catalog-teacher@test.local");

    /// <summary>Types into a text field of the editor (found by its label), as the user does.</summary>
    private static Task TypeAsync(IRenderedComponent<ResourceEditor> page, string label, string value) =>
        LiveEvents.InputAsync(() => page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == label).Find("input, textarea"), value);

    /// <summary>Picks <paramref name="value"/> in a select or autocomplete of the page (found by its label).</summary>
    private static async Task PickAsync<TComponent>(IRenderedComponent<TComponent> page, string label, string value)
        where TComponent : class, IComponent
    {
        var select = page.FindComponents<MudSelect<string>>().Cast<IRenderedComponent<MudBaseInput<string>>>()
            .Concat(page.FindComponents<MudAutocomplete<string>>().Cast<IRenderedComponent<MudBaseInput<string>>>())
            .Single(s => s.Instance.Label == label);
        await select.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }

    private static async Task FillAsync(IRenderedComponent<ResourceEditor> page, string title, string url, string minutes = "15", string difficulty = "beginner", string subject = "Calculus")
    {
        await TypeAsync(page, "Title", title);
        await PickAsync(page, "Subject", subject);
        await TypeAsync(page, "Topic (optional)", "Limits");
        if (difficulty.Length > 0)
        {
            await PickAsync(page, "Difficulty", difficulty);
        }

        await PickAsync(page, "Type", "video");
        await TypeAsync(page, "Web address", url);
        await TypeAsync(page, "Minutes", minutes);
        await TypeAsync(page, "Tags (optional)", "limits, epsilon");
        await TypeAsync(page, "Description (optional)", "Worked examples.");
    }

    /// <summary>The catalog list at <paramref name="url"/> (its filters come from the address, as in the browser).</summary>
    private static IRenderedComponent<Features.Resources.Resources> List(BunitContext ctx, string url)
    {
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return ctx.Render<Features.Resources.Resources>();
    }

    /// <summary>Presses the save button; a field's change may still redraw the form, so a press that meets the old drawing is repeated.</summary>
    private static Task SaveAsync(IRenderedComponent<ResourceEditor> page) => LiveEvents.ClickAsync(() => page.Find("button.save-button"));

    /// <summary>Presses <paramref name="button"/> in the confirmation dialog (waiting for it: a dialog closed just before may still be on its way out).</summary>
    private static async Task ConfirmAsync(IRenderedComponent<MudDialogProvider> dialogs, string button)
    {
        await dialogs.WaitForAssertionAsync(() => Assert.Contains(dialogs.FindAll(".mud-dialog-actions button"), b => b.TextContent.Trim() == button), Patience);
        await LiveEvents.ClickAsync(() => dialogs.FindAll(".mud-dialog-actions button").Last(b => b.TextContent.Trim() == button));
    }

    private static IReadOnlyList<string> FieldErrors(IRenderedComponent<ResourceEditor> page) =>
        [.. page.FindAll(".mud-input-error").Select(e => e.TextContent)];

    private static IReadOnlyList<string> Snackbars(BunitContext ctx) =>
        [.. ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? "")];

    [Theory]
    [InlineData("/resources")]
    [InlineData("/resources/new")]
    [InlineData("/resources/import")]
    [InlineData("/resources/imports/1")]
    [InlineData("/resources/export.csv")]
    public async Task Students_cannot_reach_the_catalog_pages(string url)
    {
        var student = await Factory.SignInAsync(Roles.Student, "ST-" + Guid.NewGuid().ToString("N")[..6]);

        var response = await student.GetAsync(url);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", Redirects.LocalTarget(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Students_cannot_retire_or_import()
    {
        var resource = await CreateAsync("Student-proof " + Guid.NewGuid().ToString("N")[..6]);
        var student = await Factory.SignInAsync(Roles.Student, "ST-" + Guid.NewGuid().ToString("N")[..6]);
        var before = await CountAsync();

        // The old form posts are gone: retiring and importing happen only through the staff pages' live connection.
        var retire = await student.PostAsync($"/resources/{resource.Id}/retire", new FormUrlEncodedContent([]));
        var import = await student.PostAsync("/resources/imports", new StringContent(Header + "\nx,,Calculus,,beginner,video,https://example.edu/x,10,\n"));

        Assert.False(retire.IsSuccessStatusCode);
        Assert.False(import.IsSuccessStatusCode);
        Assert.False((await StoredAsync(resource.Id))!.IsRetired);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task Teacher_adds_a_resource_through_the_form_and_finds_it_in_the_list()
    {
        await using var ctx = Teacher();
        ctx.Render<MudPopoverProvider>();
        var title = "Limits by example " + Guid.NewGuid().ToString("N")[..6];
        var page = ctx.Render<ResourceEditor>();
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button.save-button")), Patience);

        await FillAsync(page, title, UniqueUrl());
        await SaveAsync(page);

        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        await page.WaitForAssertionAsync(() => Assert.EndsWith("/resources?subject=Calculus", navigation.Uri, StringComparison.Ordinal), Patience);
        Assert.Contains(Snackbars(ctx), m => m.Contains("was added", StringComparison.Ordinal) && m.Contains(title, StringComparison.Ordinal));

        var list = List(ctx, "resources?subject=Calculus&q=" + Uri.EscapeDataString(title));
        await list.WaitForAssertionAsync(() => Assert.Contains(list.FindAll(".resource-grid tbody tr"), r => r.TextContent.Contains(title, StringComparison.Ordinal)), Patience);
    }

    [Fact]
    public async Task Invalid_form_shows_a_message_next_to_each_bad_field_and_stores_nothing()
    {
        await using var ctx = Teacher();
        ctx.Render<MudPopoverProvider>();
        var before = await CountAsync();
        var page = ctx.Render<ResourceEditor>();
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button.save-button")), Patience);

        // Problems show as the user types, before any save.
        await TypeAsync(page, "Web address", "javascript:alert(1)");
        await page.WaitForAssertionAsync(() => Assert.Contains(FieldErrors(page), m => m.Contains("not a web address", StringComparison.Ordinal)), Patience);
        Assert.DoesNotContain(FieldErrors(page), m => m.Contains("Enter a title", StringComparison.Ordinal));

        await FillAsync(page, "", "javascript:alert(1)", minutes: "ninety", difficulty: "");
        await TypeAsync(page, "Tags (optional)", "limits, =SUM(A1)");
        await TypeAsync(page, "Description (optional)", "=cmd|' /C calc'!A0");
        await SaveAsync(page);

        await page.WaitForAssertionAsync(() => Assert.Contains("not saved", page.Find("[role=alert]").TextContent, StringComparison.Ordinal), Patience);
        var messages = FieldErrors(page);
        Assert.Contains(messages, m => m.Contains("Enter a title", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("not a web address", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("whole number", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Choose a difficulty", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("not allowed", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("spreadsheet formula", StringComparison.Ordinal));
        Assert.Equal("ninety", page.Find("#minutes").GetAttribute("value"));
        Assert.Equal(before, await CountAsync());
        Assert.EndsWith("/", ctx.Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editing_shows_the_stored_values_and_refuses_another_resources_address()
    {
        var resource = await CreateAsync("Editable " + Guid.NewGuid().ToString("N")[..6]);
        var other = await CreateAsync("Other " + Guid.NewGuid().ToString("N")[..6]);
        await using var ctx = Teacher();
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<ResourceEditor>(p => p.Add(x => x.Id, resource.Id));

        await page.WaitForAssertionAsync(() => Assert.Equal(resource.Url, page.Find("#url").GetAttribute("value")), Patience);

        await TypeAsync(page, "Web address", other.Url);
        await SaveAsync(page);
        await page.WaitForAssertionAsync(() => Assert.Contains(FieldErrors(page), m => m.Contains("already links to this address", StringComparison.Ordinal)), Patience);
        Assert.Equal(resource.Url, (await StoredAsync(resource.Id))!.Url);

        await FillAsync(page, resource.Title + " (2nd ed.)", resource.Url, subject: "Physics");
        await SaveAsync(page);
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        await page.WaitForAssertionAsync(() => Assert.EndsWith("/resources?subject=Physics", navigation.Uri, StringComparison.Ordinal), Patience);
        Assert.EndsWith("(2nd ed.)", (await StoredAsync(resource.Id))!.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retire_and_restore_are_confirmed_and_update_the_list_in_place()
    {
        var resource = await CreateAsync("Retirable " + Guid.NewGuid().ToString("N")[..6]);
        await using var ctx = Teacher();
        var dialogs = ctx.Render<MudDialogProvider>();
        ctx.Render<MudPopoverProvider>();
        var list = List(ctx, "resources?q=" + Uri.EscapeDataString(resource.Title));
        await list.WaitForAssertionAsync(() => Assert.Single(list.FindAll(".resource-grid tbody tr button.retire-button")), Patience);

        // Cancelled: nothing changes.
        await LiveEvents.ClickAsync(() => list.Find("button.retire-button"));
        dialogs.WaitForAssertion(() => Assert.Contains("no longer be recommended", dialogs.Markup, StringComparison.Ordinal), Patience);
        await ConfirmAsync(dialogs, "Cancel");
        Assert.False((await StoredAsync(resource.Id))!.IsRetired);

        await LiveEvents.ClickAsync(() => list.Find("button.retire-button"));
        await ConfirmAsync(dialogs, "Retire");

        await list.WaitForAssertionAsync(() => Assert.Contains("No resources match", list.Find(".empty-state").TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains(Snackbars(ctx), m => m.Contains("is retired", StringComparison.Ordinal));
        Assert.True((await StoredAsync(resource.Id))!.IsRetired);

        var retired = List(ctx, "resources?status=Retired&q=" + Uri.EscapeDataString(resource.Title));
        await retired.WaitForAssertionAsync(() => Assert.Single(retired.FindAll("button.restore-button")), Patience);
        Assert.Contains("retired", retired.Find(".resource-grid tbody tr").TextContent, StringComparison.Ordinal);
        await LiveEvents.ClickAsync(() => retired.Find("button.restore-button"));
        await ConfirmAsync(dialogs, "Restore");

        await retired.WaitForAssertionAsync(() => Assert.Empty(retired.FindAll("button.restore-button")), Patience);
        Assert.Contains(Snackbars(ctx), m => m.Contains("is active again", StringComparison.Ordinal));
        Assert.False((await StoredAsync(resource.Id))!.IsRetired);
    }

    [Fact]
    public async Task A_column_header_sorts_the_list_in_the_database_and_again_reverses_it()
    {
        var word = "Sorted" + Guid.NewGuid().ToString("N")[..6];
        await CreateAsync($"{word} b", minutes: 30);
        await CreateAsync($"{word} a", minutes: 50);
        await CreateAsync($"{word} c", minutes: 5);
        await using var ctx = Teacher();
        var list = List(ctx, "resources?q=" + word);
        List<string> Titles() => [.. list.FindAll(".resource-grid tbody tr td:first-child a").Select(a => a.TextContent)];
        await list.WaitForAssertionAsync(() => Assert.Equal([$"{word} a", $"{word} b", $"{word} c"], Titles()), Patience);

        await LiveEvents.ClickAsync(() => ColumnHeader(list, "Minutes"));
        await list.WaitForAssertionAsync(() => Assert.Equal([$"{word} c", $"{word} b", $"{word} a"], Titles()), Patience);
        await LiveEvents.ClickAsync(() => ColumnHeader(list, "Minutes"));
        await list.WaitForAssertionAsync(() => Assert.Equal([$"{word} a", $"{word} b", $"{word} c"], Titles()), Patience);
        Assert.Empty(list.FindAll("th").Where(h => h.TextContent.Trim() is "Tags" or "Actions").SelectMany(h => h.QuerySelectorAll(".sortable-column-header")));
    }

    private static AngleSharp.Dom.IElement ColumnHeader(IRenderedComponent<Features.Resources.Resources> list, string title) =>
        list.FindAll("th .sortable-column-header").First(h => h.TextContent.Trim() == title);

    [Fact]
    public async Task Filters_are_kept_in_the_address()
    {
        await using var ctx = Teacher();
        ctx.Render<MudPopoverProvider>();
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        var list = List(ctx, "resources");
        await list.WaitForAssertionAsync(() => Assert.NotEmpty(list.FindComponents<MudSelect<string>>()), Patience);

        await PickAsync(list, "Difficulty", nameof(ResourceDifficulty.Advanced));
        await list.WaitForAssertionAsync(() => Assert.EndsWith("/resources?difficulty=Advanced", navigation.Uri, StringComparison.Ordinal), Patience);
        await PickAsync(list, "Show", nameof(ResourceStatusFilter.Retired));
        await list.WaitForAssertionAsync(() => Assert.Contains("status=Retired", navigation.Uri, StringComparison.Ordinal), Patience);
    }

    private static void Choose(IRenderedComponent<ImportResources> page, byte[] content, string fileName) =>
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(content, fileName));

    /// <summary>Imports <paramref name="content"/> through the live page and returns the report page it opens.</summary>
    private static async Task<IRenderedComponent<ResourceImportDetail>> ImportAsync(BunitContext ctx, byte[] content, string fileName)
    {
        var page = ctx.Render<ImportResources>();
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button.import-button")), Patience);
        Choose(page, content, fileName);
        await page.WaitForAssertionAsync(() => Assert.Contains(fileName, page.Find(".chosen-file").TextContent, StringComparison.Ordinal), Patience);
        await page.WaitForAssertionAsync(() => Assert.False(page.Find("button.import-button").HasAttribute("disabled")), Patience);
        await LiveEvents.ClickAsync(() => page.Find("button.import-button"));

        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        await page.WaitForAssertionAsync(() => Assert.Matches("/resources/imports/[0-9]+$", navigation.Uri), Patience);
        var id = long.Parse(navigation.Uri[(navigation.Uri.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var report = ctx.Render<ResourceImportDetail>(p => p.Add(x => x.Id, id));
        await report.WaitForAssertionAsync(() => Assert.NotNull(report.Find(".status-badge")), Patience);
        return report;
    }

    [Fact]
    public async Task Importing_a_bad_file_through_the_page_shows_the_report_and_stores_nothing()
    {
        await using var ctx = Teacher();
        var before = await CountAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        var csv = Header + "\n"
            + $"Good {id},,Calculus,,beginner,video,https://example.edu/{id}/1,10,\n"
            + $"=HYPERLINK(\"http://evil\"),,Calculus,,beginner,video,https://example.edu/{id}/2,10,\n"
            + $"Bad minutes {id},,Calculus,,beginner,video,https://example.edu/{id}/3,lots,\n";

        var report = await ImportAsync(ctx, Encoding.UTF8.GetBytes(csv), "catalog.csv");

        Assert.Contains("Rejected", report.Find(".status-badge").TextContent, StringComparison.Ordinal);
        Assert.Contains("nothing was added", report.Find("[role=alert]").TextContent, StringComparison.Ordinal);
        var rows = report.FindAll("tr.row-error").Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.Contains('3') && r.Contains(ResourceRules.Formula, StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains('4') && r.Contains("lots", StringComparison.Ordinal));
        Assert.Equal(before, await CountAsync());
        Assert.Contains(Snackbars(ctx), m => m.Contains("nothing was added", StringComparison.Ordinal));

        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var csvReport = await teacher.GetStringAsync($"/resources/imports/{report.Instance.Id}/report.csv");
        Assert.Contains(ResourceRules.InvalidMinutes, csvReport, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", csvReport, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_catalog_is_rejected_with_a_reason_and_stores_nothing()
    {
        await using var ctx = Teacher();
        var before = await CountAsync();

        var garbage = await ImportAsync(ctx, [0x50, 0x4B, 0x03, 0x04, 0xFF, 0x00, 0x13, 0x37], "catalog.xlsx");
        Assert.Contains("Rejected", garbage.Find(".status-badge").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(garbage.Find("[role=alert]").TextContent.Trim());

        var noColumns = await ImportAsync(ctx, Encoding.UTF8.GetBytes("name,link\nA,https://example.edu/a\n"), "wrong.csv");
        Assert.Contains("Rejected", noColumns.Find(".status-badge").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(noColumns.FindAll("tr.row-error"));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task Importing_a_good_file_adds_every_row_and_the_export_neutralises_formulas()
    {
        await using var ctx = Teacher();
        var before = await CountAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        var csv = Header + "\n"
            + $"Export check {id},-2 is a negative number,Export {id},,advanced,quiz,https://example.edu/{id}/1,10,\"a; b\"\n"
            + $"Second {id},,Export {id},,beginner,case study,https://example.edu/{id}/2,40,\n";

        var report = await ImportAsync(ctx, Encoding.UTF8.GetBytes(csv), "catalog.csv");

        Assert.Contains("Imported 2 resource(s)", report.Find(".lead").TextContent, StringComparison.Ordinal);
        Assert.Equal(before + 2, await CountAsync());
        var recent = ctx.Render<ImportResources>();
        await recent.WaitForAssertionAsync(() => Assert.Contains(recent.FindAll(".recent-imports tbody tr"), r => r.TextContent.Contains("Imported", StringComparison.Ordinal)), Patience);

        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var export = await teacher.GetAsync($"/resources/export.csv?subject=Export%20{id}");
        Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
        var text = await export.Content.ReadAsStringAsync();
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(Header, lines[0].TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.Contains(",'-2 is a negative number,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",case study,", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_catalog_filters_show_an_empty_state_and_bad_filters_a_notice()
    {
        var search = "no-such-thing-" + Guid.NewGuid().ToString("N");
        var teacher = await Factory.SignInAsync(Roles.Teacher);

        // First load (prerendered): a bad query string is a notice, never an error page.
        var response = await teacher.GetAsync($"/resources?q={search}&type=Podcast&difficulty=%3Cscript%3E&status=everything&skip=-3");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var first = Html.Parse(body);
        Assert.Contains("not a resource type", first.QuerySelector(".notice-warning")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("not a status", first.QuerySelector(".notice-warning")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("“<script>”", body, StringComparison.Ordinal);

        await using var ctx = Teacher();
        ctx.Render<MudPopoverProvider>();
        var page = List(ctx, $"resources?q={search}&type=Podcast");
        await page.WaitForAssertionAsync(() => Assert.Contains("No resources match", page.Find(".empty-state").TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("not a resource type", page.Find(".notice-warning").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_resource_and_import_answer_not_found()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);

        Assert.Equal(HttpStatusCode.NotFound, (await teacher.GetAsync("/resources/987654/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await teacher.GetAsync("/resources/imports/987654")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await teacher.GetAsync("/resources/imports/987654/report.csv")).StatusCode);
        var known = await CreateAsync("Known " + Guid.NewGuid().ToString("N")[..6]);
        var form = await Html.GetAsync(teacher, $"/resources/{known.Id}/edit");
        Assert.Contains(known.Title, form.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
    }
}
