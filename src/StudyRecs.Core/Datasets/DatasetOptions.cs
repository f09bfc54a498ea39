using System.ComponentModel.DataAnnotations;

namespace StudyRecs.Core.Datasets;

/// <summary>Settings section <c>Datasets</c>: limits and validation rules for gradebook uploads, per institution.</summary>
public sealed class DatasetOptions : IValidatableObject
{
    public const string SectionName = "Datasets";

    /// <summary>Largest accepted upload in bytes (default 128 MB: <see cref="MaxRows"/> rows of a canonical CSV, about 58 bytes each, fit under it).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Largest number of data rows (blank rows not counted).</summary>
    [Range(1, int.MaxValue)]
    public int MaxRows { get; set; } = 2_000_000;

    /// <summary>Longest accepted cell, in characters.</summary>
    [Range(1, 1_000_000)]
    public int MaxCellLength { get; set; } = 256;

    /// <summary>Largest total uncompressed size of an .xlsx package (decompression-bomb guard).</summary>
    [Range(1, long.MaxValue)]
    public long MaxXlsxUncompressedBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Largest number of entries in an .xlsx package.</summary>
    [Range(1, 1_000_000)]
    public int MaxXlsxEntries { get; set; } = 1_000;

    /// <summary>Maximum of the assignment marks column.</summary>
    [Range(1, 100_000)]
    public double AssignmentMarksMax { get; set; } = 100;

    /// <summary>Maximum of the quiz marks column.</summary>
    [Range(1, 100_000)]
    public double QuizMarksMax { get; set; } = 100;

    /// <summary>Maximum of the midterm marks column.</summary>
    [Range(1, 100_000)]
    public double MidtermMarksMax { get; set; } = 100;

    /// <summary>Maximum of the final marks column; the grade scale's bands are in percent of it.</summary>
    [Range(1, 100_000)]
    public double FinalMarksMax { get; set; } = 100;

    /// <summary>Attendance is a percentage, 0 to 100.</summary>
    [Range(0, 100)]
    public double AttendanceMax { get; set; } = 100;

    /// <summary>CGPA scale: 4 or 10.</summary>
    public double CgpaScale { get; set; } = 4;

    /// <summary>Labelled rows (with final marks or grade) a dataset needs before a model is trained on it.</summary>
    [Range(1, int.MaxValue)]
    public int MinimumLabelledRowsToTrain { get; set; } = 1000;

    /// <summary>Problems listed one by one in a report; every problem is still counted per rule.</summary>
    [Range(1, 1_000_000)]
    public int MaxListedProblems { get; set; } = 1000;

    /// <summary>Rows handed to the sink per batch.</summary>
    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 5_000;

    /// <summary>
    /// Minutes after which an import still Uploaded or Validating counts as interrupted (its process stopped): the
    /// portal marks it Rejected at start-up and removes its spooled file. Longer than the slowest real import.
    /// </summary>
    [Range(1, 10_080)]
    public int InterruptedImportMinutes { get; set; } = 10;

    /// <summary>Where original upload files are kept: in the database (default) or in the data folder.</summary>
    [EnumDataType(typeof(OriginalFileStorage))]
    public OriginalFileStorage OriginalFileStorage { get; set; } = OriginalFileStorage.Database;

    /// <summary>Grade labels with their bands, best first. Empty means <see cref="GradeScale.Default"/>.</summary>
    public List<GradeBand> GradeScale { get; set; } = [];

    public GradeScale BuildGradeScale() =>
        GradeScale.Count == 0 ? Datasets.GradeScale.Default : new GradeScale(GradeScale);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CgpaScale is not (4 or 10))
        {
            yield return new ValidationResult($"Datasets:CgpaScale must be 4 or 10, not {CgpaScale}.", [nameof(CgpaScale)]);
        }

        if (GradeScale.Count > 0)
        {
            string? error = null;
            try
            {
                _ = new GradeScale(GradeScale);
            }
            catch (ArgumentException ex)
            {
                error = ex.Message;
            }

            if (error is not null)
            {
                yield return new ValidationResult($"Datasets:GradeScale is invalid: {error}", [nameof(GradeScale)]);
            }
        }
    }
}
