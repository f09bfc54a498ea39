using StudyRecs.Core.Resources;

namespace StudyRecs.Web.Features.Resources;

/// <summary>
/// The catalog filters as they arrive in the query string (subject, type, difficulty, q, status), shared by the list
/// page and the CSV export. Values that name nothing are dropped and reported, never an error page.
/// </summary>
internal sealed record ResourceListFilter(ResourceQuery Query, IReadOnlyList<string> Ignored)
{
    public static ResourceListFilter Parse(string? subject, string? type, string? difficulty, string? search, string? status)
    {
        var ignored = new List<string>();
        ResourceType? parsedType = null;
        if (!string.IsNullOrWhiteSpace(type))
        {
            parsedType = Enum.TryParse<ResourceType>(type.Replace(" ", "", StringComparison.Ordinal), ignoreCase: true, out var t) && Enum.IsDefined(t) ? t : null;
            if (parsedType is null)
            {
                ignored.Add($"“{type}” is not a resource type");
            }
        }

        ResourceDifficulty? parsedDifficulty = null;
        if (!string.IsNullOrWhiteSpace(difficulty))
        {
            parsedDifficulty = Enum.TryParse<ResourceDifficulty>(difficulty, ignoreCase: true, out var d) && Enum.IsDefined(d) ? d : null;
            if (parsedDifficulty is null)
            {
                ignored.Add($"“{difficulty}” is not a difficulty");
            }
        }

        var parsedStatus = ResourceStatusFilter.Active;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (Enum.TryParse<ResourceStatusFilter>(status, ignoreCase: true, out var s) && Enum.IsDefined(s))
            {
                parsedStatus = s;
            }
            else
            {
                ignored.Add($"“{status}” is not a status");
            }
        }

        var query = new ResourceQuery(
            string.IsNullOrWhiteSpace(subject) ? null : subject.Trim(), parsedType, parsedDifficulty,
            string.IsNullOrWhiteSpace(search) ? null : search.Trim(), parsedStatus);
        return new ResourceListFilter(query, ignored);
    }

    /// <summary>The query string that reproduces these filters (without paging), starting with '?' or empty.</summary>
    public string QueryString()
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add($"{key}={Uri.EscapeDataString(value)}");
            }
        }

        Add("subject", Query.Subject);
        Add("type", Query.Type?.ToString());
        Add("difficulty", Query.Difficulty?.ToString());
        Add("q", Query.Search);
        Add("status", Query.Status == ResourceStatusFilter.Active ? null : Query.Status.ToString());
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
