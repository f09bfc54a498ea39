using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Monitoring;

/// <summary>What a realised-accuracy check looks at, and whether a new alert queues a training.</summary>
public sealed record FeedbackCheckRequest(int LookbackDays, int MinSamples, bool AutoRetrain);

/// <summary>
/// Metrics of one model version, realised (forecasts against the outcomes uploaded later) or cross-validated.
/// Regression versions fill <see cref="Rmse"/>, <see cref="Mae"/> and <see cref="IntervalCoverage"/> (for CV: the
/// interval's nominal level); grade versions fill <see cref="Accuracy"/> and <see cref="Brier"/> (mean over grades
/// of the one-vs-rest Brier score, as in the version's metrics).
/// </summary>
public sealed record AccuracyMetrics(double? Rmse, double? Mae, double? IntervalCoverage, double? Accuracy, double? Brier);

/// <summary>One version's realised accuracy beside its cross-validated estimate.</summary>
/// <param name="EnoughData">At least the minimum of matched outcomes; otherwise nothing is judged.</param>
/// <param name="WorseThanCv">Realised error past the cross-validated estimate by more than the margin.</param>
public sealed record VersionAccuracy(string Version, ModelTask Task, bool IsActive, int Samples, bool EnoughData, AccuracyMetrics Realised, AccuracyMetrics? Cv, bool WorseThanCv);

public sealed record FeedbackReport(int Snapshots, int Matched, IReadOnlyList<VersionAccuracy> Versions, bool RetrainQueued, long? TrainingRunId);

