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

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}
