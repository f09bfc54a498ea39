namespace StudyRecs.Core.Resources;

/// <summary>One catalog import: who sent which file, whether it was imported, and the full report for the report page.</summary>
public class ResourceImportRecord
{
    public long Id { get; set; }

    public required string FileName { get; set; }

    public required string ImportedBy { get; set; }

    public DateTimeOffset ImportedAt { get; set; }

    public ResourceImportOutcome Outcome { get; set; }

    public long TotalRows { get; set; }

    public long ImportedRows { get; set; }

    public long ErrorCount { get; set; }

    /// <summary>The <see cref="ResourceImportReport"/> as JSON (<see cref="ResourceImportReport.Serialize"/>).</summary>
    public required string ReportJson { get; set; }
}
