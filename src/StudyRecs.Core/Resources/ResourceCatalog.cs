using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Resources;

/// <summary>Which resources a listing shows.</summary>
public enum ResourceStatusFilter
{
    Active,
    Retired,
    All,
}

/// <summary>The column a catalog listing is sorted by; ties fall back to subject, title and id so pages never overlap.</summary>
public enum ResourceOrder
{
    /// <summary>Subject, then title (the catalog's reading order).</summary>
    Subject,
    Title,
    Topic,

    /// <summary>Beginner, intermediate, advanced (not the alphabet of the stored names).</summary>
    Level,
    Type,
    Minutes,
}

/// <summary>Filters and order of the catalog listing and export; null or empty filters mean "any".</summary>
/// <param name="Search">Words looked for in title, description, topic and tags (case-insensitive).</param>
public sealed record ResourceQuery(
    string? Subject = null, ResourceType? Type = null, ResourceDifficulty? Difficulty = null, string? Search = null,
    ResourceStatusFilter Status = ResourceStatusFilter.Active, ResourceOrder OrderBy = ResourceOrder.Subject, bool Descending = false);

public sealed record ResourcePage(int Total, IReadOnlyList<LearningResource> Items);

/// <summary>Outcome of a change: the stored resource, or why nothing changed (per field, or the resource is unknown).</summary>
public sealed record ResourceChangeResult(LearningResource? Resource, IReadOnlyList<ResourceFieldError> Errors, bool NotFound = false)
{
    public bool Succeeded => Resource is not null && Errors.Count == 0 && !NotFound;

    internal static ResourceChangeResult Missing(long id) =>
        new(null, [new ResourceFieldError("", "not-found", $"There is no resource {id}.")], NotFound: true);
}

/// <summary>
/// The learning-resource catalog: teachers create, edit, retire and restore entries; study plans and the recommender
/// read active ones. Every change is validated by <see cref="ResourceValidator"/> and checked for duplicates (same
/// address, or same title in the same subject).
/// </summary>
public sealed partial class ResourceCatalog(IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time, ILogger<ResourceCatalog> logger)
{
    public const int MaxPageSize = 500;
    private const int MaxSearchLength = 100;

