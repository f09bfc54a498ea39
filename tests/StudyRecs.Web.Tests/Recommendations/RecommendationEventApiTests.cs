using System.Net;
using System.Text;
using System.Text.Json;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Recommendations;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Recommendations;

public sealed class RecommendationEventApiTests(RecommendationPortalFixture portal) : IClassFixture<RecommendationPortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string NewStudent() => "ST-" + Guid.NewGuid().ToString("N")[..8];

    private static string NewRequest() => Guid.NewGuid().ToString("N");

    private long Resource(int n) => portal.Resources[n].Id;

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("errors").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray());
    }

    [Fact]
    public async Task A_student_reports_events_for_themselves_and_they_are_stored_with_every_field()
    {
        var studentId = NewStudent();
        var client = await Factory.SignInAsync(Roles.Student, studentId);
        var request = NewRequest();
        var body = $$"""
            [{"resource_id": {{Resource(0)}}, "type": "impression", "request_id": "{{request}}", "strategy": "popularity", "position": 1},
             {"resource_id": {{Resource(0)}}, "type": "view", "request_id": "{{request}}", "strategy": "popularity", "position": 1, "dwell_seconds": 95, "at": "{{DateTimeOffset.UtcNow.AddMinutes(-3):yyyy-MM-ddTHH:mm:ssZ}}"}]
            """;

        var response = await client.PostAsync("/api/recommendations/events", Json(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using (var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("accepted").GetInt32());
        }

        var stored = await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId), 2);
        Assert.Equal(2, stored.Count);
        var view = Assert.Single(stored, e => e.Type == RecommendationEventType.View);
        Assert.Equal((Resource(0), "popularity", 1, request, 95), (view.ResourceId, view.Strategy, view.Position, view.RequestId, view.DwellSeconds));
        Assert.EndsWith("@test.local", view.UserName);
        Assert.InRange(view.AtUtc, DateTime.UtcNow.AddMinutes(-4), DateTime.UtcNow.AddMinutes(-2));
        Assert.Null(Assert.Single(stored, e => e.Type == RecommendationEventType.Impression).DwellSeconds);
    }

    [Fact]
    public async Task Duplicate_events_in_one_body_and_across_requests_are_stored_once()
    {
        var studentId = NewStudent();
        var client = await Factory.SignInAsync(Roles.Student, studentId);
        var request = NewRequest();
        var click = $$"""{"resource_id": {{Resource(1)}}, "type": "click", "request_id": "{{request}}"}""";

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/recommendations/events", Json($"[{click},{click}]"))).StatusCode);
        await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId), 1);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/recommendations/events", Json(click))).StatusCode);
        var like = $$"""{"resource_id": {{Resource(1)}}, "type": "like", "request_id": "{{request}}"}""";
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/recommendations/events", Json(like))).StatusCode);

        var stored = await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Like), 1);
        Assert.Single(stored);
        var all = await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId), 2);
        Assert.Single(all, e => e.Type == RecommendationEventType.Click);
    }

    [Fact]
    public async Task Unknown_fields_wrong_types_and_out_of_range_values_are_refused_naming_each_field()
    {
        var client = await Factory.SignInAsync(Roles.Student, NewStudent());
        var body = $$"""
            {"resource_id": "12", "type": "purchase", "request_id": "has spaces", "strategy": "magic", "position": 0,
             "at": "yesterday", "colour": "red"}
            """;

        var errors = await ErrorsAsync(await client.PostAsync("/api/recommendations/events", Json(body)));

        Assert.Equal(["at", "colour", "position", "request_id", "resource_id", "strategy", "type"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("click", errors["type"][0]);
        Assert.Contains("Unknown field", errors["colour"][0]);
    }

    [Theory]
    [InlineData("""{"type": "view", "request_id": "a1", "resource_id": RES}""", "dwell_seconds")]
    [InlineData("""{"type": "click", "request_id": "a1", "resource_id": RES, "dwell_seconds": 5}""", "dwell_seconds")]
    [InlineData("""{"type": "click", "resource_id": RES}""", "request_id")]
    [InlineData("""{"type": "click", "request_id": "a1", "resource_id": RES, "at": "2020-01-01T00:00:00Z"}""", "at")]
    [InlineData("""{"type": "click", "request_id": "a1", "resource_id": RES, "at": "2026-11-30T10:00:00"}""", "at")]
    [InlineData("""[{"type": "click", "request_id": "a1", "resource_id": RES}, {"type": "clicked", "request_id": "a1", "resource_id": RES}]""", "[1].type")]
    [InlineData("""{"type": "click", "request_id": "a1", "resource_id": 999999}""", "resource_id")]
    [InlineData("""[]""", "$")]
    [InlineData("""42""", "$")]
    public async Task Each_invalid_event_is_refused_naming_its_field_and_nothing_is_stored(string template, string field)
    {
        var studentId = NewStudent();
        var client = await Factory.SignInAsync(Roles.Student, studentId);

        var errors = await ErrorsAsync(await client.PostAsync("/api/recommendations/events", Json(template.Replace("RES", Resource(2).ToString(System.Globalization.CultureInfo.InvariantCulture)))));

        Assert.Contains(field, errors.Keys);
        Assert.Empty(await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId), 0));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_and_a_form_post_is_a_415()
    {
        var client = await Factory.SignInAsync(Roles.Student, NewStudent());

        var broken = await client.PostAsync("/api/recommendations/events", Json("{\"type\": "));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);

        var form = await client.PostAsync("/api/recommendations/events", new FormUrlEncodedContent(new Dictionary<string, string> { ["type"] = "click" }));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
    }

    [Fact]
    public async Task A_student_cannot_report_for_another_student_and_an_unlinked_account_cannot_report_at_all()
    {
        var client = await Factory.SignInAsync(Roles.Student, NewStudent());
        var other = NewStudent();
        var forOther = await client.PostAsync("/api/recommendations/events",
            Json($$"""{"student_id": "{{other}}", "resource_id": {{Resource(3)}}, "type": "complete", "request_id": "{{NewRequest()}}"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, forOther.StatusCode);

        var unlinked = await Factory.SignInAsync(Roles.Student);
        var mine = await unlinked.PostAsync("/api/recommendations/events", Json($$"""{"resource_id": {{Resource(3)}}, "type": "complete", "request_id": "{{NewRequest()}}"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, mine.StatusCode);

        Assert.Empty(await portal.StoredAsync(q => q.Where(e => e.StudentId == other), 0));
    }

    [Fact]
    public async Task Staff_name_the_student_and_anonymous_callers_are_refused()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var body = $$"""{"resource_id": {{Resource(4)}}, "type": "complete", "request_id": "{{NewRequest()}}"}""";
        Assert.Contains("student_id", (await ErrorsAsync(await teacher.PostAsync("/api/recommendations/events", Json(body)))).Keys);

        var studentId = NewStudent();
        var named = $$"""{"student_id": "{{studentId}}", "resource_id": {{Resource(4)}}, "type": "complete", "request_id": "{{NewRequest()}}"}""";
        // This teacher uploaded no dataset with the student; an admin may name anyone.
        Assert.Equal(HttpStatusCode.Forbidden, (await teacher.PostAsync("/api/recommendations/events", Json(named))).StatusCode);
        var admin = await Factory.SignInAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/api/recommendations/events", Json(named))).StatusCode);
        Assert.Single(await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId), 1));

        var anonymous = Factory.CreateBrowserlessClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/recommendations/events", Json(named))).StatusCode);
    }

    [Fact]
    public async Task A_caller_over_the_allowance_gets_429_with_retry_after()
    {
        var client = await Factory.SignInAsync(Roles.Student, NewStudent());
        HttpResponseMessage? last = null;
        for (var i = 0; i <= RecommendationPortalFixture.EventBurst; i++)
        {
            last = await client.PostAsync("/api/recommendations/events", Json($$"""{"resource_id": {{Resource(5)}}, "type": "impression", "request_id": "r{{i}}"}"""));
            if (last.StatusCode == HttpStatusCode.TooManyRequests)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.Accepted, last.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.True(int.Parse(last.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_click_through_the_redirect_is_counted_and_goes_to_the_stored_address_only()
    {
        var studentId = NewStudent();
        var client = await Factory.SignInAsync(Roles.Student, studentId);
        var request = NewRequest();

        var response = await client.GetAsync($"/recommendations/go/{request}/{Resource(6)}?strategy=content&position=2&url=https%3A%2F%2Fevil.example");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(portal.Resources[6].Url, response.Headers.Location!.ToString());
        var click = Assert.Single(await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId), 1));
        Assert.Equal((RecommendationEventType.Click, Resource(6), "content", 2, request), (click.Type, click.ResourceId, click.Strategy, click.Position, click.RequestId));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/recommendations/go/{request}/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/recommendations/go/bad%20id/{Resource(6)}")).StatusCode);
    }
}
