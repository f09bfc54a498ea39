using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Datasets;

public class DatasetUploadTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private const string Header = "student_id,semester,subject,assignment_marks,quiz_marks,attendance_percentage,midterm_marks,previous_cgpa,final_marks,final_grade";

    private static string Csv(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    private static string UniqueCsv(int rows = 3) =>
        Csv([.. Enumerable.Range(0, rows).Select(i => $"S{Guid.NewGuid():N},{1 + i % 3},Math,{70 + i % 20},{60 + i % 30},{80 + i % 15},{65 + i % 25},3.{i % 9},{72 + i % 20},")]);

    private static MultipartFormDataContent Upload(string content, string fileName = "grades.csv", string? label = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        if (label is not null)
        {
            form.Add(new StringContent(label), "label");
        }

        return form;
    }

    /// <summary>A staff member signed in by cookie whose client sends the antiforgery token, as the portal's pages would.</summary>
    private async Task<HttpClient> StaffAsync(string role = Roles.Teacher) => await PortalFactory.WithAntiforgeryHeaderAsync(await Factory.SignInAsync(role));

    private async Task<(long Rows, long Datasets)> CountStoredAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        return (await db.Set<DatasetRow>().LongCountAsync(), await db.Set<UploadedDataset>().LongCountAsync());
    }

    private async Task<long> CountRowsAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<DatasetRow>().LongCountAsync();
    }

    [Fact]
    public async Task Api_accepts_a_valid_file_stores_its_rows_and_returns_the_report()
    {
        var teacher = await StaffAsync();
        var before = await CountRowsAsync();

        var response = await teacher.PostAsync("/api/datasets", Upload(UniqueCsv(5), label: "Calculus, spring"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Accepted", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("valid_rows").GetInt64());
        Assert.True(json.RootElement.GetProperty("too_small_to_train").GetBoolean());
        Assert.Equal("Calculus, spring", json.RootElement.GetProperty("label").GetString());
        Assert.Equal(before + 5, await CountRowsAsync());

        var id = json.RootElement.GetProperty("id").GetInt64();
        var detail = await teacher.GetAsync($"/api/datasets/{id}");
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
    }

    [Fact]
    public async Task Api_rejects_a_file_with_errors_as_problem_details_and_stores_no_rows()
    {
        var teacher = await StaffAsync();
        var before = await CountRowsAsync();
        var bad = Csv("S1,1,Math,70,60,80,65,3.1,72,", "S2,0,Math,170,60,80,65,3.1,72,Z");

        var response = await teacher.PostAsync("/api/datasets", Upload(bad));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problems = json.RootElement.GetProperty("report").GetProperty("problems").EnumerateArray().ToList();
        Assert.Contains(problems, p => p.GetProperty("column").GetString() == "semester" && p.GetProperty("row").GetInt64() == 3);
        Assert.Contains(problems, p => p.GetProperty("column").GetString() == "assignment_marks" && p.GetProperty("value").GetString() == "170");
        Assert.Contains(problems, p => p.GetProperty("rule").GetString() == DatasetRules.UnknownGrade);
        Assert.Equal(before, await CountRowsAsync());
    }

    [Theory]
    [InlineData("", "empty.csv")]
    [InlineData("student_id,semester\n", "header-only.csv")]
    [InlineData("\u0000\u0001\u0002binary garbage\u00ff", "garbage.csv")]
    [InlineData("PK\u0003\u0004 not really a zip", "fake.xlsx")]
    public async Task Api_rejects_broken_files_with_a_clear_message_and_never_a_500(string content, string fileName)
    {
        var teacher = await StaffAsync();
        var before = await CountRowsAsync();

        var response = await teacher.PostAsync("/api/datasets", Upload(content, fileName));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("detail").GetString()));
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task Api_without_a_file_part_answers_400_problem_details()
    {
        var teacher = await StaffAsync();

        var noForm = await teacher.PostAsync("/api/datasets", new StringContent("{}", Encoding.UTF8, "application/json"));
        var noFile = await teacher.PostAsync("/api/datasets", new MultipartFormDataContent { { new StringContent("x"), "label" } });

        Assert.Equal(HttpStatusCode.BadRequest, noForm.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noFile.StatusCode);
        Assert.Contains("file", await noFile.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Api_accepts_an_upload_from_a_script_with_a_bearer_token()
    {
        var script = await Factory.SignInWithBearerTokenAsync(Roles.Teacher);

        var response = await script.PostAsync("/api/datasets", Upload(UniqueCsv(3), label: "by script"));

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync($"/api/datasets/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync($"/api/datasets/{id}/report.csv")).StatusCode);
        var list = JsonDocument.Parse(await script.GetStringAsync("/api/datasets")).RootElement;
        Assert.Contains(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id);
        Assert.Equal(HttpStatusCode.NotFound, (await script.GetAsync("/api/training/runs/999999")).StatusCode);
    }

    [Fact]
    public async Task Api_refuses_a_student_bearer_token()
    {
        var student = await Factory.SignInWithBearerTokenAsync(Roles.Student, "BT-" + Guid.NewGuid().ToString("N")[..6]);
        var before = await CountStoredAsync();

        var post = await student.PostAsync("/api/datasets", Upload(UniqueCsv()));

        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await student.GetAsync("/api/datasets")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await student.GetAsync("/api/training/runs/1")).StatusCode);
        Assert.Equal(before, await CountStoredAsync());
    }

    [Fact]
    public async Task A_cookie_signed_in_upload_without_the_antiforgery_token_is_refused_and_stores_nothing()
    {
        // What a form on another site could make a signed-in teacher's browser send: the cookie, but no token.
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var before = await CountStoredAsync();

        var response = await teacher.PostAsync("/api/datasets", Upload(UniqueCsv()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("antiforgery", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await CountStoredAsync());
    }

    [Fact]
    public async Task Students_and_anonymous_callers_cannot_use_the_dataset_api()
    {
        var student = await Factory.SignInAsync(Roles.Student, "ST-" + Guid.NewGuid().ToString("N")[..6]);

        var post = await student.PostAsync("/api/datasets", Upload(UniqueCsv()));
        Assert.True(post.StatusCode == HttpStatusCode.Forbidden, $"{post.StatusCode}: {await post.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.Forbidden, (await student.GetAsync("/api/datasets")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateBrowserlessClient().GetAsync("/api/datasets")).StatusCode);
    }

    [Fact]
    public async Task Teachers_see_only_their_own_uploads_and_admins_see_all()
    {
        var mine = await StaffAsync();
        var other = await Factory.SignInAsync(Roles.Teacher);
        var admin = await Factory.SignInAsync(Roles.Admin);
        var created = await mine.PostAsync("/api/datasets", Upload(UniqueCsv()));
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/datasets/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/datasets/{id}/report.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/datasets/{id}")).StatusCode);
        var list = JsonDocument.Parse(await other.GetStringAsync("/api/datasets")).RootElement;
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id);
        // Another teacher's dataset page answers exactly as an unknown id does.
        var hidden = await other.GetAsync($"/datasets/{id}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.DoesNotContain("grades.csv", await hidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/datasets/999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/datasets/{id}")).StatusCode);
    }

    [Fact]
    public async Task Uploading_the_same_file_twice_is_flagged_not_silently_duplicated()
    {
        var teacher = await StaffAsync();
        var content = UniqueCsv();
        var first = await teacher.PostAsync("/api/datasets", Upload(content));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var before = await CountRowsAsync();

        var second = await teacher.PostAsync("/api/datasets", Upload(content));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Contains(DatasetRules.DuplicateUpload, await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task The_old_upload_form_endpoint_is_gone_and_stores_nothing()
    {
        var teacher = await StaffAsync();
        var before = await CountStoredAsync();

        var response = await teacher.PostAsync("/datasets/import", Upload(UniqueCsv()));

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{response.StatusCode}");
        Assert.Equal(before, await CountStoredAsync());
    }

    [Fact]
    public async Task Dataset_page_of_an_accepted_upload_shows_summary_preview_and_downloads_on_first_load()
    {
        var teacher = await StaffAsync();
        var created = await teacher.PostAsync("/api/datasets", Upload(UniqueCsv(4), "term.csv", "Physics"));
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();

        var result = await Html.GetAsync(teacher, $"/datasets/{id}");

        Assert.Equal("term.csv", result.QuerySelector("h1")!.TextContent);
        Assert.Contains("Accepted", result.QuerySelector("main [role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(4, result.QuerySelectorAll("table.first-rows tbody tr").Length);
        Assert.Contains("too small to train", result.QuerySelector("main")!.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(result.QuerySelector($"a[href='datasets/{id}/original'][download]"));
        Assert.NotNull(result.QuerySelector($"a[href='datasets/{id}/report.csv'][download]"));
        Assert.Null(result.QuerySelector("meta[http-equiv=refresh]"));
        var original = await teacher.GetAsync($"/datasets/{id}/original");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.StartsWith(Header, await original.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejected_upload_page_lists_problems_and_the_report_csv_neutralises_formulas()
    {
        var teacher = await StaffAsync();
        var response = await teacher.PostAsync("/api/datasets", Upload(Csv("=HYPERLINK(\"x\"),1,Math,70,60,80,65,3.1,72,Q")));
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("dataset_id").GetInt64();

        var page = await Html.GetAsync(teacher, $"/datasets/{id}");
        Assert.Contains("Rejected", page.QuerySelector(".status-badge")!.TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.QuerySelectorAll("tr.row-error"));

        var csv = await teacher.GetStringAsync($"/datasets/{id}/report.csv");
        Assert.DoesNotContain("\n=", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_csv_on_the_api_is_served_to_the_owner_and_hidden_from_other_teachers()
    {
        var owner = await StaffAsync();
        var other = await Factory.SignInAsync(Roles.Teacher);
        var rejected = await owner.PostAsync("/api/datasets", Upload(Csv("S1,1,Math,170,60,80,65,3.1,72,")));
        var id = JsonDocument.Parse(await rejected.Content.ReadAsStringAsync()).RootElement.GetProperty("dataset_id").GetInt64();

        var mine = await owner.GetAsync($"/api/datasets/{id}/report.csv");
        var theirs = await other.GetAsync($"/api/datasets/{id}/report.csv");

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal("text/csv", mine.Content.Headers.ContentType!.MediaType);
        Assert.Contains("out-of-range", await mine.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal("application/problem+json", theirs.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task An_admin_downloads_the_original_file_another_teacher_uploaded()
    {
        var teacher = await StaffAsync();
        var admin = await Factory.SignInAsync(Roles.Admin);
        var content = UniqueCsv(2);
        var created = await teacher.PostAsync("/api/datasets", Upload(content, "theirs.csv"));
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();

        var original = await admin.GetAsync($"/datasets/{id}/original");

        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal(content, await original.Content.ReadAsStringAsync());
        Assert.Equal("theirs.csv", original.Content.Headers.ContentDisposition?.FileNameStar ?? original.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(HttpStatusCode.NotFound, (await (await Factory.SignInAsync(Roles.Teacher)).GetAsync($"/datasets/{id}/original")).StatusCode);
    }

    [Fact]
    public async Task History_ignores_an_unknown_status_filter_with_a_notice()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);

        var page = await Html.GetAsync(teacher, "/datasets?status=Exploded&skip=-5");

        Assert.Contains("not a dataset status", page.QuerySelector(".notice-warning")!.TextContent, StringComparison.Ordinal);
    }
}
