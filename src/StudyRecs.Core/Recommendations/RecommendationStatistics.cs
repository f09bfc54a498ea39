using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;
using StudyRecs.Core.Resources;

namespace StudyRecs.Core.Recommendations;

/// <summary>A subject and how many of a student's (or everyone's) engagements fell in it.</summary>
public sealed record SubjectCount(string Subject, int Count);

/// <summary>What one student did with recommendations: shown, clicked, completed, CTR (clicks per impression) and the subjects they engage with most.</summary>
public sealed record UserRecommendationStats(string StudentId, int Shown, int Clicks, int Views, int Completions, int Likes, int Dismissals, double Ctr, IReadOnlyList<SubjectCount> TopSubjects);

/// <summary>Figures of one strategy or one day.</summary>
public sealed record EngagementFigures(string Key, int Shown, int Clicks, int Completions, double Ctr);

/// <summary>A resource and its engagement in the window.</summary>
public sealed record PopularResource(long ResourceId, string Title, string Subject, int Clicks, int Completions);

/// <summary>
/// Figures over the last days: CTR, coverage (share of the active catalog shown at least once), the most clicked
/// resources, the strategy mix and daily figures (UTC days, oldest first).
/// </summary>
public sealed record GlobalRecommendationStats(DateTime FromUtc, DateTime ToUtc, int Students, int Shown, int Clicks, int Completions, double Ctr, double Coverage, int ResourcesShown, int ActiveResources,
    IReadOnlyList<PopularResource> Popular, IReadOnlyList<EngagementFigures> Strategies, IReadOnlyList<EngagementFigures> Daily);

/// <summary>Counts over the recommendation events for the stats API and the analytics page.</summary>
public sealed class RecommendationStatistics(IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time)
{
    public const int MaxDays = 366;

    private static readonly RecommendationEventType[] Engagements = [RecommendationEventType.Click, RecommendationEventType.View, RecommendationEventType.Complete, RecommendationEventType.Like];

    public async Task<UserRecommendationStats> UserAsync(string studentId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var events = db.Set<RecommendationEvent>().AsNoTracking().Where(e => e.StudentId == studentId);
        var byType = await events.GroupBy(e => e.Type).Select(g => new { Type = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Type, g => g.Count, cancellationToken);
        var subjects = await events.Where(e => Engagements.Contains(e.Type))
            .Join(db.Set<LearningResource>(), e => e.ResourceId, r => r.Id, (e, r) => r.Subject)
            .GroupBy(s => s).Select(g => new { Subject = g.Key, Count = g.Count() })
            .OrderByDescending(g => g.Count).ThenBy(g => g.Subject).Take(5).ToListAsync(cancellationToken);
        int N(RecommendationEventType t) => byType.GetValueOrDefault(t);
        return new UserRecommendationStats(studentId, N(RecommendationEventType.Impression), N(RecommendationEventType.Click), N(RecommendationEventType.View),
            N(RecommendationEventType.Complete), N(RecommendationEventType.Like), N(RecommendationEventType.Dismiss),
            Rate(N(RecommendationEventType.Click), N(RecommendationEventType.Impression)), [.. subjects.Select(s => new SubjectCount(s.Subject, s.Count))]);
    }

    public async Task<GlobalRecommendationStats> GlobalAsync(int days, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, MaxDays);
        var to = time.GetUtcNow().UtcDateTime;
        var from = to.Date.AddDays(-(days - 1));
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var window = db.Set<RecommendationEvent>().AsNoTracking().Where(e => e.AtUtc >= from);
        var counted = new[] { RecommendationEventType.Impression, RecommendationEventType.Click, RecommendationEventType.Complete };

        var byStrategy = await window.Where(e => counted.Contains(e.Type)).GroupBy(e => new { e.Strategy, e.Type })
            .Select(g => new { g.Key.Strategy, g.Key.Type, Count = g.Count() }).ToListAsync(cancellationToken);
        var byDay = await window.Where(e => counted.Contains(e.Type)).GroupBy(e => new { e.AtUtc.Date, e.Type })
            .Select(g => new { Day = g.Key.Date, g.Key.Type, Count = g.Count() }).ToListAsync(cancellationToken);
        var students = await window.Select(e => e.StudentId).Distinct().CountAsync(cancellationToken);
        var resourcesShown = await window.Where(e => e.Type == RecommendationEventType.Impression).Select(e => e.ResourceId).Distinct().CountAsync(cancellationToken);
        var activeResources = await db.Set<LearningResource>().CountAsync(r => !r.IsRetired, cancellationToken);
        var popular = await window.Where(e => e.Type == RecommendationEventType.Click || e.Type == RecommendationEventType.Complete)
            .GroupBy(e => e.ResourceId)
            .Select(g => new { Id = g.Key, Clicks = g.Count(e => e.Type == RecommendationEventType.Click), Completions = g.Count(e => e.Type == RecommendationEventType.Complete) })
            .OrderByDescending(g => g.Clicks + g.Completions).ThenBy(g => g.Id).Take(10).ToListAsync(cancellationToken);
        var popularIds = popular.Select(p => p.Id).ToList();
        var titles = await db.Set<LearningResource>().AsNoTracking().Where(r => popularIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => (r.Title, r.Subject), cancellationToken);

        EngagementFigures Figures(string key, IEnumerable<(RecommendationEventType Type, int Count)> counts)
        {
            var c = counts.GroupBy(x => x.Type).ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
            var shown = c.GetValueOrDefault(RecommendationEventType.Impression);
            var clicks = c.GetValueOrDefault(RecommendationEventType.Click);
            return new EngagementFigures(key, shown, clicks, c.GetValueOrDefault(RecommendationEventType.Complete), Rate(clicks, shown));
        }

        var strategies = byStrategy.GroupBy(x => x.Strategy ?? "unknown", StringComparer.Ordinal)
            .Select(g => Figures(g.Key, g.Select(x => (x.Type, x.Count)))).OrderByDescending(f => f.Shown).ThenBy(f => f.Key, StringComparer.Ordinal).ToList();
        var daily = Enumerable.Range(0, days).Select(d => from.AddDays(d))
            .Select(day => Figures(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), byDay.Where(x => x.Day == day).Select(x => (x.Type, x.Count)))).ToList();
        var total = Figures("all", byStrategy.Select(x => (x.Type, x.Count)));
        return new GlobalRecommendationStats(from, to, students, total.Shown, total.Clicks, total.Completions, total.Ctr, Math.Min(1, Rate(resourcesShown, activeResources)), resourcesShown, activeResources,
            [.. popular.Where(p => titles.ContainsKey(p.Id)).Select(p => new PopularResource(p.Id, titles[p.Id].Title, titles[p.Id].Subject, p.Clicks, p.Completions))], strategies, daily);
    }

    private static double Rate(int part, int whole) => whole == 0 ? 0 : (double)part / whole;
}
