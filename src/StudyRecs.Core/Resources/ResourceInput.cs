namespace StudyRecs.Core.Resources;

/// <summary>
/// A resource as a person or a file states it: every field is text, exactly as typed or read from a cell. The portal's
/// form binds to it and the importer fills one per row; <see cref="ResourceValidator"/> turns it into a
/// <see cref="ResourceDraft"/> or says what is wrong with each field.
/// </summary>
public sealed class ResourceInput
{
    public string? Title { get; set; }

    public string? Description { get; set; }

    public string? Subject { get; set; }

    public string? Topic { get; set; }

    /// <summary>beginner, intermediate or advanced (a few synonyms such as "easy" or "hard" are understood).</summary>
    public string? Difficulty { get; set; }

    /// <summary>video, article, quiz, exercise or case study.</summary>
    public string? Type { get; set; }

    public string? Url { get; set; }

    /// <summary>A whole number of minutes.</summary>
    public string? Minutes { get; set; }

    /// <summary>Keywords separated by commas, semicolons or '|'.</summary>
    public string? Tags { get; set; }

    /// <summary>The form's view of a stored resource, for editing.</summary>
    public static ResourceInput From(LearningResource r) => new()
    {
        Title = r.Title,
        Description = r.Description,
        Subject = r.Subject,
        Topic = r.Topic,
        Difficulty = ResourceNames.Of(r.Difficulty),
        Type = ResourceNames.Of(r.Type),
        Url = r.Url,
        Minutes = r.Minutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Tags = string.Join(", ", r.Tags),
    };
}

/// <summary>A validated, normalised resource, ready to store.</summary>
public sealed record ResourceDraft(
    string Title, string Description, string Subject, string Topic, ResourceDifficulty Difficulty, ResourceType Type,
    string Url, int Minutes, IReadOnlyList<string> Tags)
{
    public string SubjectKey => ResourceText.SubjectKey(Subject);
}

/// <summary>What is wrong with one field. <see cref="Field"/> is the field's column name (<see cref="ResourceFields"/>).</summary>
public sealed record ResourceFieldError(string Field, string Rule, string Message);