    public async Task<ResourceChangeResult> CreateAsync(ResourceInput input, string by, CancellationToken cancellationToken)
    {
        var (draft, errors) = ResourceValidator.Validate(input);
        if (draft is null)
        {
            return new ResourceChangeResult(null, errors);
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var duplicates = await DuplicateErrorsAsync(db, draft, exceptId: null, cancellationToken);
        if (duplicates.Count > 0)
        {
            return new ResourceChangeResult(null, duplicates);
        }

        var resource = NewResource(draft, by, time.GetUtcNow());
        db.Add(resource);
        if (await SaveOrDuplicatesAsync(db, draft, exceptId: null, cancellationToken) is { } conflict)
        {
            return new ResourceChangeResult(null, conflict);
        }

        LogCreated(logger, resource.Id, resource.Title, by);
        return new ResourceChangeResult(resource, []);
    }

    public async Task<ResourceChangeResult> UpdateAsync(long id, ResourceInput input, string by, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var resource = await db.Set<LearningResource>().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (resource is null)
        {
            return ResourceChangeResult.Missing(id);
        }

        var (draft, errors) = ResourceValidator.Validate(input);
        if (draft is null)
        {
            return new ResourceChangeResult(null, errors);
        }

        var duplicates = await DuplicateErrorsAsync(db, draft, exceptId: id, cancellationToken);
        if (duplicates.Count > 0)
        {
            return new ResourceChangeResult(null, duplicates);
        }

        Apply(resource, draft, by, time.GetUtcNow());
        if (await SaveOrDuplicatesAsync(db, draft, exceptId: id, cancellationToken) is { } conflict)
        {
            return new ResourceChangeResult(null, conflict);
        }

        LogUpdated(logger, resource.Id, by);
        return new ResourceChangeResult(resource, []);
    }

    /// <summary>Takes a resource out of suggestions; it stays listed under "retired" and can be restored.</summary>
    public Task<ResourceChangeResult> RetireAsync(long id, string by, CancellationToken cancellationToken) =>
        SetRetiredAsync(id, true, by, cancellationToken);

    public Task<ResourceChangeResult> RestoreAsync(long id, string by, CancellationToken cancellationToken) =>
        SetRetiredAsync(id, false, by, cancellationToken);

    public async Task<LearningResource?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<LearningResource>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    /// <summary>One page of matching resources in the query's order, and the number of all matches.</summary>
    public async Task<ResourcePage> ListAsync(ResourceQuery query, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var filtered = Filter(db, query);
        var total = await filtered.CountAsync(cancellationToken);
        var items = await Ordered(filtered, query)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxPageSize)).ToListAsync(cancellationToken);
        return new ResourcePage(total, items);
    }

    /// <summary>Every matching resource in the query's order, streamed (for the CSV export).</summary>
    public async IAsyncEnumerable<LearningResource> StreamAsync(ResourceQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await foreach (var resource in Ordered(Filter(db, query), query).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return resource;
        }
    }

    /// <summary>The subjects of the catalog (one spelling each), for filters.</summary>
    public async Task<IReadOnlyList<string>> SubjectsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var subjects = await db.Set<LearningResource>().GroupBy(r => r.SubjectKey).Select(g => g.Min(r => r.Subject)!).ToListAsync(cancellationToken);
        return [.. subjects.Order(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// Up to <paramref name="take"/> active resources of a subject (matched ignoring case and extra spaces) for a study
    /// plan: those at <paramref name="level"/> first, then the nearest levels (the easier one first when two are equally
    /// near), shorter resources before longer ones within a level. Without a level, easiest first.
    /// </summary>
    public async Task<IReadOnlyList<LearningResource>> ForSubjectAsync(string subject, ResourceDifficulty? level, int take, CancellationToken cancellationToken)
    {
        var key = ResourceText.SubjectKey(subject);
        if (key.Length == 0 || take <= 0)
        {
            return [];
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<LearningResource>().AsNoTracking()
            .Where(r => r.SubjectKey == key && !r.IsRetired)
            .OrderBy(LevelRank(level ?? ResourceDifficulty.Beginner)).ThenBy(r => r.Minutes).ThenBy(r => r.Id)
            .Take(Math.Min(take, MaxPageSize))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// 0 for <paramref name="level"/>, then by distance; between two equally distant levels the easier comes first.
    /// Built as a CASE over the stored names, so the database sorts.
    /// </summary>
    private static Expression<Func<LearningResource, int>> LevelRank(ResourceDifficulty level)
    {
        int Rank(ResourceDifficulty d) => Math.Abs((int)d - (int)level) * 2 + (d > level ? 1 : 0);
        var beginner = Rank(ResourceDifficulty.Beginner);
        var intermediate = Rank(ResourceDifficulty.Intermediate);
        var advanced = Rank(ResourceDifficulty.Advanced);
        return r => r.Difficulty == ResourceDifficulty.Beginner ? beginner : r.Difficulty == ResourceDifficulty.Intermediate ? intermediate : advanced;
    }

    private static IOrderedQueryable<LearningResource> Ordered(IQueryable<LearningResource> resources, ResourceQuery query)
    {
        var first = query.OrderBy switch
        {
            ResourceOrder.Title => By(resources, r => r.Title, query.Descending),
            ResourceOrder.Topic => By(resources, r => r.Topic, query.Descending),
            // Stored by name: ranked here so "beginner" comes before "advanced".
            ResourceOrder.Level => By(resources, r => r.Difficulty == ResourceDifficulty.Beginner ? 0 : r.Difficulty == ResourceDifficulty.Intermediate ? 1 : 2, query.Descending),
            ResourceOrder.Type => By(resources, r => r.Type, query.Descending),
            ResourceOrder.Minutes => By(resources, r => r.Minutes, query.Descending),
            _ => By(resources, r => r.SubjectKey, query.Descending),
        };
        return first.ThenBy(r => r.SubjectKey).ThenBy(r => r.Title).ThenBy(r => r.Id);
    }

    private static IOrderedQueryable<LearningResource> By<TKey>(IQueryable<LearningResource> query, Expression<Func<LearningResource, TKey>> key, bool descending) =>
        descending ? query.OrderByDescending(key) : query.OrderBy(key);

    private static IQueryable<LearningResource> Filter(StudyRecsDbContext db, ResourceQuery query)
    {
        var resources = db.Set<LearningResource>().AsNoTracking();
        resources = query.Status switch
        {
            ResourceStatusFilter.Active => resources.Where(r => !r.IsRetired),
            ResourceStatusFilter.Retired => resources.Where(r => r.IsRetired),
            _ => resources,
        };
        if (ResourceText.SubjectKey(query.Subject) is { Length: > 0 } subject)
        {
            resources = resources.Where(r => r.SubjectKey == subject);
        }

        if (query.Type is { } type)
        {
            resources = resources.Where(r => r.Type == type);
        }

        if (query.Difficulty is { } difficulty)
        {
            resources = resources.Where(r => r.Difficulty == difficulty);
        }

        var search = ResourceText.FoldSpaces(query.Search).ToLowerInvariant();
        if (search.Length > 0)
        {
            search = search[..Math.Min(search.Length, MaxSearchLength)];
            resources = resources.Where(r => r.SearchText.Contains(search));
        }

        return resources;
    }

    private async Task<ResourceChangeResult> SetRetiredAsync(long id, bool retired, string by, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var resource = await db.Set<LearningResource>().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (resource is null)
        {
            return ResourceChangeResult.Missing(id);
        }

        if (resource.IsRetired != retired)
        {
            resource.IsRetired = retired;
            resource.UpdatedAt = time.GetUtcNow();
            resource.UpdatedBy = by;
            await db.SaveChangesAsync(cancellationToken);
            LogRetired(logger, resource.Id, retired ? "retired" : "restored", by);
        }

        return new ResourceChangeResult(resource, []);
    }

    /// <summary>Another resource with the same address, or the same title in the same subject.</summary>
    private static async Task<List<ResourceFieldError>> DuplicateErrorsAsync(StudyRecsDbContext db, ResourceDraft draft, long? exceptId, CancellationToken cancellationToken)
    {
        var errors = new List<ResourceFieldError>();
        var others = db.Set<LearningResource>().AsNoTracking().Where(r => exceptId == null || r.Id != exceptId);
        var sameUrl = await others.Where(r => r.Url == draft.Url).Select(r => new { r.Id, r.Title, r.IsRetired }).FirstOrDefaultAsync(cancellationToken);
        if (sameUrl is not null)
        {
            errors.Add(new(ResourceFields.Url, ResourceRules.AlreadyInCatalog, ResourceDuplicates.UrlMessage(sameUrl.Id, sameUrl.Title, sameUrl.IsRetired)));
        }

        var titleKey = ResourceText.TitleKey(draft.Title);
        var subjectKey = draft.SubjectKey;
        var sameTitle = await others.Where(r => r.SubjectKey == subjectKey && r.TitleKey == titleKey)
            .Select(r => new { r.Id, r.IsRetired }).FirstOrDefaultAsync(cancellationToken);
        if (sameTitle is not null)
        {
            errors.Add(new(ResourceFields.Title, ResourceRules.AlreadyInCatalog, ResourceDuplicates.TitleMessage(sameTitle.Id, draft.Subject, sameTitle.IsRetired)));
        }

        return errors;
    }

    /// <summary>Saves; when the unique address index refuses (a concurrent add of the same address), the duplicate errors.</summary>
    private async Task<List<ResourceFieldError>?> SaveOrDuplicatesAsync(StudyRecsDbContext db, ResourceDraft draft, long? exceptId, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException ex)
        {
            db.ChangeTracker.Clear();
            var duplicates = await DuplicateErrorsAsync(db, draft, exceptId, cancellationToken);
            if (duplicates.Count == 0)
            {
                throw;
            }

            LogConflict(logger, ex, draft.Url);
            return duplicates;
        }
    }

    /// <summary>A new catalog entry from a validated draft.</summary>
    internal static LearningResource NewResource(ResourceDraft draft, string by, DateTimeOffset now)
    {
        var resource = new LearningResource
        {
            Title = draft.Title,
            TitleKey = "",
            Subject = draft.Subject,
            SubjectKey = draft.SubjectKey,
            SearchText = "",
            Url = draft.Url,
            CreatedAt = now,
            CreatedBy = by,
            UpdatedBy = by,
        };
        Apply(resource, draft, by, now);
        return resource;
    }

    private static void Apply(LearningResource resource, ResourceDraft draft, string by, DateTimeOffset now)
    {
        resource.Title = draft.Title;
        resource.TitleKey = ResourceText.TitleKey(draft.Title);
        resource.Description = draft.Description;
        resource.Subject = draft.Subject;
        resource.SubjectKey = draft.SubjectKey;
        resource.Topic = draft.Topic;
        resource.Difficulty = draft.Difficulty;
        resource.Type = draft.Type;
        resource.Url = draft.Url;
        resource.Minutes = draft.Minutes;
        resource.Tags = [.. draft.Tags];
        resource.SearchText = ResourceText.SearchText(draft);
        resource.UpdatedAt = now;
        resource.UpdatedBy = by;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resource {ResourceId} '{Title}' created by {By}.")]
    private static partial void LogCreated(ILogger logger, long resourceId, string title, string by);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resource {ResourceId} updated by {By}.")]
    private static partial void LogUpdated(ILogger logger, long resourceId, string by);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resource {ResourceId} {Change} by {By}.")]
    private static partial void LogRetired(ILogger logger, long resourceId, string change, string by);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving resource {Url} conflicted with a concurrent change.")]
    private static partial void LogConflict(ILogger logger, Exception exception, string url);
}

/// <summary>The wording of duplicate problems, the same in forms and import reports.</summary>
internal static class ResourceDuplicates
{
    public static string UrlMessage(long id, string title, bool retired) =>
        $"Resource #{id} '{ResourceText.Shorten(title)}' already links to this address{(retired ? " (it is retired: restore it instead)" : "")}.";

    public static string TitleMessage(long id, string subject, bool retired) =>
        $"Resource #{id} in {subject} already has this title{(retired ? " (it is retired: restore it instead)" : "")}.";
}
