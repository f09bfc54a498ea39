using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Reading;

namespace StudyRecs.Core.Resources;

[JsonConverter(typeof(JsonStringEnumConverter<ResourceImportOutcome>))]
public enum ResourceImportOutcome
{
    /// <summary>Every row was valid and every row was added.</summary>
    Imported,

    /// <summary>At least one problem was an error; nothing was added.</summary>
    Rejected,
}

/// <summary>What a catalog import found: the file, the counts and every problem with its row, column, value and rule.</summary>
public sealed class ResourceImportReport : ITabularFileFacts
{
    public required string FileName { get; init; }

    public long SizeBytes { get; set; }

    public ResourceImportOutcome Outcome { get; set; }

    public DatasetFormat Format { get; set; }

    public string? Encoding { get; set; }

    public string? Delimiter { get; set; }

    public string? Sheet { get; set; }

    public IReadOnlyList<string> Headers { get; set; } = [];

    /// <summary>Non-blank data rows read.</summary>
    public long TotalRows { get; set; }

    /// <summary>Rows that passed every rule.</summary>
    public long ValidRows { get; set; }

    /// <summary>Resources added to the catalog (all valid rows, or none).</summary>
    public long ImportedRows { get; set; }

    public long ErrorCount { get; set; }

    public long WarningCount { get; set; }

    /// <summary>The first problems (up to <see cref="ResourceOptions.MaxListedProblems"/>), in row order.</summary>
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public List<DatasetProblem> Problems { get; } = [];

    /// <summary>Problems counted per rule, over the whole file.</summary>
    public IReadOnlyList<RuleCount> ProblemCounts { get; set; } = [];

    [JsonIgnore]
    public bool IsImported => Outcome == ResourceImportOutcome.Imported;

    /// <summary>One line for pages, logs and status messages.</summary>
    [JsonIgnore]
    public string Summary => Outcome switch
    {
        ResourceImportOutcome.Rejected when TotalRows == 0 && Problems.Count > 0 => $"Rejected: {Problems[0].Message}",
        ResourceImportOutcome.Rejected => $"Rejected: {ErrorCount:N0} error(s) in {TotalRows:N0} row(s); nothing was added to the catalog.",
        _ => $"Imported {ImportedRows:N0} resource(s)" + (WarningCount > 0 ? $" with {WarningCount:N0} warning(s)." : "."),
    };

    private static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    public string Serialize() => JsonSerializer.Serialize(this, JsonOptions);

    public static ResourceImportReport? Deserialize(string json) => JsonSerializer.Deserialize<ResourceImportReport>(json, JsonOptions);

    /// <summary>The report as a downloadable, spreadsheet-safe CSV: a summary block, then one line per listed problem.</summary>
    public byte[] ToCsv()
    {
        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        using var memory = new MemoryStream();
        using (var writer = new StreamWriter(memory, SpreadsheetSafeCsv.Encoding, leaveOpen: true))
        {
            SpreadsheetSafeCsv.WriteRecord(writer, "file", FileName);
            SpreadsheetSafeCsv.WriteRecord(writer, "outcome", Outcome.ToString());
            SpreadsheetSafeCsv.WriteRecord(writer, "summary", Summary);
            SpreadsheetSafeCsv.WriteRecord(writer, "rows", N(TotalRows));
            SpreadsheetSafeCsv.WriteRecord(writer, "valid rows", N(ValidRows));
            SpreadsheetSafeCsv.WriteRecord(writer, "imported", N(ImportedRows));
            SpreadsheetSafeCsv.WriteRecord(writer, "errors", N(ErrorCount));
            SpreadsheetSafeCsv.WriteRecord(writer, "warnings", N(WarningCount));
            writer.Write("\r\n");
            SpreadsheetSafeCsv.WriteRecord(writer, "row", "column", "value", "rule", "severity", "message");
            foreach (var p in Problems)
            {
                SpreadsheetSafeCsv.WriteRecord(writer, p.Row == 0 ? "" : N(p.Row), p.Column, p.Value, p.Rule, p.Severity.ToString(), p.Message);
            }
        }

        return memory.ToArray();
    }

    private readonly Dictionary<string, (ProblemSeverity Severity, long Count)> _ruleCounts = new(StringComparer.Ordinal);

    internal int MaxListedProblems { get; init; } = 1000;

    internal void Add(long row, string? column, string? value, string rule, ProblemSeverity severity, string message)
    {
        if (severity == ProblemSeverity.Error)
        {
            ErrorCount++;
        }
        else
        {
            WarningCount++;
        }

        _ruleCounts[rule] = _ruleCounts.TryGetValue(rule, out var c) ? (c.Severity, c.Count + 1) : (severity, 1);
        if (Problems.Count < MaxListedProblems)
        {
            Problems.Add(new DatasetProblem(row, column, value is null ? null : ResourceText.Shorten(value), rule, severity, message));
        }
    }

    /// <summary>Sets the outcome, sorts the listed problems by row and totals them per rule.</summary>
    internal void Finish(long importedRows)
    {
        ImportedRows = importedRows;
        Outcome = ErrorCount > 0 ? ResourceImportOutcome.Rejected : ResourceImportOutcome.Imported;
        var sorted = Problems.OrderBy(p => p.Row).ToList();
        Problems.Clear();
        Problems.AddRange(sorted);
        ProblemCounts = _ruleCounts
            .Select(kv => new RuleCount(kv.Key, kv.Value.Severity, kv.Value.Count))
            .OrderByDescending(r => r.Severity).ThenByDescending(r => r.Count).ThenBy(r => r.Rule, StringComparer.Ordinal)
            .ToArray();
    }
}
