using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Recommendations;

/// <summary>A portal with the starter catalog and a small event allowance per user (so one test can exhaust its own).</summary>
public sealed class RecommendationPortalFixture : IAsyncLifetime
{
    public const int EventBurst = 25;

    public PortalFactory Factory { get; } = new();

    public IReadOnlyList<LearningResource> Resources { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Factory.Settings["Resources:SeedStarterCatalog"] = "true";
        Factory.Settings["RateLimiting:RecommendationEvents:TokenLimit"] = EventBurst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Factory.Settings["RateLimiting:RecommendationEvents:TokensPerPeriod"] = "1";
        Factory.Settings["RateLimiting:RecommendationEvents:PeriodSeconds"] = "60";
        await using var scope = Factory.Services.CreateAsyncScope();
        Resources = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<LearningResource>().AsNoTracking().OrderBy(r => r.Id).ToListAsync();
    }

    /// <summary>Waits until the batched writer stored the events matching <paramref name="filter"/> (at least <paramref name="atLeast"/>), then returns them.</summary>
    public async Task<List<RecommendationEvent>> StoredAsync(Func<IQueryable<RecommendationEvent>, IQueryable<RecommendationEvent>> filter, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            var events = await filter(scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<RecommendationEvent>().AsNoTracking()).ToListAsync();
            if (events.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return events;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Stores the events of <paramref name="students"/> students in two communities: each works through resources of
    /// its own half of the catalog in nearly the same order (learnable structure), with a few random picks.
    /// </summary>
    public async Task<List<RecommendationEvent>> SeedCommunityEventsAsync(string prefix, int students = 40, int seed = 5)
    {
        var random = new Random(seed);
        var halves = new[] { Resources.Take(Resources.Count / 2).ToList(), Resources.Skip(Resources.Count / 2).ToList() };
        var kinds = new[] { RecommendationEventType.Complete, RecommendationEventType.Like, RecommendationEventType.Click, RecommendationEventType.View };
        var end = DateTime.UtcNow;
        var events = new List<RecommendationEvent>();
        for (var s = 0; s < students; s++)
        {
            var half = halves[s % 2];
            var start = random.Next(0, 4);
            for (var step = 0; step < 10; step++)
            {
                var type = kinds[random.Next(kinds.Length)];
                events.Add(new RecommendationEvent
                {
                    StudentId = $"{prefix}{s:000}",
                    UserName = "seed",
                    ResourceId = half[(start + step + (random.NextDouble() < 0.2 ? random.Next(half.Count) : 0)) % half.Count].Id,
                    Type = type,
                    Strategy = "popularity",
                    Position = step + 1,
                    RequestId = $"{prefix}-{s}-{step}",
                    DwellSeconds = type == RecommendationEventType.View ? 30 : null,
                    AtUtc = end.AddHours(-(students * 10) + (s * 10) + step),
                });
            }
        }

        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        db.AddRange(events);
        await db.SaveChangesAsync();
        return events;
    }

    /// <summary>A client signed in by a bearer token from <c>/api/auth/login</c> (no cookies), as scripts call the API.</summary>
    public async Task<HttpClient> BearerClientAsync(string role, string? studentId = null)
    {
        var (email, password) = await Factory.CreateUserAsync(role, studentId);
        return await BearerClientForAsync(email, password);
    }

    /// <summary>A bearer-token client of an existing account.</summary>
    public async Task<HttpClient> BearerClientForAsync(string email, string password)
    {
        var client = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
        using var token = System.Text.Json.JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("accessToken").GetString());
        return client;
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}
