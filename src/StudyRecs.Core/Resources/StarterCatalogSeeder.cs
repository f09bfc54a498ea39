using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Resources;

/// <summary>
/// Adds the <see cref="StarterCatalog"/> entries that are not in the catalog yet (matched by address), so running it
/// again, or after teachers edited or retired entries, changes nothing. Runs in Development, or when
/// <see cref="ResourceOptions.SeedStarterCatalog"/> asks for it.
/// </summary>
public sealed partial class StarterCatalogSeeder(IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time, ILogger<StarterCatalogSeeder> logger)
{
    public const string SeededBy = "starter catalog";

    /// <summary>Returns how many entries were added.</summary>
    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        var drafts = StarterCatalog.Entries.Select(e => ResourceValidator.Validate(e) switch
        {
            ({ } draft, _) => draft,
            (_, var errors) => throw new InvalidOperationException($"Starter catalog entry '{e.Title}' is invalid: {string.Join(" ", errors.Select(x => x.Message))}"),
        }).ToList();
        var urls = drafts.Select(d => d.Url).ToList();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var present = (await db.Set<LearningResource>().Where(r => urls.Contains(r.Url)).Select(r => r.Url).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var added = 0;
        foreach (var draft in drafts.Where(d => !present.Contains(d.Url)))
        {
            db.Add(ResourceCatalog.NewResource(draft, SeededBy, now));
            added++;
        }

        if (added > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            LogSeeded(logger, added);
        }

        return added;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starter catalog: {Count} learning resource(s) added.")]
    private static partial void LogSeeded(ILogger logger, int count);
}
