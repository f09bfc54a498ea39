using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Monitoring;

/// <summary>What a drift check compares, and whether a new alert queues a training.</summary>
public sealed record DriftCheckRequest(int LookbackDays, int MinSamples, double DriftThreshold, bool AutoRetrain);

/// <summary>
/// A drift check of the serving model version against what it was asked to score in the lookback window.
/// <see cref="EnoughData"/> false means "not enough data" (or no model to compare with): <see cref="Features"/> still
/// lists what was measured, but nothing is judged drifted.
/// </summary>
/// <param name="PredictedGradePsi">PSI of the grades forecast in the window against the training rows' grades; null without forecasts.</param>
public sealed record DriftReport(
    ModelTask? Task,
    string? ModelVersion,
    long Samples,
    long UploadedRows,
    long ForecastInputs,
    bool EnoughData,
    string Message,
    IReadOnlyList<FeatureDrift> Features,
    double? PredictedGradePsi,
    bool Drifted,
    bool RetrainQueued,
    long? TrainingRunId);

/// <summary>
/// Compares the serving version's training distributions with the rows of recent uploads (labelled or not) and the
/// inputs of recent forecast snapshots: PSI and out-of-range share per feature, each measurement kept for the
/// monitoring page's history, an alert per drifted feature (once per version), and with auto-retrain a training.
/// Samples are streamed and binned on the fly, never held in memory.
/// </summary>
public sealed class DriftMonitor(IDbContextFactory<StudyRecsDbContext> dbs, MonitoringAlerts alerts, IOptions<MonitoringOptions> options, TimeProvider time)
{
    /// <summary>A check with the configured settings (the monitoring job's).</summary>
    public Task<DriftReport> CheckAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        return CheckAsync(new DriftCheckRequest(o.LookbackDays, o.MinSamples, o.DriftThreshold, o.AutoRetrain), cancellationToken);
    }

    public async Task<DriftReport> CheckAsync(DriftCheckRequest request, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.LookbackDays, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MinSamples, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.DriftThreshold);
        await alerts.ResolveSupersededAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);

        // The regression version when one serves (both tasks of a run share their training rows), else the grade model.
        var serving = await db.Set<ModelTrainingProfile>().AsNoTracking()
            .Where(p => p.Model!.IsActive && (p.Model.Task == ModelTask.Regression || p.Model.Task == ModelTask.Classification))
            .OrderBy(p => p.Model!.Task == ModelTask.Regression ? 0 : 1)
            .Select(p => new { p.Model!.Task, p.Model.Version, p.ProfileJson, p.Model.MetricsJson })
            .FirstOrDefaultAsync(cancellationToken);
        if (serving is null)
        {
            return new DriftReport(null, null, 0, 0, 0, false, "No serving model version has a stored training distribution yet; train a model first.", [], null, false, false, null);
        }

        var profile = TrainingProfile.FromJson(serving.ProfileJson);
        var now = time.GetUtcNow();
        var from = now.AddDays(-request.LookbackDays);
        var counters = PopulationStability.Counters(profile);
        var uploaded = await AddUploadedRowsAsync(db, counters, from, cancellationToken);
        var (forecasts, grades) = await AddForecastInputsAsync(db, counters, from.UtcDateTime, cancellationToken);
        var samples = uploaded + forecasts;
        var enough = samples >= request.MinSamples;
        // Below the minimum the measurements are kept for the history, but nothing is called drifted.
        var features = counters.Select(c => c.Compare(request.DriftThreshold)).Select(d => enough ? d : d with { Drifted = false }).ToArray();
        var gradePsi = await PredictedGradeShiftAsync(db, grades, cancellationToken);

        foreach (var feature in features)
        {
            db.Add(new DriftMeasurement
            {
                AtUtc = now.UtcDateTime,
                Task = serving.Task,
                ModelVersion = serving.Version,
                Feature = feature.Feature,
                Psi = feature.Psi,
                OutOfRangeShare = feature.OutOfRangeShare,
                Samples = feature.Samples,
                Drifted = feature.Drifted,
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        if (!enough)
        {
            return new DriftReport(serving.Task, serving.Version, samples, uploaded, forecasts, false,
                string.Create(CultureInfo.InvariantCulture, $"Not enough data: {samples} sample(s) in the last {request.LookbackDays} day(s), {request.MinSamples} needed."),
                features, gradePsi, false, false, null);
        }

        var drifted = features.Where(f => f.Drifted).ToArray();
        var raised = await alerts.RaiseAsync(drifted.Select(f => new AlertCandidate(MonitoringAlertKind.Drift, serving.Task, serving.Version, f.Feature, f.Psi, request.DriftThreshold,
            string.Create(CultureInfo.InvariantCulture, $"{f.Feature} drifted from the training data of {serving.Task.ToString().ToLowerInvariant()} version {serving.Version}: PSI {f.Psi:0.###} (threshold {request.DriftThreshold:0.###}), {f.OutOfRangeShare:P1} outside the training range, {f.Samples} samples.")))
            .ToArray(), request.AutoRetrain, TrainingTrigger.Drift, cancellationToken);
        var message = drifted.Length == 0
            ? string.Create(CultureInfo.InvariantCulture, $"No drift: every feature's PSI is under {request.DriftThreshold:0.###} over {samples} samples.")
            : $"Drifted: {string.Join(", ", drifted.Select(f => f.Feature))}.";
        return new DriftReport(serving.Task, serving.Version, samples, uploaded, forecasts, true, message, features, gradePsi,
            drifted.Length > 0, raised.QueuedRun is not null, raised.QueuedRun?.Id);
    }

    /// <summary>Rows of accepted datasets uploaded since <paramref name="from"/>.</summary>
    private static async Task<long> AddUploadedRowsAsync(StudyRecsDbContext db, FeatureSampleCounts[] counters, DateTimeOffset from, CancellationToken cancellationToken)
    {
        // Datasets are few; their upload times are compared here, as DateTimeOffset comparisons do not translate on SQLite.
        var recent = (await db.Set<UploadedDataset>().AsNoTracking().Where(d => TrainingData.AcceptedStatuses.Contains(d.Status))
                .Select(d => new { d.Id, d.UploadedAt }).ToListAsync(cancellationToken))
            .Where(d => d.UploadedAt >= from).Select(d => d.Id).ToArray();
        if (recent.Length == 0)
        {
            return 0;
        }

        long count = 0;
        var rows = db.Set<DatasetRow>().AsNoTracking().Where(r => recent.Contains(r.DatasetId))
            .Select(r => new MonitoredInput(r.Subject, r.AssignmentMarks, r.QuizMarks, r.AttendancePercentage, r.MidtermMarks, r.PreviousCgpa))
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            PopulationStability.Add(counters, row);
            count++;
        }

        return count;
    }

    /// <summary>Inputs of forecast snapshots since <paramref name="fromUtc"/>, and how often each grade was forecast.</summary>
    private static async Task<(long Count, Dictionary<string, long> Grades)> AddForecastInputsAsync(StudyRecsDbContext db, FeatureSampleCounts[] counters, DateTime fromUtc, CancellationToken cancellationToken)
    {
        long count = 0;
        var grades = new Dictionary<string, long>(StringComparer.Ordinal);
        var snapshots = db.Set<ForecastSnapshot>().AsNoTracking().Where(s => s.AtUtc >= fromUtc)
            .Select(s => new { Input = new MonitoredInput(s.Subject, s.AssignmentMarks, s.QuizMarks, s.AttendancePercentage, s.MidtermMarks, s.PreviousCgpa), s.PredictedGrade })
            .AsAsyncEnumerable();
        await foreach (var snapshot in snapshots.WithCancellation(cancellationToken))
        {
            PopulationStability.Add(counters, snapshot.Input);
            grades[snapshot.PredictedGrade] = grades.GetValueOrDefault(snapshot.PredictedGrade) + 1;
            count++;
        }

        return (count, grades);
    }

    /// <summary>PSI of the forecast grades against the grade model's training class balance; null without either.</summary>
    private static async Task<double?> PredictedGradeShiftAsync(StudyRecsDbContext db, Dictionary<string, long> grades, CancellationToken cancellationToken)
    {
        var total = grades.Values.Sum();
        if (total == 0)
        {
            return null;
        }

        var metrics = await db.Set<TrainedModel>().AsNoTracking().Where(m => m.IsActive && m.Task == ModelTask.Classification)
            .Select(m => m.MetricsJson).FirstOrDefaultAsync(cancellationToken);
        if (metrics is null || ModelMetricsJson.ReadClassification(metrics) is not { } report || report.Balance.Counts.Count == 0)
        {
            return null;
        }

        var training = report.Balance.Counts;
        var rows = (double)training.Values.Sum();
        var labels = training.Keys.Union(grades.Keys, StringComparer.Ordinal).ToArray();
        return PopulationStability.Index(
            labels.Select(g => training.GetValueOrDefault(g) / rows).ToArray(),
            labels.Select(g => grades.GetValueOrDefault(g) / (double)total).ToArray());
    }
}
