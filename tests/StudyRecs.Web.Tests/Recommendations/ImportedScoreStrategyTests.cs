using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Recommendations;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Recommendations;

/// <summary>A score set imported from a model trained elsewhere, met through the portal's API like the other strategies.</summary>
public sealed class ImportedScoreStrategyTests(RecommendationPortalFixture portal) : IClassFixture<RecommendationPortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task An_imported_set_is_listed_served_to_its_students_and_its_events_are_accepted_under_its_name()
    {
        // A student the portal knows from their account.
        var studentId = "IS-" + Guid.NewGuid().ToString("N")[..8];
        var student = await portal.BearerClientAsync(Roles.Student, studentId);
        var (first, second, third) = (portal.Resources[30].Id, portal.Resources[4].Id, portal.Resources[17].Id);
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var csv = $"user_id,resource_id,score\n{studentId},{second},0.5\n{studentId},{first},0.75\n{studentId},{third},-1\n";
            var result = await scope.ServiceProvider.GetRequiredService<ImportedScoreImport>()
                .ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "web.csv", "web-test", "test", CancellationToken.None);
            Assert.True(result.IsAccepted, string.Join("; ", result.Problems.Select(p => p.Message)));
        }

        await Factory.Services.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None);

        var admin = await portal.BearerClientAsync(Roles.Admin);
        var models = await JsonAsync(await admin.GetAsync("/admin/recommendations/models"));
        Assert.Contains("imported:web-test", models.GetProperty("strategies_served").EnumerateArray().Select(s => s.GetString()));

        var home = await JsonAsync(await student.GetAsync("/api/v1/recommendations/home?k=5&strategy=imported:web-test"));
        Assert.Equal("imported:web-test", home.GetProperty("strategy").GetString());
        Assert.Equal([first, second, third], home.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("resource_id").GetInt64()));

        var requestId = home.GetProperty("request_id").GetString();
        var accepted = await student.PostAsync("/api/recommendations/events", new StringContent(
            $$"""[{"resource_id": {{first}}, "type": "click", "request_id": "{{requestId}}", "strategy": "imported:web-test", "position": 1}]""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var stored = await portal.StoredAsync(q => q.Where(e => e.StudentId == studentId && e.Type == RecommendationEventType.Click), 1);
        Assert.Equal("imported:web-test", Assert.Single(stored).Strategy);

        var refused = await JsonAsync(await student.PostAsync("/api/recommendations/events", new StringContent(
            $$"""[{"resource_id": {{first}}, "type": "click", "request_id": "{{requestId}}", "strategy": "imported:Web Test", "position": 1}]""", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);
        Assert.Contains(refused.GetProperty("errors").EnumerateObject().SelectMany(p => p.Value.EnumerateArray()).Select(v => v.GetString()),
            m => m!.EndsWith("or imported:LABEL.", StringComparison.Ordinal));
    }
}
