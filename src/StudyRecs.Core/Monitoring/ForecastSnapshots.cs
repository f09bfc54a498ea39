using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;

namespace StudyRecs.Core.Monitoring;

/// <summary>Stores snapshots once per key: those already stored, and repeats within the batch, are skipped.</summary>
public sealed class ForecastSnapshotStore : IBatchStore<ForecastSnapshot>
{
    public string Noun => "forecast snapshots";

    public async Task<int> StoreAsync(StudyRecsDbContext db, IReadOnlyList<ForecastSnapshot> batch, CancellationToken cancellationToken)
    {
        var students = batch.Select(s => s.StudentId).Distinct().ToArray();
        var stored = (await db.Set<ForecastSnapshot>().AsNoTracking().Where(s => students.Contains(s.StudentId))
                .Select(s => new { s.StudentId, s.Semester, s.Subject, s.RegressionVersion, s.ClassificationVersion }).ToListAsync(cancellationToken))
            .Select(s => Key(s.StudentId, s.Semester, s.Subject, s.RegressionVersion, s.ClassificationVersion))
            .ToHashSet(StringComparer.Ordinal);
        var fresh = batch.Where(s => stored.Add(Key(s.StudentId, s.Semester, s.Subject, s.RegressionVersion, s.ClassificationVersion))).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }

        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.AddRange(fresh);
        await db.SaveChangesAsync(cancellationToken);
        return fresh.Count;
    }

    public void Reset(ForecastSnapshot item) => item.Id = 0;

    private static string Key(string student, int semester, string subject, string regression, string classification) =>
        string.Join('\u001f', student, semester, subject, regression, classification);
}

/// <summary>Hands forecast snapshots from requests and pages to <see cref="ForecastSnapshotWriter"/>.</summary>
public sealed class ForecastSnapshotInbox(IOptions<MonitoringOptions> options, ForecastSnapshotStore store, IDbContextFactory<StudyRecsDbContext> dbs, ILogger<ForecastSnapshotInbox> logger)
    : BatchInbox<ForecastSnapshot>(options.Value.SnapshotQueueCapacity, store, dbs, logger);

/// <summary>Stores queued forecast snapshots in batches, off the request path; drains the queue on a graceful stop.</summary>
public sealed class ForecastSnapshotWriter(ForecastSnapshotInbox inbox, ForecastSnapshotStore store, IDbContextFactory<StudyRecsDbContext> dbs, IOptions<MonitoringOptions> options, ILogger<ForecastSnapshotWriter> logger)
    : BatchWriter<ForecastSnapshot>(inbox, store, dbs, () => options.Value.SnapshotBatchSize, logger);

/// <summary>Keeps every forecast shown to a student or returned by the API for a student, for the feedback loop and drift.</summary>
public sealed class ForecastSnapshotRecorder(ForecastSnapshotInbox inbox, TimeProvider time)
{
    public const string Api = "api";
    public const string Portal = "portal";

    public ValueTask RecordAsync(string studentId, ForecastInput input, Forecast forecast, string source, CancellationToken cancellationToken) =>
        inbox.EnqueueAsync(Snapshot(studentId, input, forecast, source, time.GetUtcNow().UtcDateTime), cancellationToken);

    public static ForecastSnapshot Snapshot(string studentId, ForecastInput input, Forecast forecast, string source, DateTime atUtc) => new()
    {
        StudentId = studentId,
        Semester = forecast.Semester,
        Subject = forecast.Subject,
        RegressionVersion = forecast.RegressionVersion,
        ClassificationVersion = forecast.ClassificationVersion,
        PredictedMarks = forecast.PredictedMarks,
        IntervalLow = forecast.Interval.Low,
        IntervalHigh = forecast.Interval.High,
        IntervalLevel = forecast.Interval.Level,
        PredictedGrade = forecast.PredictedGrade,
        GradeProbabilitiesJson = JsonSerializer.Serialize(forecast.Probabilities.ToDictionary(p => p.Grade, p => p.Probability, StringComparer.Ordinal)),
        AssignmentMarks = input.AssignmentMarks,
        QuizMarks = input.QuizMarks,
        AttendancePercentage = input.AttendancePercentage,
        MidtermMarks = input.MidtermMarks,
        PreviousCgpa = input.PreviousCgpa,
        Source = source,
        AtUtc = atUtc,
    };
}
