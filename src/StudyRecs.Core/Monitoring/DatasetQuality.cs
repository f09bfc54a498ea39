using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Monitoring;

/// <summary>One numeric column of a dataset.</summary>
/// <param name="OutOfRange">Present values outside the serving model's training range (no model: 0).</param>
/// <param name="Outliers">Present values beyond 1.5 interquartile ranges from the quartiles (Tukey's fences).</param>
/// <param name="Quantiles">Minimum, 5 %, 25 %, median, 75 %, 95 % and maximum; empty when every value is missing.</param>
/// <param name="Histogram">Counts of ten equal-width bins from the minimum to the maximum.</param>
/// <param name="Psi">Distance from the serving model's training distribution; null without one.</param>
public sealed record NumericColumnQuality(string Column, long Missing, double MissingShare, long OutOfRange, long Outliers, IReadOnlyList<double> Quantiles, IReadOnlyList<long> Histogram, double? Psi);

/// <summary>One text column of a dataset: its distinct values, most frequent first.</summary>
/// <param name="Psi">Distance from the serving model's training distribution (subject only); null otherwise.</param>
public sealed record CategoricalColumnQuality(string Column, long Missing, double MissingShare, IReadOnlyDictionary<string, long> Values, long Unseen, double? Psi);

/// <summary>Rows of the dataset whose student, semester and subject also appear in another accepted dataset.</summary>
public sealed record DatasetOverlap(long DatasetId, long Rows);

/// <summary>The quality report of one dataset, for the dataset page and <c>studyrecs quality</c>.</summary>
/// <param name="ComparedWithVersion">The serving version whose training data the distances are measured against; null without one.</param>
/// <param name="GradeBalance">Rows per final grade, in the grade scale's order (grades off the scale last).</param>
public sealed record DatasetQualityReport(
    long DatasetId,
    string FileName,
    DatasetStatus Status,
    long Rows,
    string? ComparedWithVersion,
    IReadOnlyList<NumericColumnQuality> Numeric,
    IReadOnlyList<CategoricalColumnQuality> Categorical,
    IReadOnlyDictionary<string, long> GradeBalance,
    long OverlappingRows,
    IReadOnlyList<DatasetOverlap> Overlaps);

/// <summary>
/// Data quality of one stored dataset, computed on demand from its rows: per column missing share, out-of-range and
/// outlier counts, quantiles and histogram, distinct values, grade balance, overlap with other accepted datasets,
/// and each feature's PSI against the serving model's training distribution.
/// </summary>
public sealed class DatasetQuality(IDbContextFactory<StudyRecsDbContext> dbs, Microsoft.Extensions.Options.IOptions<DatasetOptions> datasetOptions)
{
    private static readonly double[] QuantileLevels = [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1];

    /// <summary>The report, or null when there is no dataset <paramref name="datasetId"/>. A rejected dataset has no rows: its report is empty.</summary>
    public async Task<DatasetQualityReport?> ReportAsync(long datasetId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var dataset = await db.Set<UploadedDataset>().AsNoTracking().Where(d => d.Id == datasetId)
            .Select(d => new { d.Id, d.FileName, d.Status }).SingleOrDefaultAsync(cancellationToken);
        if (dataset is null)
        {
            return null;
        }

        var rows = await db.Set<DatasetRow>().AsNoTracking().Where(r => r.DatasetId == datasetId)
            .Select(r => new { Input = new MonitoredInput(r.Subject, r.AssignmentMarks, r.QuizMarks, r.AttendancePercentage, r.MidtermMarks, r.PreviousCgpa), r.FinalMarks, r.FinalGrade })
            .ToListAsync(cancellationToken);
        var serving = await db.Set<ModelTrainingProfile>().AsNoTracking()
            .Where(p => p.Model!.IsActive && (p.Model.Task == ModelTask.Regression || p.Model.Task == ModelTask.Classification))
            .OrderBy(p => p.Model!.Task == ModelTask.Regression ? 0 : 1)
            .Select(p => new { p.Model!.Version, p.ProfileJson }).FirstOrDefaultAsync(cancellationToken);
        var profile = serving is null ? null : TrainingProfile.FromJson(serving.ProfileJson);
        var drift = profile is null || rows.Count == 0 ? [] : PopulationStability.Measure(profile, rows.Select(r => r.Input), double.MaxValue).ToDictionary(d => d.Feature);

        var numeric = new List<NumericColumnQuality>();
        for (var f = 0; f < TrainingProfile.NumericFeatures.Length; f++)
        {
            var name = TrainingProfile.NumericFeatures[f];
            numeric.Add(Numeric(name, rows.Select(r => TrainingProfile.NumericValue(r.Input, f)).ToList(), profile?.Feature(name), drift.GetValueOrDefault(name)?.Psi));
        }

        numeric.Add(Numeric("final_marks", rows.Select(r => r.FinalMarks).ToList(), null, null));
        var subjects = Categorical(TrainingProfile.SubjectFeature, rows.Select(r => (string?)r.Input.Subject).ToList(), profile?.Feature(TrainingProfile.SubjectFeature), drift.GetValueOrDefault(TrainingProfile.SubjectFeature)?.Psi);
        var grades = Categorical("final_grade", rows.Select(r => r.FinalGrade).ToList(), null, null);
        var labels = datasetOptions.Value.BuildGradeScale().Labels.ToList();
        var balance = grades.Values.OrderBy(g => labels.IndexOf(g.Key) is var i && i < 0 ? int.MaxValue : i).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Value, StringComparer.Ordinal);

