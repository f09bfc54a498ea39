using StudyRecs.Core.StudyPlans;

namespace StudyRecs.Core.Resources;

/// <summary>
/// Study plans take their links from the catalog: active resources of the subject, nearest the plan's level first
/// (through <see cref="StudyLinkCache"/>, so a forecast does not query the catalog each time).
/// </summary>
internal sealed class CatalogResourceFinder(ResourceCatalog catalog, StudyLinkCache cache) : IStudyResourceFinder
{
    public async Task<IReadOnlyList<StudyResourceLink>> FindAsync(string subject, StudyLevel level, int take, CancellationToken cancellationToken)
    {
        var key = ResourceText.SubjectKey(subject);
        if (cache.TryGet(key, level, take, out var cached))
        {
            return cached;
        }

        var difficulty = level switch
        {
            StudyLevel.Beginner => ResourceDifficulty.Beginner,
            StudyLevel.Intermediate => ResourceDifficulty.Intermediate,
            _ => ResourceDifficulty.Advanced,
        };
        var resources = await catalog.ForSubjectAsync(subject, difficulty, take, cancellationToken);
        var links = resources.Select(r => new StudyResourceLink(r.Id, r.Title, r.Url, ResourceNames.Of(r.Type), ResourceNames.Of(r.Difficulty), r.Minutes)).ToList();
        cache.Set(key, level, take, links);
        return links;
    }
}