/// <summary>
/// The feedback loop: forecast snapshots of the lookback window matched with the final results of later uploads
/// (same student, semester and subject; the newest dataset uploaded after the forecast wins), per model version
/// RMSE, MAE and interval coverage (marks) or accuracy and Brier score (grades), compared with the version's
/// cross-validated metrics. A version worse than its estimate beyond <see cref="MonitoringOptions.FeedbackMargin"/>
/// raises an alert, which with auto-retrain queues a training.
/// </summary>
public sealed class RealisedAccuracy(IDbContextFactory<StudyRecsDbContext> dbs, MonitoringAlerts alerts, IOptions<MonitoringOptions> options, IOptions<DatasetOptions> datasetOptions, TimeProvider time)
{
    /// <summary>A check with the configured settings (the monitoring job's).</summary>
    public Task<FeedbackReport> EvaluateAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        return EvaluateAsync(new FeedbackCheckRequest(o.FeedbackLookbackDays, o.FeedbackMinSamples, o.AutoRetrain), cancellationToken);
    }

    public async Task<FeedbackReport> EvaluateAsync(FeedbackCheckRequest request, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.LookbackDays, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MinSamples, 1);
        await alerts.ResolveSupersededAsync(cancellationToken);
        var scale = datasetOptions.Value.BuildGradeScale();
        var margin = options.Value.FeedbackMargin;
        var from = time.GetUtcNow().AddDays(-request.LookbackDays);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var fromUtc = from.UtcDateTime;
        var snapshots = await db.Set<ForecastSnapshot>().AsNoTracking().Where(s => s.AtUtc >= fromUtc)
            .Select(s => new Forecasted(s.StudentId, s.Semester, s.Subject, s.RegressionVersion, s.ClassificationVersion, s.PredictedMarks,
                s.IntervalLow, s.IntervalHigh, s.IntervalLevel, s.PredictedGrade, s.GradeProbabilitiesJson, s.AtUtc))
            .ToListAsync(cancellationToken);
        var outcomes = await OutcomesAsync(db, from, snapshots, cancellationToken);

        var regression = new Dictionary<string, List<(Forecasted Forecast, double Marks)>>(StringComparer.Ordinal);
        var classification = new Dictionary<string, List<(Forecasted Forecast, string Grade)>>(StringComparer.Ordinal);
        var matched = 0;
        foreach (var snapshot in snapshots)
        {
            if (!outcomes.TryGetValue((snapshot.StudentId, snapshot.Semester, snapshot.Subject), out var results))
            {
                continue;
            }

            // The newest outcome uploaded after the forecast was shown.
            var outcome = results.LastOrDefault(r => r.UploadedAt.UtcDateTime > snapshot.AtUtc);
            if (outcome is null)
            {
                continue;
            }

            matched++;
            if (outcome.Marks is { } marks)
            {
                Add(regression, snapshot.RegressionVersion, (snapshot, marks));
            }

            // The uploaded grade, or the band of the uploaded marks when the file gave marks only.
            var grade = (outcome.Grade is { } g ? scale.Normalize(g) : null) ?? (outcome.Marks is { } m ? scale.GradeFor(100 * m / datasetOptions.Value.FinalMarksMax) : null);
            if (grade is not null)
            {
                Add(classification, snapshot.ClassificationVersion, (snapshot, grade));
            }
        }

        var models = await db.Set<TrainedModel>().AsNoTracking().Where(m => m.Task == ModelTask.Regression || m.Task == ModelTask.Classification)
            .Select(m => new { m.Task, m.Version, m.IsActive, m.MetricsJson }).ToListAsync(cancellationToken);
        var versions = new List<VersionAccuracy>();
        foreach (var model in models.OrderBy(m => m.Task).ThenByDescending(m => m.Version, StringComparer.Ordinal))
        {
            if (model.Task == ModelTask.Regression && regression.TryGetValue(model.Version, out var marks))
            {
                var realised = RegressionMetrics(marks);
                var cv = ModelMetricsJson.ReadRegression(model.MetricsJson) is { } r ? new AccuracyMetrics(r.Rmse, r.Mae, marks[0].Forecast.IntervalLevel, null, null) : null;
                var enough = marks.Count >= request.MinSamples;
                versions.Add(new VersionAccuracy(model.Version, model.Task, model.IsActive, marks.Count, enough, realised, cv,
                    enough && cv?.Rmse is { } cvRmse && realised.Rmse > cvRmse * (1 + margin)));
            }
            else if (model.Task == ModelTask.Classification && classification.TryGetValue(model.Version, out var grades))
            {
                var report = ModelMetricsJson.ReadClassification(model.MetricsJson);
                var realised = ClassificationMetrics(grades, report?.Classes.Count ?? scale.Labels.Count);
                var cv = report is null ? null : new AccuracyMetrics(null, null, null, report.Accuracy, report.BrierMacro);
                var enough = grades.Count >= request.MinSamples;
                versions.Add(new VersionAccuracy(model.Version, model.Task, model.IsActive, grades.Count, enough, realised, cv,
                    enough && cv?.Accuracy is { } cvAccuracy && realised.Accuracy < cvAccuracy * (1 - margin)));
            }
        }

        var raised = await alerts.RaiseAsync(versions.Where(v => v.WorseThanCv).Select(v => v.Task == ModelTask.Regression
            ? new AlertCandidate(MonitoringAlertKind.Feedback, v.Task, v.Version, "rmse", v.Realised.Rmse!.Value, v.Cv!.Rmse!.Value * (1 + margin),
                string.Create(CultureInfo.InvariantCulture, $"Regression version {v.Version}: realised RMSE {v.Realised.Rmse:0.##} over {v.Samples} outcomes, cross-validated {v.Cv.Rmse:0.##} (margin {margin:P0})."))
            : new AlertCandidate(MonitoringAlertKind.Feedback, v.Task, v.Version, "accuracy", v.Realised.Accuracy!.Value, v.Cv!.Accuracy!.Value * (1 - margin),
                string.Create(CultureInfo.InvariantCulture, $"Classification version {v.Version}: realised accuracy {v.Realised.Accuracy:P1} over {v.Samples} outcomes, cross-validated {v.Cv.Accuracy:P1} (margin {margin:P0}).")))
            .ToArray(), request.AutoRetrain, TrainingTrigger.Feedback, cancellationToken);
        return new FeedbackReport(snapshots.Count, matched, versions, raised.QueuedRun is not null, raised.QueuedRun?.Id);
    }

    /// <summary>Labelled rows of accepted datasets uploaded since <paramref name="from"/> for the snapshots' students, by key, oldest upload first.</summary>
    private static async Task<Dictionary<(string, int, string), List<Outcome>>> OutcomesAsync(StudyRecsDbContext db, DateTimeOffset from, List<Forecasted> snapshots, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, int, string), List<Outcome>>();
        if (snapshots.Count == 0)
        {
            return result;
        }

        var datasets = (await db.Set<UploadedDataset>().AsNoTracking().Where(d => TrainingData.AcceptedStatuses.Contains(d.Status))
                .Select(d => new { d.Id, d.UploadedAt }).ToListAsync(cancellationToken))
            .Where(d => d.UploadedAt >= from).ToDictionary(d => d.Id, d => d.UploadedAt);
        if (datasets.Count == 0)
        {
            return result;
        }

        var ids = datasets.Keys.ToArray();
        var keys = snapshots.Select(s => (s.StudentId, s.Semester, s.Subject)).ToHashSet();
        var rows = db.Set<DatasetRow>().AsNoTracking().Where(r => ids.Contains(r.DatasetId) && (r.FinalMarks != null || r.FinalGrade != null))
            .Select(r => new { r.DatasetId, r.StudentId, r.Semester, r.Subject, r.FinalMarks, r.FinalGrade }).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var key = (row.StudentId, row.Semester, row.Subject);
            if (keys.Contains(key))
            {
                Add(result, key, new Outcome(datasets[row.DatasetId], row.FinalMarks, row.FinalGrade));
            }
        }

        foreach (var list in result.Values)
        {
            list.Sort((a, b) => a.UploadedAt.CompareTo(b.UploadedAt));
        }

        return result;
    }

    private static AccuracyMetrics RegressionMetrics(List<(Forecasted Forecast, double Marks)> pairs)
    {
        double squared = 0, absolute = 0;
        var covered = 0;
        foreach (var (forecast, marks) in pairs)
        {
            var error = forecast.PredictedMarks - marks;
            squared += error * error;
            absolute += Math.Abs(error);
            covered += marks >= forecast.IntervalLow && marks <= forecast.IntervalHigh ? 1 : 0;
        }

        return new AccuracyMetrics(Math.Sqrt(squared / pairs.Count), absolute / pairs.Count, (double)covered / pairs.Count, null, null);
    }

    /// <param name="classes">Grades the version knows: the Brier sum over the scale's grades is divided by this, as the CV metric is.</param>
    private static AccuracyMetrics ClassificationMetrics(List<(Forecasted Forecast, string Grade)> pairs, int classes)
    {
        var correct = 0;
        double brier = 0;
        foreach (var (forecast, grade) in pairs)
        {
            correct += forecast.PredictedGrade == grade ? 1 : 0;
            AddBrier(ref brier, forecast.GradeProbabilitiesJson, grade);
        }

        return new AccuracyMetrics(null, null, null, (double)correct / pairs.Count, brier / pairs.Count / Math.Max(1, classes));
    }

    /// <summary>
    /// Adds to <paramref name="brier"/>, in the stored grade → probability object's order, (p − y)² per grade (y = 1 for
    /// <paramref name="grade"/>), then 1 when the grade is not in it. Read straight from the JSON, without a dictionary
    /// and its keys per snapshot: the monitoring job reads a million of them in bench/monitoring.
    /// </summary>
    private static void AddBrier(ref double brier, string json, string grade)
    {
        var length = Encoding.UTF8.GetMaxByteCount(json.Length);
        var rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> buffer = rented is null ? stackalloc byte[1024] : rented;
            var reader = new Utf8JsonReader(buffer[..Encoding.UTF8.GetBytes(json, buffer)]);
            if (!reader.Read() || reader.TokenType == JsonTokenType.Null)
            {
                brier += 1;
                return;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("The grade probabilities are not a JSON object.");
            }

            var found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isGrade = reader.ValueTextEquals(grade);
                reader.Read();
                var p = reader.GetDouble();
                var y = isGrade ? 1.0 : 0.0;
                brier += (p - y) * (p - y);
                found |= isGrade;
            }

            if (!found)
            {
                brier += 1;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> groups, TKey key, TValue value)
        where TKey : notnull
    {
        if (!groups.TryGetValue(key, out var list))
        {
            groups[key] = list = [];
        }

        list.Add(value);
    }

    private sealed record Forecasted(string StudentId, int Semester, string Subject, string RegressionVersion, string ClassificationVersion, double PredictedMarks,
        double IntervalLow, double IntervalHigh, double IntervalLevel, string PredictedGrade, string GradeProbabilitiesJson, DateTime AtUtc);

    private sealed record Outcome(DateTimeOffset UploadedAt, double? Marks, string? Grade);
}
