using System.Globalization;
using System.Text;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Resources;

/// <summary>
/// The one set of rules for a catalog entry, shared by the portal's form, the importer and the starter catalog: every
/// field is checked (not only the first bad one) and each problem names its field and rule.
/// </summary>
public static class ResourceValidator
{
    private static readonly Dictionary<string, ResourceDifficulty> Difficulties = new(StringComparer.Ordinal)
    {
        ["beginner"] = ResourceDifficulty.Beginner,
        ["basic"] = ResourceDifficulty.Beginner,
        ["easy"] = ResourceDifficulty.Beginner,
        ["introductory"] = ResourceDifficulty.Beginner,
        ["intermediate"] = ResourceDifficulty.Intermediate,
        ["medium"] = ResourceDifficulty.Intermediate,
        ["advanced"] = ResourceDifficulty.Advanced,
        ["hard"] = ResourceDifficulty.Advanced,
        ["expert"] = ResourceDifficulty.Advanced,
    };

    private static readonly Dictionary<string, ResourceType> Types = new(StringComparer.Ordinal)
    {
        ["video"] = ResourceType.Video,
        ["lecture"] = ResourceType.Video,
        ["article"] = ResourceType.Article,
        ["reading"] = ResourceType.Article,
        ["text"] = ResourceType.Article,
        ["quiz"] = ResourceType.Quiz,
        ["test"] = ResourceType.Quiz,
        ["exercise"] = ResourceType.Exercise,
        ["exercises"] = ResourceType.Exercise,
        ["practice"] = ResourceType.Exercise,
        ["problemset"] = ResourceType.Exercise,
        ["casestudy"] = ResourceType.CaseStudy,
    };

