using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Training;

/// <summary>Which rows train a model, and a fingerprint of them.</summary>
internal static class TrainingData
{
    /// <summary>Statuses of datasets whose rows passed validation: accepted ones, whatever their training state.</summary>
    public static readonly DatasetStatus[] AcceptedStatuses =
        [DatasetStatus.Accepted, DatasetStatus.QueuedForTraining, DatasetStatus.Training, DatasetStatus.Trained, DatasetStatus.TrainingFailed];

    /// <summary>
    /// The accepted datasets to train on: the requested ones (every one must exist, be accepted and not archived) or,
    /// for null, every accepted dataset that is not archived; ordered by id.
    /// </summary>
    public static async Task<List<UploadedDataset>> ResolveDatasetsAsync(StudyRecsDbContext db, IReadOnlyList<long>? requested, CancellationToken cancellationToken)
    {
        if (requested is null)
        {
            return await db.Set<UploadedDataset>().Where(d => AcceptedStatuses.Contains(d.Status) && d.ArchivedAt == null).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        }

        var ids = requested.Distinct().ToArray();
        var datasets = await db.Set<UploadedDataset>().Where(d => ids.Contains(d.Id)).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        var missing = ids.Except(datasets.Select(d => d.Id)).Order().ToArray();
        if (missing.Length > 0)
        {
            throw new TrainingDataException($"Dataset{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing.Select(id => "#" + id.ToString(CultureInfo.InvariantCulture)))} do{(missing.Length > 1 ? "" : "es")} not exist.");
        }

        var unusable = datasets.Where(d => !AcceptedStatuses.Contains(d.Status)).ToArray();
        if (unusable.Length > 0)
        {
            throw new TrainingDataException("Only accepted datasets can train a model; " +
                string.Join(", ", unusable.Select(d => string.Create(CultureInfo.InvariantCulture, $"#{d.Id} is {d.Status}"))) + ".");
        }

        var archived = datasets.Where(d => d.IsArchived).ToArray();
        if (archived.Length > 0)
        {
            throw new TrainingDataException("Archived datasets do not train models; restore them first: " +
                string.Join(", ", archived.Select(d => "#" + d.Id.ToString(CultureInfo.InvariantCulture))) + ".");
        }

        return datasets;
    }

    /// <summary>
    /// Rows with final marks or a final grade, in dataset and file order, each key (student, semester, subject) once:
    /// the row of the newest dataset (highest id) wins, so a re-upload replaces older rows instead of doubling them.
    /// A newest row without labels hides older labelled ones of its key. Within one dataset keys are unique (the
    /// importer rejects repeats).
    /// </summary>
    public static Task<List<DatasetRow>> LoadLabelledRowsAsync(StudyRecsDbContext db, IReadOnlyList<long> datasetIds, CancellationToken cancellationToken)
    {
        var ids = datasetIds.ToArray();
        var rows = db.Set<DatasetRow>().AsNoTracking().Where(r => ids.Contains(r.DatasetId));
        return rows
            .Where(r => r.FinalMarks != null || r.FinalGrade != null)
            .Where(r => !rows.Any(n => n.DatasetId > r.DatasetId && n.StudentId == r.StudentId && n.Semester == r.Semester && n.Subject == r.Subject))
            .OrderBy(r => r.DatasetId).ThenBy(r => r.RowNumber)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// SHA-256 (lower-case hex) over the rows' values, one canonical line per row, lines sorted ordinally: the same
    /// rows give the same hash whichever dataset or file order they came in; any changed value changes it.
    /// </summary>
    public static string Hash(IEnumerable<DatasetRow> rows)
    {
        var lines = rows.Select(CanonicalLine).ToList();
        lines.Sort(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in lines)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(line));
            hash.AppendData("\n"u8);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string CanonicalLine(DatasetRow r) => string.Join('\u001f',
        r.StudentId, Number(r.Semester), r.Subject, Number(r.AssignmentMarks), Number(r.QuizMarks), Number(r.AttendancePercentage),
        Number(r.MidtermMarks), Number(r.PreviousCgpa), Number(r.FinalMarks), r.FinalGrade ?? "", r.ExtraFeaturesJson ?? "");

    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}
