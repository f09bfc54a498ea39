using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Resources;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Resources;

public class ResourcePagesTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private const string Header = "title,description,subject,topic,difficulty,type,url,minutes,tags";

    private PortalFactory Factory => portal.Factory;

    private static Dictionary<string, string> Fields(string title, string url, string minutes = "15", string difficulty = "beginner", string subject = "Calculus") => new()
    {
        ["Input.Title"] = title,
        ["Input.Subject"] = subject,
        ["Input.Topic"] = "Limits",
        ["Input.Difficulty"] = difficulty,
        ["Input.Type"] = "video",
        ["Input.Url"] = url,
        ["Input.Minutes"] = minutes,
        ["Input.Tags"] = "limits, epsilon",
        ["Input.Description"] = "Worked examples.",
    };

    private static string UniqueUrl() => $"https://example.edu/{Guid.NewGuid():N}";

    private async Task<int> CountAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var page = await scope.ServiceProvider.GetRequiredService<ResourceCatalog>()
            .ListAsync(new ResourceQuery(Status: ResourceStatusFilter.All), 0, 1, CancellationToken.None);
        return page.Total;
    }

    private async Task<LearningResource> CreateAsync(string title)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var input = new ResourceInput { Title = title, Subject = "Physics", Difficulty = "beginner", Type = "article", Url = UniqueUrl(), Minutes = "10" };
        var result = await scope.ServiceProvider.GetRequiredService<ResourceCatalog>().CreateAsync(input, "test", CancellationToken.None);
        Assert.True(result.Succeeded);
        return result.Resource!;
    }

    [Theory]
    [InlineData("/resources")]
    [InlineData("/resources/new")]
    [InlineData("/resources/import")]
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

        var retire = await student.PostAsync($"/resources/{resource.Id}/retire", new FormUrlEncodedContent([]));
        var import = await student.PostAsync("/resources/imports", Upload(Header + "\n"));

        Assert.StartsWith("/account/access-denied", Redirects.LocalTarget(retire), StringComparison.Ordinal);
        Assert.StartsWith("/account/access-denied", Redirects.LocalTarget(import), StringComparison.Ordinal);
        await using var scope = Factory.Services.CreateAsyncScope();
        Assert.False((await scope.ServiceProvider.GetRequiredService<ResourceCatalog>().GetAsync(resource.Id, CancellationToken.None))!.IsRetired);
    }

    [Fact]
    public async Task Teacher_adds_a_resource_through_the_form_and_finds_it_in_the_list()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var title = "Limits by example " + Guid.NewGuid().ToString("N")[..6];

        var response = await PortalFactory.PostFormAsync(teacher, "/resources/new", "resource", Fields(title, UniqueUrl()));

        var target = Redirects.LocalTarget(response);
        Assert.StartsWith("/resources?subject=Calculus", target, StringComparison.Ordinal);
        var list = await Html.GetAsync(teacher, target);
        Assert.Contains("was added", list.QuerySelector("main [role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(list.QuerySelectorAll("tbody tr"), r => r.TextContent.Contains(title, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_form_shows_a_message_next_to_each_bad_field_and_stores_nothing()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var before = await CountAsync();
        var fields = Fields("", "javascript:alert(1)", minutes: "ninety", difficulty: "");
        fields["Input.Tags"] = "limits, =SUM(A1)";
        fields["Input.Description"] = "=cmd|' /C calc'!A0";

        var response = await PortalFactory.PostFormAsync(teacher, "/resources/new", "resource", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = Html.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("not saved", page.QuerySelector("main [role=alert]")!.TextContent, StringComparison.Ordinal);
        var messages = page.QuerySelectorAll(".field-error, .validation-message").Select(e => e.TextContent).ToList();
        Assert.Contains(messages, m => m.Contains("Enter a title", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("not a web address", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("whole number", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Choose a difficulty", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("not allowed", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("spreadsheet formula", StringComparison.Ordinal));
        Assert.Equal("ninety", page.QuerySelector("#minutes")!.GetAttribute("value"));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task Editing_shows_the_stored_values_and_refuses_another_resources_address()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var resource = await CreateAsync("Editable " + Guid.NewGuid().ToString("N")[..6]);
        var other = await CreateAsync("Other " + Guid.NewGuid().ToString("N")[..6]);

        var form = await Html.GetAsync(teacher, $"/resources/{resource.Id}/edit");
        Assert.Equal(resource.Url, form.QuerySelector("#url")!.GetAttribute("value"));

        var clash = await PortalFactory.PostFormAsync(teacher, $"/resources/{resource.Id}/edit", "resource", Fields(resource.Title, other.Url));
        Assert.Equal(HttpStatusCode.OK, clash.StatusCode);
        Assert.Contains("already links to this address", await clash.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var saved = await PortalFactory.PostFormAsync(teacher, $"/resources/{resource.Id}/edit", "resource",
            Fields(resource.Title + " (2nd ed.)", resource.Url, subject: "Physics"));
        Assert.StartsWith("/resources?subject=Physics", Redirects.LocalTarget(saved), StringComparison.Ordinal);
        await using var scope = Factory.Services.CreateAsyncScope();
        Assert.EndsWith("(2nd ed.)", (await scope.ServiceProvider.GetRequiredService<ResourceCatalog>().GetAsync(resource.Id, CancellationToken.None))!.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retire_and_restore_buttons_work_without_javascript()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var resource = await CreateAsync("Retirable " + Guid.NewGuid().ToString("N")[..6]);
        var listUrl = "/resources?q=" + Uri.EscapeDataString(resource.Title);
        var list = await Html.GetAsync(teacher, listUrl);
        var form = list.QuerySelector($"form[action='resources/{resource.Id}/retire']")!;
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var returnUrl = form.QuerySelector("input[name=returnUrl]")!.GetAttribute("value")!;

        var retired = await teacher.PostAsync($"/resources/{resource.Id}/retire",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["returnUrl"] = returnUrl }));

        Assert.Equal(listUrl, Redirects.LocalTarget(retired));
        var after = await Html.GetAsync(teacher, listUrl);
        Assert.Contains("is retired", after.QuerySelector("main [role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(after.QuerySelectorAll("tbody tr"));
        var retiredList = await Html.GetAsync(teacher, listUrl + "&status=Retired");
        Assert.NotNull(retiredList.QuerySelector($"form[action='resources/{resource.Id}/restore']"));

        var stale = await teacher.PostAsync($"/resources/{resource.Id}/restore",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = "forged" }));
        Assert.Equal("/resources", Redirects.LocalTarget(stale));
        Assert.Contains("expired", (await Html.GetAsync(teacher, "/resources")).QuerySelector("main [role=alert]")!.TextContent, StringComparison.Ordinal);
        await using var scope = Factory.Services.CreateAsyncScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<ResourceCatalog>().GetAsync(resource.Id, CancellationToken.None))!.IsRetired);
    }

    private static MultipartFormDataContent Upload(string content, string fileName = "catalog.csv", string? token = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        if (token is not null)
        {
            form.Add(new StringContent(token), "__RequestVerificationToken");
        }

        return form;
    }

    private static async Task<string> ImportTokenAsync(HttpClient client)
    {
        var page = await Html.GetAsync(client, "/resources/import");
        return page.QuerySelector("form[enctype='multipart/form-data'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
    }

    [Fact]
    public async Task Importing_a_bad_file_through_the_page_shows_the_report_and_stores_nothing()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var before = await CountAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        var csv = Header + "\n"
            + $"Good {id},,Calculus,,beginner,video,https://example.edu/{id}/1,10,\n"
            + $"=HYPERLINK(\"http://evil\"),,Calculus,,beginner,video,https://example.edu/{id}/2,10,\n"
            + $"Bad minutes {id},,Calculus,,beginner,video,https://example.edu/{id}/3,lots,\n";

        var response = await teacher.PostAsync("/resources/imports", Upload(csv, token: await ImportTokenAsync(teacher)));

        var target = Redirects.LocalTarget(response);
        Assert.Matches("^/resources/imports/[0-9]+$", target);
        var report = await Html.GetAsync(teacher, target);
        Assert.Contains("Rejected", report.QuerySelector(".status-badge")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("nothing was added", report.QuerySelector("main [role=alert]")!.TextContent, StringComparison.Ordinal);
        var rows = report.QuerySelectorAll("tr.row-error").Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.Contains('3') && r.Contains(ResourceRules.Formula, StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains('4') && r.Contains("lots", StringComparison.Ordinal));
        Assert.Equal(before, await CountAsync());

        var csvReport = await teacher.GetStringAsync(target + "/report.csv");
        Assert.Contains(ResourceRules.InvalidMinutes, csvReport, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", csvReport, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Importing_a_good_file_adds_every_row_and_the_export_neutralises_formulas()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var before = await CountAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        var csv = Header + "\n"
            + $"Export check {id},-2 is a negative number,Export {id},,advanced,quiz,https://example.edu/{id}/1,10,\"a; b\"\n"
            + $"Second {id},,Export {id},,beginner,case study,https://example.edu/{id}/2,40,\n";

        var response = await teacher.PostAsync("/resources/imports", Upload(csv, token: await ImportTokenAsync(teacher)));

        var report = await Html.GetAsync(teacher, Redirects.LocalTarget(response));
        Assert.Contains("Imported 2 resource(s)", report.QuerySelector(".lead")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(before + 2, await CountAsync());

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
        var teacher = await Factory.SignInAsync(Roles.Teacher);

        var page = await Html.GetAsync(teacher, "/resources?q=no-such-thing-" + Guid.NewGuid().ToString("N") + "&type=Podcast&skip=-3");

        Assert.Contains("No resources match", page.QuerySelector(".empty-state")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("not a resource type", page.QuerySelector(".notice-warning")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_resource_and_import_show_not_found_pages()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);

        Assert.Equal("Resource not found", (await Html.GetAsync(teacher, "/resources/987654/edit")).QuerySelector("h1")!.TextContent);
        Assert.Equal("Import not found", (await Html.GetAsync(teacher, "/resources/imports/987654")).QuerySelector("h1")!.TextContent);
        Assert.Equal(HttpStatusCode.NotFound, (await teacher.GetAsync("/resources/imports/987654/report.csv")).StatusCode);
    }
}
