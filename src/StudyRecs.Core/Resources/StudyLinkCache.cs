using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using StudyRecs.Core.StudyPlans;

namespace StudyRecs.Core.Resources;

/// <summary>
/// Study-plan links per (subject, level, count), kept for <see cref="Lifetime"/>: every forecast with a weak subject
/// (each <c>POST /api/predict</c>, each dashboard) asks for them, while the catalog changes a few times a day. A change
/// saved through this node clears the cache at once (<see cref="StudyLinkCacheInvalidator"/>); another node's change
/// shows within the lifetime.
/// </summary>
internal sealed class StudyLinkCache(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>Subjects come from requests; past this many entries the cache starts over rather than grow.</summary>
    private const int MaxEntries = 4096;

    private readonly ConcurrentDictionary<(string SubjectKey, StudyLevel Level, int Take), Entry> _entries = new();

    public bool TryGet(string subjectKey, StudyLevel level, int take, out IReadOnlyList<StudyResourceLink> links)
    {
        if (_entries.TryGetValue((subjectKey, level, take), out var entry) && time.GetUtcNow() < entry.Expires)
        {
            links = entry.Links;
            return true;
        }

        links = [];
        return false;
    }

    public void Set(string subjectKey, StudyLevel level, int take, IReadOnlyList<StudyResourceLink> links)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[(subjectKey, level, take)] = new Entry(links, time.GetUtcNow() + Lifetime);
    }

    public void Clear() => _entries.Clear();

    private sealed record Entry(IReadOnlyList<StudyResourceLink> Links, DateTimeOffset Expires);
}

/// <summary>Clears <see cref="StudyLinkCache"/> after a save that added, changed or removed catalog resources.</summary>
internal sealed class StudyLinkCacheInvalidator(StudyLinkCache cache) : SaveChangesInterceptor
{
    private static readonly ConditionalWeakTable<DbContext, object> CatalogChanged = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Clear(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Clear(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Note(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries<LearningResource>().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted))
        {
            CatalogChanged.AddOrUpdate(context, true);
        }
    }

    private void Clear(DbContext? context)
    {
        if (context is not null && CatalogChanged.Remove(context))
        {
            cache.Clear();
        }
    }
}
