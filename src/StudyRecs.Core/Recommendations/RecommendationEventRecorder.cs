using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;
using StudyRecs.Core.Resources;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Core.Recommendations;

/// <summary>The rules every recorded event follows, whichever way it arrives (API, click redirect, page buttons, render).</summary>
public static class RecommendationEventRules
{
    /// <summary>Strategy names an event may carry: the engine's strategies and the chain for new students.</summary>
    public static readonly IReadOnlyList<string> Strategies = [.. RecommenderSuite.Strategies, RecommendationStrategyNames.Fallback];

    public const int MaxPosition = 1000;

    /// <summary>Lower-case names as the API and forms use them.</summary>
    public static string Name(RecommendationEventType type) => type.ToString().ToLowerInvariant();

    public static bool TryParseType(string? text, out RecommendationEventType type)
    {
        foreach (var candidate in Enum.GetValues<RecommendationEventType>())
        {
            if (string.Equals(text, Name(candidate), StringComparison.Ordinal))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>1 to 64 letters, digits, '-' or '_' (the ids the portal hands out are 32 hex digits).</summary>
    public static bool IsRequestId(string? text) =>
        text is { Length: > 0 and <= RecommendationEvent.MaxRequestIdLength } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>One of <see cref="Strategies"/>, or an imported score set's <c>imported:LABEL</c> (events outlive a deleted set).</summary>
    public static bool IsStrategy(string? text) => text is not null && (Strategies.Contains(text, StringComparer.Ordinal) || ImportedScoreSet.TryGetLabel(text, out _));

    /// <summary>The events a student gives on a recommendation block's buttons.</summary>
    public static bool IsFeedback(RecommendationEventType type) => type is RecommendationEventType.Complete or RecommendationEventType.Like or RecommendationEventType.Dismiss;
}

/// <summary>Names of strategies that are not engine models.</summary>
public static class RecommendationStrategyNames
{
    /// <summary>Weak subjects + content + popularity, for students with little history or before the first training.</summary>
    public const string Fallback = "fallback";

    /// <summary>A strategy in plain words, for progress and pages ("itemknn" is "similar resources (item k-NN)").</summary>
    public static string Describe(string strategy) => strategy switch
    {
        Fallback => "weak subjects, content and popularity (fallback chain)",
        "popularity" => "most popular",
        "itemknn" => "similar resources (item k-NN)",
        "ease" => "EASE",
        "als" => "matrix factorisation (ALS)",
        "content" => "content similarity",
        "two-tower" => "two-tower network",
        "hybrid" => "hybrid blend",
        RankerRecommender.EngineName => "learned ranker (StudyRecs LambdaMART)",
        RankerRecommender.FastTreeName => "learned ranker (ML.NET FastTree LambdaMART)",
        _ when ImportedScoreSet.TryGetLabel(strategy, out var label) => $"imported scores '{label}'",
        _ => strategy,
    };
}

/// <summary>Checks and queues events for <see cref="RecommendationEventWriter"/>; the caller decides whose events they are.</summary>
public sealed class RecommendationEventRecorder(IDbContextFactory<StudyRecsDbContext> dbs, RecommendationEventInbox inbox, TimeProvider time)
{
    /// <summary>Which of <paramref name="ids"/> are resources of the catalog (retired ones included: events may refer to them).</summary>
    public async Task<IReadOnlySet<long>> ExistingResourcesAsync(IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var wanted = ids.Distinct().ToList();
        var found = new HashSet<long>();
        foreach (var chunk in wanted.Chunk(500))
        {
            found.UnionWith(await db.Set<LearningResource>().AsNoTracking().Where(r => chunk.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellationToken));
        }

        return found;
    }

    /// <summary>Queues a checked event; its time defaults to now.</summary>
    public ValueTask RecordAsync(RecommendationEvent item, CancellationToken cancellationToken)
    {
        if (item.AtUtc == default)
        {
            item.AtUtc = time.GetUtcNow().UtcDateTime;
        }

        return inbox.EnqueueAsync(item, cancellationToken);
    }

    /// <summary>
    /// Stores a student's own feedback (complete, like, dismiss from a page's buttons) at once rather than in a batch,
    /// so the page the button leads back to no longer shows a dismissed or completed resource.
    /// </summary>
    public async Task StoreNowAsync(RecommendationEvent item, CancellationToken cancellationToken)
    {
        if (item.AtUtc == default)
        {
            item.AtUtc = time.GetUtcNow().UtcDateTime;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        try
        {
            await RecommendationEventStore.StoreNewAsync(db, [item], cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same button pressed twice at once: fine when the other press stored it.
            db.ChangeTracker.Clear();
            if (!await db.Set<RecommendationEvent>().AsNoTracking()
                .AnyAsync(e => e.RequestId == item.RequestId && e.ResourceId == item.ResourceId && e.Type == item.Type, cancellationToken))
            {
                throw;
            }
        }
    }

    /// <summary>
    /// A click on a recommended resource: records it for a student (staff previewing a student's list are not counted)
    /// and returns the resource's stored address, or null when there is no such resource. Never takes an address from
    /// the request, so the redirect cannot send anyone elsewhere.
    /// </summary>
    public async Task<string?> ClickAsync(string? studentId, string userName, string requestId, long resourceId, string? strategy, int? position, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var url = await db.Set<LearningResource>().AsNoTracking().Where(r => r.Id == resourceId).Select(r => r.Url).FirstOrDefaultAsync(cancellationToken);
        if (url is null || studentId is null)
        {
            return url;
        }

        await RecordAsync(new RecommendationEvent
        {
            StudentId = studentId,
            UserName = userName,
            ResourceId = resourceId,
            Type = RecommendationEventType.Click,
            Strategy = RecommendationEventRules.IsStrategy(strategy) ? strategy : null,
            Position = position is >= 1 and <= RecommendationEventRules.MaxPosition ? position : null,
            RequestId = requestId,
        }, cancellationToken);
        return url;
    }
}
