namespace StudyRecs.Core.Resources;

/// <summary>Field (column) names of a resource, as used in import files, exports, reports and form errors; and their limits.</summary>
public static class ResourceFields
{
    public const string Title = "title";
    public const string Description = "description";
    public const string Subject = "subject";
    public const string Topic = "topic";
    public const string Difficulty = "difficulty";
    public const string Type = "type";
    public const string Url = "url";
    public const string Minutes = "minutes";
    public const string Tags = "tags";

    /// <summary>Columns of an import file in template order.</summary>
    public static IReadOnlyList<string> All { get; } = [Title, Description, Subject, Topic, Difficulty, Type, Url, Minutes, Tags];

    /// <summary>Columns an import file must have; the others may be left out.</summary>
    public static IReadOnlyList<string> Required { get; } = [Title, Subject, Difficulty, Type, Url, Minutes];

    public const int MaxTitleLength = 200;
    public const int MaxDescriptionLength = 2000;
    public const int MaxSubjectLength = 100;
    public const int MaxTopicLength = 200;
    public const int MaxUrlLength = 2048;
    public const int MaxTagLength = 40;
    public const int MaxTags = 20;
    public const int MinMinutes = 1;

    /// <summary>A resource is something to do in a study session or a few, not a whole course.</summary>
    public const int MaxMinutes = 1440;
}

/// <summary>Names of the rules resource validation reports, as they appear in reports and form errors.</summary>
public static class ResourceRules
{
    public const string Required = "required";
    public const string TooLong = "too-long";
    public const string ControlCharacters = "control-characters";
    public const string Formula = "formula";
    public const string InvalidUrl = "invalid-url";
    public const string UnknownDifficulty = "unknown-difficulty";
    public const string UnknownType = "unknown-type";
    public const string InvalidMinutes = "invalid-minutes";
    public const string InvalidTags = "invalid-tags";
    public const string DuplicateInFile = "duplicate-in-file";
    public const string AlreadyInCatalog = "already-in-catalog";
    public const string UnknownColumn = "unknown-column";
}
