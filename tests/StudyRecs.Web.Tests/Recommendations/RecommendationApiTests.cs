using System.Net;
using System.Text;
using System.Text.Json;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Recommendations;

public sealed class RecommendationApiTests(RecommendationPortalFixture portal) : IClassFixture<RecommendationPortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private static string NewStudent() => "AP-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    private static async Task<string[]> ErrorFieldsAsync(HttpResponseMessage response) =>
        [.. (await JsonAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(p => p.Name)];

    [Fact]
    public async Task A_student_gets_their_recommendations_with_reasons_and_click_links_by_cookie_and_by_bearer_token()
    {
        var studentId = NewStudent();
        var (email, password) = await Factory.CreateUserAsync(Roles.Student, studentId);
        var cookie = Factory.CreateBrowserlessClient();
        Assert.Equal(HttpStatusCode.Redirect, (await PortalFactory.PostFormAsync(cookie, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password })).StatusCode);

        var home = await JsonAsync(await cookie.GetAsync("/api/v1/recommendations/home?k=4&explain=true"));

        Assert.Equal(studentId, home.GetProperty("user_id").GetString());
        Assert.Equal("fallback", home.GetProperty("strategy").GetString());
        var requestId = home.GetProperty("request_id").GetString()!;
        var items = home.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, items.Count);
        Assert.All(items, i => Assert.False(string.IsNullOrWhiteSpace(i.GetProperty("reason").GetString())));
        Assert.Equal($"/recommendations/go/{requestId}/{items[1].GetProperty("resource_id").GetInt64()}?strategy=fallback&position=2", items[1].GetProperty("click_url").GetString());

        var bearer = await portal.BearerClientForAsync(email, password);
        var plain = await JsonAsync(await bearer.GetAsync("/api/v1/recommendations/home"));
        Assert.Equal(5, plain.GetProperty("items").GetArrayLength());
        Assert.All(plain.GetProperty("items").EnumerateArray(), i => Assert.Equal(JsonValueKind.Null, i.GetProperty("reason").ValueKind));
    }

    [Fact]
    public async Task A_student_may_ask_only_for_themselves_a_teacher_only_for_their_datasets_students_and_staff_must_name_the_student()
    {
        var student = await portal.BearerClientAsync(Roles.Student, NewStudent());
        Assert.Equal(HttpStatusCode.Forbidden, (await student.GetAsync($"/api/v1/recommendations/home?user_id={NewStudent()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await student.GetAsync($"/api/v1/recommendations/stats/user/{NewStudent()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await student.GetAsync("/api/v1/recommendations/stats/global")).StatusCode);

        var teacher = await portal.BearerClientAsync(Roles.Teacher);
        Assert.Contains("user_id", await ErrorFieldsAsync(await teacher.GetAsync("/api/v1/recommendations/home")));
        var other = NewStudent();
        // A teacher sees only students of the datasets they uploaded; this teacher uploaded none. An admin sees anyone.
        Assert.Equal(HttpStatusCode.Forbidden, (await teacher.GetAsync($"/api/v1/recommendations/home?user_id={other}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await teacher.GetAsync($"/api/v1/recommendations/stats/user/{other}")).StatusCode);
        var admin = await portal.BearerClientAsync(Roles.Admin);
        Assert.Equal(other, (await JsonAsync(await admin.GetAsync($"/api/v1/recommendations/home?user_id={other}"))).GetProperty("user_id").GetString());

        var anonymous = Factory.CreateBrowserlessClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/recommendations/home")).StatusCode);
    }

    [Theory]
    [InlineData("k=0", "k")]
    [InlineData("k=1000", "k")]
    [InlineData("k=ten", "k")]
    [InlineData("k=-3", "k")]
    [InlineData("strategy=magic", "strategy")]
    [InlineData("explain=maybe", "explain")]
    [InlineData("colour=red", "colour")]
    [InlineData("k=2&k=3", "k")]
    public async Task Bad_parameters_are_refused_naming_each(string parameters, string field)
    {
        var student = await portal.BearerClientAsync(Roles.Student, NewStudent());

        Assert.Contains(field, await ErrorFieldsAsync(await student.GetAsync("/api/v1/recommendations/home?" + parameters)));
    }

    [Fact]
    public async Task Similar_resources_leave_out_the_resource_itself_and_an_unknown_one_is_404()
    {
        var student = await portal.BearerClientAsync(Roles.Student, NewStudent());
        var source = portal.Resources[0];

        var similar = await JsonAsync(await student.GetAsync($"/api/v1/recommendations/similar/{source.Id}?k=3"));

        var items = similar.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.DoesNotContain(items, i => i.GetProperty("resource_id").GetInt64() == source.Id);
        Assert.All(items, i => Assert.Equal($"similar to '{source.Title}'", i.GetProperty("reason").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await student.GetAsync("/api/v1/recommendations/similar/999999")).StatusCode);
        Assert.Contains("k", await ErrorFieldsAsync(await student.GetAsync($"/api/v1/recommendations/similar/{source.Id}?k=0")));
    }

    [Fact]
    public async Task User_and_global_statistics_count_what_was_shown_clicked_and_completed()
    {
        var studentId = NewStudent();
        var student = await portal.BearerClientAsync(Roles.Student, studentId);
        var r = portal.Resources;
        var request = Guid.NewGuid().ToString("N");
        var body = $$"""
            [{"resource_id": {{r[0].Id}}, "type": "impression", "request_id": "{{request}}", "strategy": "fallback", "position": 1},
             {"resource_id": {{r[1].Id}}, "type": "impression", "request_id": "{{request}}", "strategy": "fallback", "position": 2},
             {"resource_id": {{r[2].Id}}, "type": "impression", "request_id": "{{request}}", "strategy": "fallback", "position": 3},
             {"resource_id": {{r[3].Id}}, "type": "impression", "request_id": "{{request}}", "strategy": "fallback", "position": 4},
             {"resource_id": {{r[0].Id}}, "type": "click", "request_id": "{{request}}", "strategy": "fallback", "position": 1},
             {"resource_id": {{r[0].Id}}, "type": "complete", "request_id": "{{request}}", "strategy": "fallback", "position": 1}]
            """;
        Assert.Equal(HttpStatusCode.Accepted, (await student.PostAsync("/api/recommendations/events", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode);
        await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId), 6);

        var mine = await JsonAsync(await student.GetAsync($"/api/v1/recommendations/stats/user/{studentId}"));
        Assert.Equal((4, 1, 1, 0.25), (mine.GetProperty("shown").GetInt32(), mine.GetProperty("clicks").GetInt32(), mine.GetProperty("completions").GetInt32(), mine.GetProperty("ctr").GetDouble()));
        var top = mine.GetProperty("top_subjects")[0];
        Assert.Equal((r[0].Subject, 2), (top.GetProperty("subject").GetString(), top.GetProperty("count").GetInt32()));

        var teacher = await portal.BearerClientAsync(Roles.Teacher);
        var global = await JsonAsync(await teacher.GetAsync("/api/v1/recommendations/stats/global?days=7"));
        Assert.True(global.GetProperty("shown").GetInt32() >= 4);
        Assert.Equal(7, global.GetProperty("daily").GetArrayLength());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), global.GetProperty("daily")[6].GetProperty("key").GetString());
        Assert.True(global.GetProperty("daily")[6].GetProperty("shown").GetInt32() >= 4);
        Assert.Contains(global.GetProperty("strategy_mix").EnumerateArray(), s => s.GetProperty("key").GetString() == "fallback" && s.GetProperty("clicks").GetInt32() >= 1);
        Assert.Contains(global.GetProperty("popular_resources").EnumerateArray(), p => p.GetProperty("resource_id").GetInt64() == r[0].Id);
        Assert.InRange(global.GetProperty("coverage").GetDouble(), 4.0 / r.Count - 1e-9, 1);
        Assert.Contains("days", await ErrorFieldsAsync(await teacher.GetAsync("/api/v1/recommendations/stats/global?days=0")));
    }

    [Fact]
    public async Task Admin_endpoints_take_bearer_tokens_answer_status_codes_and_are_in_the_openapi_document()
    {
        var admin = await portal.BearerClientAsync(Roles.Admin);
        var models = await JsonAsync(await admin.GetAsync("/admin/recommendations/models"));
        Assert.Contains("fallback", models.GetProperty("strategies_served").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(JsonValueKind.Array, models.GetProperty("versions").ValueKind);

        var reindex = await JsonAsync(await admin.PostAsync("/admin/recommendations/reindex", null), HttpStatusCode.Accepted);
        Assert.True(reindex.GetProperty("retraining_queued").GetBoolean());
        Assert.Equal(portal.Resources.Count, reindex.GetProperty("resources").GetInt32());

        var teacher = await portal.BearerClientAsync(Roles.Teacher);
        Assert.Equal(HttpStatusCode.Forbidden, (await teacher.GetAsync("/admin/recommendations/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Factory.CreateBrowserlessClient().GetAsync("/admin/recommendations/models")).StatusCode);

        // Signed in by cookie, a post without the page's antiforgery token is refused (no cross-site reindex).
        var cookieAdmin = await Factory.SignInAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.BadRequest, (await cookieAdmin.PostAsync("/admin/recommendations/reindex", null)).StatusCode);

        var openApi = await (await Factory.CreateClient().GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();
        foreach (var path in new[] { "/api/v1/recommendations/home", "/api/v1/recommendations/similar/{resourceId}", "/api/v1/recommendations/stats/user/{id}",
            "/api/v1/recommendations/stats/global", "/admin/recommendations/models", "/admin/recommendations/reindex", "/api/recommendations/events" })
        {
            Assert.Contains($"\"{path}\"", openApi);
        }

        Assert.DoesNotContain("\"/admin/recommendations/pin\"", openApi);
    }
}
