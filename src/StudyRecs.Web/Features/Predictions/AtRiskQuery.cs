using System.Globalization;
using StudyRecs.Core.Predictions;

namespace StudyRecs.Web.Features.Predictions;

/// <summary>One student of the at-risk list: their subject rows in the view, the ones at risk first.</summary>
internal sealed record StudentRisk(string StudentId, IReadOnlyList<RowForecast> Rows, IReadOnlyList<RowForecast> AtRisk)
{
    public double HighestChance => Rows.Max(r => r.FailProbability);

    public double LowestMarks => Rows.Min(r => r.PredictedMarks);
}

/// <summary>
/// The filters and sort of the at-risk list, read from the query string (shared by the page and its CSV export).
/// Values that make no sense (a negative dataset, a semester "x", a threshold of 250 %) are ignored, never an error.
/// Without a semester the list shows the dataset's latest (current) semester; <c>semester=all</c> shows every one.
/// </summary>
/// <param name="ThresholdPercent">"At risk" from this chance of failing (1–99 %); null keeps the portal's setting.</param>
/// <param name="Search">Part of a student id to look for (any case).</param>
/// <param name="ByStudent">One line per student (the default) rather than one per subject row (<c>view=rows</c>).</param>
internal sealed record AtRiskQuery(long? Dataset, string? Subject, int? Semester, bool AtRiskOnly, int? ThresholdPercent, string Sort, bool Descending,
    bool AllSemesters = false, string? Search = null, bool ByStudent = true)
{
    public static readonly string[] Sorts = ["risk", "marks", "student", "subject"];

    private const int SearchLength = 64;

    public static AtRiskQuery From(IQueryCollection query) =>
        Parse(query["dataset"], query["subject"], query["semester"], query["risk"], query["threshold"], query["sort"], query["dir"], query["q"], query["view"]);

    public static AtRiskQuery Parse(string? dataset, string? subject, string? semester, string? risk, string? threshold, string? sort, string? dir,
        string? search = null, string? view = null)
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
        var text = search?.Trim();
        return new AtRiskQuery(datasetId, string.IsNullOrEmpty(subject) ? null : subject, term,
            !string.Equals(risk, "all", StringComparison.OrdinalIgnoreCase), percent, order, descending,
            AllSemesters: string.Equals(semester, "all", StringComparison.OrdinalIgnoreCase),
            Search: string.IsNullOrEmpty(text) ? null : text.Length > SearchLength ? text[..SearchLength] : text,
            ByStudent: !string.Equals(view, "rows", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The query with the dataset's latest semester when none was chosen (and not every one).</summary>
    public AtRiskQuery WithCurrentSemester(IEnumerable<RowForecast> rows) =>
        Semester is null && !AllSemesters && rows.Select(r => (int?)r.Semester).Max() is { } latest ? this with { Semester = latest } : this;

    /// <summary>Whether a row counts as at risk in this view: over the chosen threshold, else the model's own flag.</summary>
    public bool IsAtRisk(RowForecast row) => ThresholdPercent is { } percent ? row.FailProbability >= percent / 100.0 : row.AtRisk;

    public IEnumerable<RowForecast> Apply(IEnumerable<RowForecast> rows)
    {
        if (Subject is not null)
        {
            rows = rows.Where(r => string.Equals(r.Subject, Subject, StringComparison.Ordinal));
        }

        if (Semester is { } semester && !AllSemesters)
        {
            rows = rows.Where(r => r.Semester == semester);
        }

        if (Search is { } search)
        {
            rows = rows.Where(r => r.StudentId.Contains(search, StringComparison.OrdinalIgnoreCase));
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

    /// <summary>
    /// The view's students, each with all their subject rows under the filters (at risk or not), in the view's order;
    /// "at risk only" keeps the students with at least one row at risk.
    /// </summary>
    public IReadOnlyList<StudentRisk> Students(IEnumerable<RowForecast> rows)
    {
        var everyRow = this with { AtRiskOnly = false };
        var students = everyRow.Apply(rows).GroupBy(r => r.StudentId, StringComparer.Ordinal)
            .Select(g => new StudentRisk(g.Key, [.. g.OrderByDescending(r => r.FailProbability).ThenBy(r => r.Subject, StringComparer.Ordinal)], [.. g.Where(IsAtRisk).OrderByDescending(r => r.FailProbability)]))
            .Where(s => !AtRiskOnly || s.AtRisk.Count > 0);
        Func<StudentRisk, IComparable> key = Sort switch
        {
            "marks" => s => s.LowestMarks,
            "student" or "subject" => s => s.StudentId,
            _ => s => s.HighestChance,
        };
        var ordered = Descending ? students.OrderByDescending(key) : students.OrderBy(key);
        return [.. ordered.ThenBy(s => s.StudentId, StringComparer.Ordinal)];
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

        if (AllSemesters)
        {
            parts.Add("semester=all");
        }
        else if (Semester is not null)
        {
            parts.Add($"semester={Semester}");
        }

        if (Search is not null)
        {
            parts.Add($"q={Uri.EscapeDataString(Search)}");
        }

        parts.Add(AtRiskOnly ? "risk=at-risk" : "risk=all");
        if (ThresholdPercent is not null)
        {
            parts.Add($"threshold={ThresholdPercent}");
        }

        parts.Add($"sort={Sort}");
        parts.Add($"dir={(Descending ? "desc" : "asc")}");
        if (!ByStudent)
        {
            parts.Add("view=rows");
        }

        return string.Join("&", parts);
    }
}
