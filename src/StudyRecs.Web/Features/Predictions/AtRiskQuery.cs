using StudyRecs.Core.Predictions;

namespace StudyRecs.Web.Features.Predictions;

/// <summary>The filters and sort of the at-risk list, read from the query string (shared by the page and its CSV export).</summary>
internal sealed record AtRiskQuery(long? Dataset, string? Subject, bool AtRiskOnly, string Sort, bool Descending)
{
    public static readonly string[] Sorts = ["risk", "marks", "student", "subject"];

    public static AtRiskQuery From(IQueryCollection query)
    {
        long? dataset = long.TryParse(query["dataset"], out var id) && id > 0 ? id : null;
        var subject = query["subject"].ToString() is { Length: > 0 } s ? s : null;
        var risk = !string.Equals(query["risk"], "all", StringComparison.OrdinalIgnoreCase);
        var sort = Sorts.FirstOrDefault(x => string.Equals(x, query["sort"], StringComparison.OrdinalIgnoreCase)) ?? "risk";
        var descending = query["dir"].ToString() switch
        {
            "asc" => false,
            "desc" => true,
            _ => sort == "risk",
        };
        return new AtRiskQuery(dataset, subject, risk, sort, descending);
    }

    public IEnumerable<RowForecast> Apply(IEnumerable<RowForecast> rows)
    {
        if (Subject is not null)
        {
            rows = rows.Where(r => string.Equals(r.Subject, Subject, StringComparison.Ordinal));
        }

        if (AtRiskOnly)
        {
            rows = rows.Where(r => r.AtRisk);
        }

        Func<RowForecast, IComparable> key = Sort switch
        {
            "marks" => r => r.PredictedMarks,
            "student" => r => r.StudentId,
            "subject" => r => r.Subject,
            _ => r => r.FailProbability,
        };
        var ordered = Descending ? rows.OrderByDescending(key) : rows.OrderBy(key);
        return ordered.ThenBy(r => r.StudentId, StringComparer.Ordinal).ThenBy(r => r.Subject, StringComparer.Ordinal);
    }

    /// <summary>The query string of this view with some values replaced.</summary>
    public string With(long? dataset = null, string? sort = null, bool? descending = null, int? skip = null)
    {
        var parts = new List<string>();
        var d = dataset ?? Dataset;
        if (d is not null)
        {
            parts.Add($"dataset={d}");
        }

        if (Subject is not null)
        {
            parts.Add($"subject={Uri.EscapeDataString(Subject)}");
        }

        parts.Add(AtRiskOnly ? "risk=at-risk" : "risk=all");
        parts.Add($"sort={sort ?? Sort}");
        parts.Add($"dir={((descending ?? Descending) ? "desc" : "asc")}");
        if (skip is > 0)
        {
            parts.Add($"skip={skip}");
        }

        return string.Join("&", parts);
    }
}