        var overlaps = await OverlapsAsync(db, datasetId, cancellationToken);
        return new DatasetQualityReport(dataset.Id, dataset.FileName, dataset.Status, rows.Count, serving?.Version, numeric, [subjects, grades], balance,
            overlaps.Rows, overlaps.PerDataset);
    }

    private static async Task<(long Rows, IReadOnlyList<DatasetOverlap> PerDataset)> OverlapsAsync(StudyRecsDbContext db, long datasetId, CancellationToken cancellationToken)
    {
        var others = await db.Set<UploadedDataset>().AsNoTracking().Where(d => d.Id != datasetId && TrainingData.AcceptedStatuses.Contains(d.Status))
            .Select(d => d.Id).ToArrayAsync(cancellationToken);
        if (others.Length == 0)
        {
            return (0, []);
        }

        var pairs = await db.Set<DatasetRow>().AsNoTracking().Where(r => r.DatasetId == datasetId)
            .Join(db.Set<DatasetRow>().AsNoTracking().Where(o => others.Contains(o.DatasetId)),
                r => new { r.StudentId, r.Semester, r.Subject }, o => new { o.StudentId, o.Semester, o.Subject }, (r, o) => new { RowId = r.Id, Other = o.DatasetId })
            .ToListAsync(cancellationToken);
        var perDataset = pairs.GroupBy(p => p.Other).OrderBy(g => g.Key).Select(g => new DatasetOverlap(g.Key, g.Select(p => p.RowId).Distinct().LongCount())).ToArray();
        return (pairs.Select(p => p.RowId).Distinct().LongCount(), perDataset);
    }

    private static NumericColumnQuality Numeric(string column, List<double?> values, FeatureDistribution? training, double? psi)
    {
        var present = values.Where(v => v is { } x && !double.IsNaN(x)).Select(v => v!.Value).ToArray();
        Array.Sort(present);
        var missing = values.Count - present.Length;
        var missingShare = values.Count == 0 ? 0 : (double)missing / values.Count;
        if (present.Length == 0)
        {
            return new NumericColumnQuality(column, missing, missingShare, 0, 0, [], [], psi);
        }

        var quantiles = QuantileLevels.Select(q => Quantile(present, q)).ToArray();
        var (q1, q3) = (Quantile(present, 0.25), Quantile(present, 0.75));
        var fence = 1.5 * (q3 - q1);
        var outliers = present.LongCount(v => v < q1 - fence || v > q3 + fence);
        var outOfRange = training is null ? 0 : present.LongCount(training.IsOutOfRange);
        var histogram = new long[10];
        var (min, max) = (present[0], present[^1]);
        foreach (var v in present)
        {
            histogram[max > min ? Math.Min(9, (int)((v - min) / (max - min) * 10)) : 0]++;
        }

        return new NumericColumnQuality(column, missing, missingShare, outOfRange, outliers, quantiles, histogram, psi);
    }

    private static CategoricalColumnQuality Categorical(string column, List<string?> values, FeatureDistribution? training, double? psi)
    {
        var counts = values.Where(v => v is not null).GroupBy(v => v!, StringComparer.Ordinal)
            .OrderByDescending(g => g.LongCount()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal);
        var missing = values.Count(v => v is null);
        var unseen = training is null ? 0 : counts.Where(c => training.SlotOf(c.Key) == training.Categories.Length).Sum(c => c.Value);
        return new CategoricalColumnQuality(column, missing, values.Count == 0 ? 0 : (double)missing / values.Count, counts, unseen, psi);
    }

    /// <summary>Linear interpolation between the closest ranks of sorted values.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }
}
