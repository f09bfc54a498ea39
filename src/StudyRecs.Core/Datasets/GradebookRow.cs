namespace StudyRecs.Core.Datasets;

/// <summary>
/// One validated gradebook row. Feature values are null where the file left the cell empty (reported as a
/// warning); <see cref="FinalMarks"/> and <see cref="FinalGrade"/> are null for current-term rows.
/// </summary>
/// <param name="Row">Row number in the file (the header is row 1), to point teachers at the source.</param>
/// <param name="ExtraFeatures">Values of the extra columns, in <paramref name="ExtraFeatureNames"/> order; null where empty.</param>
/// <param name="ExtraFeatureNames">Headers of the extra columns (one list shared by all rows of a file).</param>
public sealed record GradebookRow(
    long Row,
    string StudentId,
    int Semester,
    string Subject,
    double? AssignmentMarks,
    double? QuizMarks,
    double? AttendancePercentage,
    double? MidtermMarks,
    double? PreviousCgpa,
    double? FinalMarks,
    string? FinalGrade,
    IReadOnlyList<string?> ExtraFeatures,
    IReadOnlyList<string> ExtraFeatureNames)
{
    /// <summary>Has a training target (final marks or final grade).</summary>
    public bool IsLabelled => FinalMarks.HasValue || FinalGrade is not null;
}

/// <summary>
/// Receives validated rows in batches. The importer stops calling it as soon as any error is found, so the
/// caller wraps it in a transaction and rolls back when the outcome is <see cref="ImportOutcome.Rejected"/>.
/// </summary>
public interface IGradebookRowSink
{
    ValueTask WriteBatchAsync(IReadOnlyList<GradebookRow> batch, CancellationToken cancellationToken);
}
