using System.Globalization;
using StudyRecs.Core.Predictions;

namespace StudyRecs.Web.Features.Predictions;

/// <summary>
/// The filters and sort of the at-risk list, read from the query string (shared by the page and its CSV export).
/// Values that make no sense (a negative dataset, a semester "x", a threshold of 250 %) are ignored, never an error.
/// </summary>
/// <param name="ThresholdPercent">"At risk" from this chance of failing (1–99 %); null keeps the portal's setting.</param>
internal sealed record AtRiskQuery(long? Dataset, string? Subject, int? Semester, bool AtRiskOnly, int? ThresholdPercent, string Sort, bool Descending)
{
    public static readonly string[] Sorts = ["risk", "marks", "student", "subject"];

    public static AtRiskQuery From(IQueryCollection query) =>
        Parse(query["dataset"], query["subject"], query["semester"], query["risk"], query["threshold"], query["sort"], query["dir"]);

    public static AtRiskQuery Parse(string? dataset, string? subject, string? semester, string? risk, string? threshold, string? sort, string? dir)
    {
        long? datasetId = long.TryParse(dataset, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
        int? term = int.TryParse(semester, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is > 0 and < 100 ? s : null;
        int? percent = int.TryParse(threshold, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t is >= 1 and <= 99 ? t : null;
        var order = Sorts.FirstOrDefault(x => string.Equals(x, sort, StringComparison.OrdinalIgnoreCase)) ?? "risk";
        var descending = dir switch
        {
            "asc" => false,
            "desc" => true,
            _ => order == "risk",
        };
        return new AtRiskQuery(datasetId, string.IsNullOrEmpty(subject) ? null : subject, term,
            !string.Equals(risk, "all", StringComparison.OrdinalIgnoreCase), percent, order, descending);
    }

    /// <summary>Whether a row counts as at risk in this view: over the chosen threshold, else the model's own flag.</summary>
    public bool IsAtRisk(RowForecast row) => ThresholdPercent is { } percent ? row.FailProbability >= percent / 100.0 : row.AtRisk;

    public IEnumerable<RowForecast> Apply(IEnumerable<RowForecast> rows)
    {
        if (Subject is not null)
        {
            rows = rows.Where(r => string.Equals(r.Subject, Subject, StringComparison.Ordinal));
        }

        if (Semester is { } semester)
        {
            rows = rows.Where(r => r.Semester == semester);
        }

        if (AtRiskOnly)
        {
            rows = rows.Where(IsAtRisk);
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

    /// <summary>The query string of this view.</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        if (Dataset is not null)
        {
            parts.Add($"dataset={Dataset}");
        }

        if (Subject is not null)
        {
            parts.Add($"subject={Uri.EscapeDataString(Subject)}");
        }

        if (Semester is not null)
        {
            parts.Add($"semester={Semester}");
        }

        parts.Add(AtRiskOnly ? "risk=at-risk" : "risk=all");
        if (ThresholdPercent is not null)
        {
            parts.Add($"threshold={ThresholdPercent}");
        }

        parts.Add($"sort={Sort}");
        parts.Add($"dir={(Descending ? "desc" : "asc")}");
        return string.Join("&", parts);
    }
}
