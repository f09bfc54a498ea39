using System.Text.Json.Serialization;

namespace StudyRecs.Core.Resources;

/// <summary>How much a resource expects the learner to know already; ordered from easiest to hardest.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResourceDifficulty>))]
public enum ResourceDifficulty
{
    Beginner,
    Intermediate,
    Advanced,
}

/// <summary>What kind of activity a resource is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResourceType>))]
public enum ResourceType
{
    Video,
    Article,
    Quiz,
    Exercise,
    CaseStudy,
}

/// <summary>
/// One entry of the learning-resource catalog that teachers manage: a link to material outside StudyRecs, described well
/// enough to be suggested in study plans and ranked by the recommender. Retired resources stay (events and plans refer
/// to their ids) but are never suggested.
/// </summary>
public class LearningResource
{
    public long Id { get; set; }

    public required string Title { get; set; }

    /// <summary><see cref="Title"/> folded for duplicate checks (<see cref="ResourceText.TitleKey"/>).</summary>
    public required string TitleKey { get; set; }

    public string Description { get; set; } = "";

    /// <summary>Subject as teachers wrote it (e.g. "Calculus"); matched to gradebook subjects through <see cref="SubjectKey"/>.</summary>
    public required string Subject { get; set; }

    /// <summary><see cref="Subject"/> folded for matching: lower case, single spaces (<see cref="ResourceText.SubjectKey"/>).</summary>
    public required string SubjectKey { get; set; }

    public string Topic { get; set; } = "";

    public ResourceDifficulty Difficulty { get; set; }

    public ResourceType Type { get; set; }

    /// <summary>Absolute http or https address, in canonical form (lower-case scheme and host, no default port).</summary>
    public required string Url { get; set; }

    /// <summary>Expected time to work through the resource.</summary>
    public int Minutes { get; set; }

    /// <summary>Lower-case keywords, unique, in the order given.</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>Title, topic, description and tags in lower case: what the catalog's search box looks in, on any database.</summary>
    public required string SearchText { get; set; }

    public bool IsRetired { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>User name of the teacher or admin who added it; "import" rows carry the importer's name, "seed" the starter catalog.</summary>
    public required string CreatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }
}

/// <summary>Display names of the catalog's enums, as pages, files and reports write them.</summary>
public static class ResourceNames
{
    public static string Of(ResourceType type) => type switch
    {
        ResourceType.CaseStudy => "case study",
        _ => type.ToString().ToLowerInvariant(),
    };

    public static string Of(ResourceDifficulty difficulty) => difficulty.ToString().ToLowerInvariant();
}