    /// <summary>The draft when every field is valid; otherwise null and at least one error.</summary>
    public static (ResourceDraft? Draft, IReadOnlyList<ResourceFieldError> Errors) Validate(ResourceInput input)
    {
        var errors = new List<ResourceFieldError>();
        var title = Line(input.Title, ResourceFields.Title, ResourceFields.MaxTitleLength, required: true, errors);
        var description = Paragraphs(input.Description, errors);
        var subject = Line(input.Subject, ResourceFields.Subject, ResourceFields.MaxSubjectLength, required: true, errors);
        var topic = Line(input.Topic, ResourceFields.Topic, ResourceFields.MaxTopicLength, required: false, errors);
        var difficulty = Choice(input.Difficulty, ResourceFields.Difficulty, Difficulties, ResourceRules.UnknownDifficulty,
            "beginner, intermediate or advanced", errors);
        var type = Choice(input.Type, ResourceFields.Type, Types, ResourceRules.UnknownType,
            "video, article, quiz, exercise or case study", errors);
        var url = Url(input.Url, errors);
        var minutes = Minutes(input.Minutes, errors);
        var tags = Tags(input.Tags, errors);

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new ResourceDraft(title!, description!, subject!, topic!, difficulty!.Value, type!.Value, url!, minutes!.Value, tags!), errors);
    }

    /// <summary>One line of text: trimmed, runs of white space (line breaks included) folded to one space.</summary>
    private static string? Line(string? value, string field, int max, bool required, List<ResourceFieldError> errors)
    {
        var text = ResourceText.FoldSpaces(value);
        if (text.Length == 0)
        {
            if (required)
            {
                errors.Add(new(field, ResourceRules.Required, $"Enter a {field}."));
                return null;
            }

            return "";
        }

        return Checked(text, field, max, errors);
    }

    /// <summary>The description keeps its line breaks (normalised to \n); other white space is left as typed.</summary>
    private static string? Paragraphs(string? value, List<ResourceFieldError> errors)
    {
        var text = (value ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim();
        return text.Length == 0 ? "" : Checked(text, ResourceFields.Description, ResourceFields.MaxDescriptionLength, errors);
    }

    private static string? Checked(string text, string field, int max, List<ResourceFieldError> errors)
    {
        if (text.Length > max)
        {
            errors.Add(new(field, ResourceRules.TooLong, $"The {field} has {text.Length:N0} characters; at most {max:N0} are allowed."));
            return null;
        }

        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\t')))
        {
            errors.Add(new(field, ResourceRules.ControlCharacters, $"The {field} contains control characters; use plain text."));
            return null;
        }

        if (text[0] == '=')
        {
            errors.Add(new(field, ResourceRules.Formula, $"The {field} starts with '=' like a spreadsheet formula; enter the text itself."));
            return null;
        }

        return text;
    }

    private static T? Choice<T>(string? value, string field, Dictionary<string, T> names, string rule, string expected, List<ResourceFieldError> errors)
        where T : struct
    {
        var text = ResourceText.FoldSpaces(value);
        if (text.Length == 0)
        {
            errors.Add(new(field, ResourceRules.Required, $"Choose a {field}: {expected}."));
            return null;
        }

        if (names.TryGetValue(GradebookColumns.NormalizeHeader(text), out var parsed))
        {
            return parsed;
        }

        errors.Add(new(field, rule, $"'{ResourceText.Shorten(text)}' is not a {field}; use {expected}."));
        return null;
    }

    private static string? Url(string? value, List<ResourceFieldError> errors)
    {
        var text = (value ?? "").Trim();
        if (text.Length == 0)
        {
            errors.Add(new(ResourceFields.Url, ResourceRules.Required, "Enter the resource's web address (https://…)."));
            return null;
        }

        if (text.Length > ResourceFields.MaxUrlLength)
        {
            errors.Add(new(ResourceFields.Url, ResourceRules.TooLong, $"The address has {text.Length:N0} characters; at most {ResourceFields.MaxUrlLength:N0} are allowed."));
            return null;
        }

        if (ResourceText.CanonicalUrl(text) is { } canonical)
        {
            return canonical;
        }

        errors.Add(new(ResourceFields.Url, ResourceRules.InvalidUrl,
            $"'{ResourceText.Shorten(text)}' is not a web address; enter a full http:// or https:// address such as https://ocw.mit.edu/…"));
        return null;
    }

    private static int? Minutes(string? value, List<ResourceFieldError> errors)
    {
        var text = (value ?? "").Trim();
        if (text.Length == 0)
        {
            errors.Add(new(ResourceFields.Minutes, ResourceRules.Required, "Enter how many minutes the resource takes."));
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes)
            && minutes == Math.Floor(minutes) && minutes >= ResourceFields.MinMinutes && minutes <= ResourceFields.MaxMinutes)
        {
            return (int)minutes;
        }

        errors.Add(new(ResourceFields.Minutes, ResourceRules.InvalidMinutes,
            $"Minutes must be a whole number from {ResourceFields.MinMinutes} to {ResourceFields.MaxMinutes:N0}, not '{ResourceText.Shorten(text)}'."));
        return null;
    }

    private static List<string>? Tags(string? value, List<ResourceFieldError> errors)
    {
        var tags = new List<string>();
        foreach (var part in (value ?? "").Split([',', ';', '|', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var tag = ResourceText.FoldSpaces(part.TrimStart('#')).ToLowerInvariant();
            if (tag.Length == 0 || tags.Contains(tag))
            {
                continue;
            }

            if (tag.Length > ResourceFields.MaxTagLength || !tag.All(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '+' or '#' or '.' or '/' or '\''))
            {
                errors.Add(new(ResourceFields.Tags, ResourceRules.InvalidTags,
                    $"Tag '{ResourceText.Shorten(tag)}' is not allowed: tags are up to {ResourceFields.MaxTagLength} letters, digits, spaces or - + # . / '."));
                return null;
            }

            tags.Add(tag);
        }

        if (tags.Count > ResourceFields.MaxTags)
        {
            errors.Add(new(ResourceFields.Tags, ResourceRules.InvalidTags, $"{tags.Count} tags given; at most {ResourceFields.MaxTags} are allowed."));
            return null;
        }

        return tags;
    }
}

/// <summary>Text folding shared by validation, duplicate checks and queries.</summary>
public static class ResourceText
{
    private const int MaxShown = 100;

    /// <summary>Trimmed, with every run of white space (line breaks included) made one space.</summary>
    public static string FoldSpaces(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "";
        }

        var sb = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>How subjects are matched: "Linear  algebra" and "linear algebra" are one subject.</summary>
    public static string SubjectKey(string? subject) => FoldSpaces(subject).ToLowerInvariant();

    /// <summary>How titles are compared for duplicates within a subject.</summary>
    public static string TitleKey(string? title) => FoldSpaces(title).ToLowerInvariant();

    /// <summary>An absolute http(s) address without credentials, in canonical form; null for anything else.</summary>
    public static string? CanonicalUrl(string? text)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0 || trimmed.Length > ResourceFields.MaxUrlLength || trimmed.Any(char.IsWhiteSpace)
            || !Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host) || uri.UserInfo.Length > 0)
        {
            return null;
        }

        var canonical = uri.AbsoluteUri;
        return canonical.Length <= ResourceFields.MaxUrlLength ? canonical : null;
    }

    /// <summary>Longest <see cref="LearningResource.SearchText"/>: every searchable field at its limit.</summary>
    public const int MaxSearchTextLength = ResourceFields.MaxTitleLength + ResourceFields.MaxTopicLength + ResourceFields.MaxDescriptionLength
        + ResourceFields.MaxTags * (ResourceFields.MaxTagLength + 1) + 3;

    /// <summary>The searchable text of a resource, lower case, fields on separate lines so a search never spans two.</summary>
    public static string SearchText(ResourceDraft draft) =>
        string.Join('\n', draft.Title, draft.Topic, draft.Description, string.Join(' ', draft.Tags)).ToLowerInvariant();

    public static string Shorten(string value) => value.Length <= MaxShown ? value : string.Concat(value.AsSpan(0, MaxShown), "…");
}
