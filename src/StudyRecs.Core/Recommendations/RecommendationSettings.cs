using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Recommendations;

/// <summary>The run-time recommendation settings an admin changes (the pinned strategy) and the bandit's persisted state.</summary>
public sealed class RecommendationSettings(IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time)
{
    /// <summary>The strategy every established student gets instead of the online choice, or null.</summary>
    public async Task<string?> PinnedStrategyAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<RecommendationSetting>().AsNoTracking().Where(s => s.Key == RecommendationSetting.PinnedStrategy)
            .Select(s => s.Value).FirstOrDefaultAsync(cancellationToken) is { Length: > 0 } pinned ? pinned : null;
    }

    /// <summary>Pins <paramref name="strategy"/>, or lets the bandit choose again when it is null.</summary>
    public async Task PinAsync(string? strategy, string by, CancellationToken cancellationToken)
    {
        if (strategy is not null && !RecommendationEventRules.IsStrategy(strategy))
        {
            throw new ArgumentException($"Unknown strategy '{strategy}'.", nameof(strategy));
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var setting = await db.Set<RecommendationSetting>().FirstOrDefaultAsync(s => s.Key == RecommendationSetting.PinnedStrategy, cancellationToken);
        if (setting is null)
        {
            setting = new RecommendationSetting { Key = RecommendationSetting.PinnedStrategy, Value = "", UpdatedBy = by };
            db.Add(setting);
        }

        setting.Value = strategy ?? "";
        setting.UpdatedBy = by;
        setting.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Every strategy's trials and rewards so far.</summary>
    public async Task<IReadOnlyList<RecommendationArm>> ArmsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<RecommendationArm>().AsNoTracking().OrderBy(a => a.Strategy).ToListAsync(cancellationToken);
    }
}
