using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.StudyPlans;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Predictions;

/// <summary>One subject of a student's latest semester: the marks so far, the forecast, and the final result when already known.</summary>
public sealed record SubjectForecast(DatasetRow Row, Forecast Forecast, long DatasetId);

/// <summary>Everything the student dashboard shows.</summary>
/// <param name="Semester">The student's latest semester in the datasets; null when the student has no rows.</param>
public sealed record StudentOverview(
    string StudentId,
    int? Semester,
    string TargetGrade,
    bool TargetIsDefault,
    bool ModelsReady,
    IReadOnlyList<SubjectForecast> Subjects,
    IReadOnlyList<WeakSubject> WeakSubjects,
    IReadOnlyList<StudyPlanItem> Plan,
    ServingModels Models);

/// <summary>A student's weak subjects among <paramref name="SubjectCount"/> forecast subjects.</summary>
public sealed record StudentOutlook(IReadOnlyList<WeakSubject> WeakSubjects, int SubjectCount);

/// <summary>Forecasts of one student's latest semester, their weak subjects and study plan, and their target grade.</summary>
public sealed class StudentForecasts(
    IDbContextFactory<StudyRecsDbContext> dbs,
    ActiveModels activeModels,
    Forecaster forecaster,
    StudyPlanner planner,
    IOptions<PredictionOptions> options,
    TimeProvider time,
    Monitoring.ForecastSnapshotRecorder? snapshots = null)
{
    /// <summary>The rows of the student's latest semester, one per subject (the newest dataset wins).</summary>
    public async Task<IReadOnlyList<(DatasetRow Row, long DatasetId)>> LatestSemesterRowsAsync(string studentId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<DatasetRow>().AsNoTracking()
            .Where(r => r.StudentId == studentId)
            .Join(db.Set<UploadedDataset>().Where(d => TrainingData.AcceptedStatuses.Contains(d.Status)), r => r.DatasetId, d => d.Id, (r, d) => r)
            .ToListAsync(cancellationToken);
        return LatestSemester(rows);
    }

    // One row per subject of the latest semester (the newest dataset wins), by subject.
    private static List<(DatasetRow Row, long DatasetId)> LatestSemester(List<DatasetRow> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var semester = rows.Max(r => r.Semester);
        return rows.Where(r => r.Semester == semester)
            .GroupBy(r => r.Subject, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(r => r.DatasetId).ThenByDescending(r => r.RowNumber).First())
            .OrderBy(r => r.Subject, StringComparer.Ordinal)
            .Select(r => (r, r.DatasetId))
            .ToList();
    }

    /// <summary>
    /// The weak subjects and the number of forecast subjects of many students at once, as <see cref="OverviewAsync"/>
    /// finds them (two queries in all, no study plans); students without rows are left out, and everyone when the
    /// grade models are not trained.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, StudentOutlook>> OutlooksAsync(IReadOnlyCollection<string> studentIds, CancellationToken cancellationToken)
    {
        var models = await activeModels.GetAsync(cancellationToken);
        if (!models.IsComplete || studentIds.Count == 0)
        {
            return new Dictionary<string, StudentOutlook>();
        }

        var wanted = studentIds.ToHashSet(StringComparer.Ordinal);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<DatasetRow>().AsNoTracking()
            .Join(db.Set<UploadedDataset>().Where(d => TrainingData.AcceptedStatuses.Contains(d.Status)), r => r.DatasetId, d => d.Id, (r, d) => r)
            .ToListAsync(cancellationToken);
        var targets = (await db.Set<StudentTarget>().AsNoTracking().ToListAsync(cancellationToken))
            .Where(t => wanted.Contains(t.StudentId) && planner.MinimumMarksFor(t.TargetGrade) is not null)
            .ToDictionary(t => t.StudentId, t => t.TargetGrade, StringComparer.Ordinal);
        var outlooks = new Dictionary<string, StudentOutlook>(StringComparer.Ordinal);
        foreach (var student in rows.Where(r => wanted.Contains(r.StudentId)).GroupBy(r => r.StudentId, StringComparer.Ordinal))
        {
            var latest = LatestSemester([.. student]);
            var forecastsOfStudent = latest.Select(r => forecaster.Predict(models, Forecaster.FromRow(r.Row))).ToList();
            var target = targets.GetValueOrDefault(student.Key) ?? options.Value.DefaultTargetGrade;
            outlooks[student.Key] = new StudentOutlook(planner.WeakSubjects(forecastsOfStudent, target), forecastsOfStudent.Count);
        }

        return outlooks;
    }

    public async Task<(string Grade, bool IsDefault)> TargetGradeAsync(string studentId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var stored = await db.Set<StudentTarget>().AsNoTracking().Where(t => t.StudentId == studentId).Select(t => t.TargetGrade).FirstOrDefaultAsync(cancellationToken);
        return stored is not null && planner.MinimumMarksFor(stored) is not null ? (stored, false) : (options.Value.DefaultTargetGrade, true);
    }

    /// <summary>Saves the student's target grade; false when it is not a grade of the scale.</summary>
    public async Task<bool> SetTargetGradeAsync(string studentId, string grade, CancellationToken cancellationToken)
    {
        var label = planner.Grades.FirstOrDefault(g => string.Equals(g, grade?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (label is null)
        {
            return false;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var target = await db.Set<StudentTarget>().FindAsync([studentId], cancellationToken);
        if (target is null)
        {
            db.Add(new StudentTarget { StudentId = studentId, TargetGrade = label, UpdatedAt = time.GetUtcNow() });
        }
        else
        {
            target.TargetGrade = label;
            target.UpdatedAt = time.GetUtcNow();
        }

        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<StudentOverview> OverviewAsync(string studentId, CancellationToken cancellationToken)
    {
        var (target, isDefault) = await TargetGradeAsync(studentId, cancellationToken);
        var models = await activeModels.GetAsync(cancellationToken);
        var rows = await LatestSemesterRowsAsync(studentId, cancellationToken);
        int? semester = rows.Count > 0 ? rows[0].Row.Semester : null;
        if (!models.IsComplete || rows.Count == 0)
        {
            return new StudentOverview(studentId, semester, target, isDefault, models.IsComplete, [], [], [], models);
        }

        var subjects = rows.Select(r => new SubjectForecast(r.Row, forecaster.Predict(models, Forecaster.FromRow(r.Row)), r.DatasetId)).ToList();
        if (snapshots is not null)
        {
            foreach (var subject in subjects)
            {
                await snapshots.RecordAsync(studentId, Forecaster.FromRow(subject.Row), subject.Forecast, Monitoring.ForecastSnapshotRecorder.Portal, cancellationToken);
            }
        }

        var weak = planner.WeakSubjects(subjects.Select(s => s.Forecast), target);
        var plan = await planner.PlanAsync(weak, cancellationToken);
        return new StudentOverview(studentId, semester, target, isDefault, true, subjects, weak, plan, models);
    }
}
