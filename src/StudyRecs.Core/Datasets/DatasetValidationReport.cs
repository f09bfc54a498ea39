using System.Text.Json;
using System.Text.Json.Serialization;
using StudyRecs.Core.Datasets.Reading;

namespace StudyRecs.Core.Datasets;

[JsonConverter(typeof(JsonStringEnumConverter<ImportOutcome>))]
public enum ImportOutcome
{
    Accepted,
    AcceptedWithWarnings,
    Rejected,
}

[JsonConverter(typeof(JsonStringEnumConverter<ProblemSeverity>))]
public enum ProblemSeverity
{
    Warning,
    Error,
}

[JsonConverter(typeof(JsonStringEnumConverter<DatasetFormat>))]
public enum DatasetFormat
{
    Unknown,
    Csv,
    Xlsx,
    Xls,
}

[JsonConverter(typeof(JsonStringEnumConverter<ExtraColumnType>))]
public enum ExtraColumnType
{
    /// <summary>Every non-empty value is a number.</summary>
    Numeric,

    /// <summary>Free text or labels.</summary>
    Categorical,
}

/// <summary>Names of the validation rules, as they appear in reports.</summary>
public static class DatasetRules
{
    // File-level rules (row 0).
    public const string FileTooLarge = "file-too-large";
    public const string EmptyFile = "empty-file";
    public const string UnsupportedFormat = "unsupported-format";
    public const string WrongExtension = "wrong-extension";
    public const string InvalidEncoding = "invalid-encoding";
    public const string MalformedFile = "malformed-file";
    public const string XlsxBomb = "xlsx-limits";
    public const string SheetNotFound = "sheet-not-found";
    public const string MissingColumns = "missing-columns";
    public const string DuplicateColumn = "duplicate-column";
    public const string NoDataRows = "no-data-rows";
    public const string TooManyRows = "too-many-rows";
    public const string TooSmallToTrain = "too-small-to-train";
    public const string DuplicateUpload = "duplicate-upload";

    // Row-level rules.
    public const string Required = "required";
    public const string NotANumber = "not-a-number";
    public const string OutOfRange = "out-of-range";
    public const string SemesterNotPositiveInteger = "semester-integer";
    public const string UnknownGrade = "unknown-grade";
    public const string GradeInconsistent = "grade-inconsistent-with-marks";
    public const string DuplicateRow = "duplicate-row";
    public const string CellTooLong = "cell-too-long";
    public const string MissingValue = "missing-value";
    public const string ExtraCells = "extra-cells";
}

/// <summary>One problem found in an upload. <see cref="Row"/> 0 means the file as a whole.</summary>
public sealed record DatasetProblem(long Row, string? Column, string? Value, string Rule, ProblemSeverity Severity, string Message);

/// <summary>An extra (non-template) column kept as an additional feature.</summary>
public sealed record ExtraFeatureColumn(string Name, ExtraColumnType Type, long NonEmptyValues);

/// <summary>Count of problems for one rule, over the whole file (not only the listed ones).</summary>
public sealed record RuleCount(string Rule, ProblemSeverity Severity, long Count);

/// <summary>What the importer found in an upload; serialised as the API's report JSON.</summary>
public sealed class DatasetValidationReport : ITabularFileFacts
{
    public required string FileName { get; init; }

    public long SizeBytes { get; set; }

    public ImportOutcome Outcome { get; set; }

    public DatasetFormat Format { get; set; }

    /// <summary>Text encoding of a CSV file (e.g. "utf-8", "utf-16LE", "windows-1252").</summary>
    public string? Encoding { get; set; }

    /// <summary>Field delimiter of a CSV file as text (",", ";" or "\t").</summary>
    public string? Delimiter { get; set; }

    /// <summary>Worksheet read from a workbook.</summary>
    public string? Sheet { get; set; }

    /// <summary>Header cells as found in the file.</summary>
    public IReadOnlyList<string> Headers { get; set; } = [];

    public IReadOnlyList<ExtraFeatureColumn> ExtraColumns { get; set; } = [];

    /// <summary>Non-blank data rows read.</summary>
    public long TotalRows { get; set; }

    /// <summary>Rows without errors.</summary>
    public long ValidRows { get; set; }

    /// <summary>Valid rows with final marks or grade.</summary>
    public long LabelledRows { get; set; }

    /// <summary>Rows with at least one warning.</summary>
    public long RowsWithWarnings { get; set; }

    public long BlankRowsSkipped { get; set; }

    public long ErrorCount { get; set; }

    public long WarningCount { get; set; }

    /// <summary>The first problems (up to <see cref="DatasetOptions.MaxListedProblems"/>), in file order.</summary>
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public List<DatasetProblem> Problems { get; } = [];

    /// <summary>Problems counted per rule, over the whole file.</summary>
    public IReadOnlyList<RuleCount> ProblemCounts { get; set; } = [];

    /// <summary>Labelled rows required to train a model on this dataset.</summary>
    public int MinimumLabelledRowsToTrain { get; set; }

    /// <summary>True when the dataset is stored but has too few labelled rows to train on.</summary>
    public bool TooSmallToTrain { get; set; }

    /// <summary>Further labelled rows needed before a model can be trained (0 when enough).</summary>
    public long LabelledRowsNeeded { get; set; }

    [JsonIgnore]
    public bool IsAccepted => Outcome != ImportOutcome.Rejected;

    /// <summary>A report for an upload refused before its rows were read (e.g. an identical earlier upload).</summary>
    public static DatasetValidationReport Refused(string fileName, long sizeBytes, string rule, string message)
    {
        var report = new DatasetValidationReport
        {
            FileName = fileName,
            SizeBytes = sizeBytes,
            Outcome = ImportOutcome.Rejected,
            ErrorCount = 1,
            ProblemCounts = [new RuleCount(rule, ProblemSeverity.Error, 1)],
        };
        report.Problems.Add(new DatasetProblem(0, null, null, rule, ProblemSeverity.Error, message));
        return report;
    }

    /// <summary>One-line summary for pages, logs and the CLI.</summary>
    public string Summary => Outcome switch
    {
        ImportOutcome.Rejected when TotalRows == 0 && Problems.Count > 0 => $"Rejected: {Problems[0].Message}",
        ImportOutcome.Rejected => $"Rejected: {ErrorCount} error(s) in {TotalRows} row(s); nothing was stored.",
        _ => $"{(Outcome == ImportOutcome.Accepted ? "Accepted" : "Accepted with warnings")}: {ValidRows} row(s), {LabelledRows} labelled"
            + (WarningCount > 0 ? $", {WarningCount} warning(s)" : "")
            + (TooSmallToTrain ? $"; too small to train, {LabelledRowsNeeded} more labelled row(s) needed." : "."),
    };
}

/// <summary>The JSON form of reports, as stored with datasets and returned by the API (web defaults: camelCase).</summary>
public static class DatasetReportJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static string Serialize(DatasetValidationReport report) => JsonSerializer.Serialize(report, Options);

    public static DatasetValidationReport? Deserialize(string json) => JsonSerializer.Deserialize<DatasetValidationReport>(json, Options);
}
