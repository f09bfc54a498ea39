using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Tests.Training;

namespace StudyRecs.Core.Tests.Recommendations;

public class RecommendationEventWriterTests
{
    private static RecommendationEvent Event(string requestId, long resource, RecommendationEventType type, string student = "S1") => new()
    {
        StudentId = student,
        UserName = "s1@test.local",
        ResourceId = resource,
        Type = type,
        Strategy = "popularity",
        Position = 1,
        RequestId = requestId,
        AtUtc = new DateTime(2026, 11, 22, 1, 0, 0, DateTimeKind.Utc),
    };

    private static RecommendationEventWriter Writer(CoreTestHost host) =>
        host.Services.GetServices<IHostedService>().OfType<RecommendationEventWriter>().Single();

    private static Task<List<RecommendationEvent>> StoredAsync(CoreTestHost host) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<RecommendationEvent>().AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    [Fact]
    public async Task Stores_queued_events_once_per_request_resource_and_type_within_a_batch_and_against_stored_ones()
    {
        await using var host = await CoreTestHost.StartAsync();
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            db.Add(Event("r1", 10, RecommendationEventType.Click));
            return await db.SaveChangesAsync();
        });
        var inbox = host.Services.GetRequiredService<RecommendationEventInbox>();
        await inbox.EnqueueAsync(Event("r1", 10, RecommendationEventType.Click), CancellationToken.None); // stored before
        await inbox.EnqueueAsync(Event("r1", 10, RecommendationEventType.Impression), CancellationToken.None);
        await inbox.EnqueueAsync(Event("r1", 10, RecommendationEventType.Impression), CancellationToken.None); // same batch
        await inbox.EnqueueAsync(Event("r1", 11, RecommendationEventType.Impression), CancellationToken.None);
        await inbox.EnqueueAsync(Event("r2", 10, RecommendationEventType.Click), CancellationToken.None);

        var writer = Writer(host);
        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        var stored = await StoredAsync(host);
        Assert.Equal(4, stored.Count);
        Assert.Equal(4, stored.Select(e => (e.RequestId, e.ResourceId, e.Type)).Distinct().Count());
        Assert.Contains(stored, e => e.RequestId == "r2" && e.Type == RecommendationEventType.Click);
        Assert.Equal(2, stored.Count(e => e.Type == RecommendationEventType.Impression));
    }

    [Fact]
    public async Task A_database_that_refuses_every_batch_does_not_stop_the_writer_or_fail_the_host_stop()
    {
        await using var host = await CoreTestHost.StartAsync();
        await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Database.ExecuteSqlRawAsync("DROP TABLE RecommendationEvents"));
        var inbox = host.Services.GetRequiredService<RecommendationEventInbox>();
        var writer = Writer(host);
        await writer.StartAsync(CancellationToken.None);

        await inbox.EnqueueAsync(Event("r1", 10, RecommendationEventType.Click), CancellationToken.None);
        await inbox.EnqueueAsync(Event("r1", 11, RecommendationEventType.Click), CancellationToken.None);

        var stop = writer.StopAsync(CancellationToken.None);
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(stop.IsCompletedSuccessfully);
    }
}
