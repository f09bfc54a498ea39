using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Monitoring;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Tests.Training;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Monitoring;

/// <summary>
/// Monitoring against a real database: a trained model, forecasts shown to students, the outcomes uploaded a day
/// later, drift of a shifted cohort, and auto-retrain through the training dispatcher (an in-memory scheduler that is
/// never started, so queued runs stay queued).
/// </summary>
public sealed class MonitoringLoopTests : IAsyncLifetime
{
    private readonly ServiceProvider _quartz = new ServiceCollection().AddLogging()
        .AddQuartz(q => q.ConfigureScheduler(o => o.InstanceName = "monitoring-test-" + Guid.NewGuid().ToString("N"))).BuildServiceProvider();
    private CoreTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync(minimumRows: 100, folds: 3, extra: new Dictionary<string, string?>
        {
            ["Training:Libraries:0"] = "studyrecs",
            ["Monitoring:FeedbackMargin"] = "0.2",
        });
        await _host.ImportGeneratedAsync(150, seed: 11);
        var outcome = await _host.TrainAsync();
        Assert.Equal(TrainingRunStatus.Succeeded, outcome.Run.Status);
    }

    public async Task DisposeAsync()
    {
        await (await _quartz.GetRequiredService<ISchedulerFactory>().GetScheduler()).Shutdown();
        await _quartz.DisposeAsync();
        await _host.DisposeAsync();
    }

    /// <summary>A service of the monitoring feature whose alerts can queue trainings through the test's scheduler.</summary>
    private T Monitoring<T>(IServiceProvider sp)
        where T : notnull
    {
        var dispatcher = new TrainingDispatcher(_quartz.GetRequiredService<ISchedulerFactory>(), sp.GetRequiredService<TrainingPipeline>(),
            sp.GetRequiredService<IDbContextFactory<StudyRecsDbContext>>(), sp.GetRequiredService<IOptions<DatasetOptions>>(), sp.GetRequiredService<TimeProvider>());
        var alerts = ActivatorUtilities.CreateInstance<MonitoringAlerts>(sp, dispatcher);
        return ActivatorUtilities.CreateInstance<T>(sp, alerts);
    }

    private static string Csv(IEnumerable<object?[]> rows)
    {
        var text = new StringBuilder(string.Join(',', GradebookColumns.CanonicalNames)).Append('\n');
        foreach (var row in rows)
        {
            text.Append(string.Join(',', row.Select(v => v switch
            {
                null => "",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                _ => v.ToString(),
            }))).Append('\n');
        }

        return text.ToString();
    }

    private async Task<UploadedDataset> ImportAsync(string csv, string name)
    {
        var result = await _host.WithScopeAsync(sp => sp.GetRequiredService<DatasetImportService>()
            .ImportAsync(new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(csv)), name, OnOverlap: Core.Datasets.OverlapPolicy.Replace), CancellationToken.None));
        Assert.True(result.IsAccepted, result.Report.Summary);
        return result.Dataset;
    }

    [Fact]
    public async Task Realised_metrics_match_a_hand_computation_and_a_worse_version_queues_one_training()
    {
        // A new class's current term, without results yet; every student opens their dashboard.
        var term = PerformanceDataGenerator.Rows(new PerformanceDataSpec(40, Semesters: 1, Seed: 12, FirstStudent: 2001)).ToList();
        var final = (int)GradebookColumn.FinalMarks;
        var grade = (int)GradebookColumn.FinalGrade;
        var actual = term.Where(r => r[final] is not null).ToDictionary(r => ((string)r[0]!, (string)r[(int)GradebookColumn.Subject]!), r => (double)r[final]!);
        await ImportAsync(Csv(term.Select(r => r.Select((v, i) => i == final || i == grade ? null : v).ToArray())), "term.csv");

        await _host.WithScopeAsync(async sp =>
        {
            var writer = sp.GetServices<IHostedService>().OfType<ForecastSnapshotWriter>().Single();
            await writer.StartAsync(CancellationToken.None);
            var students = sp.GetRequiredService<StudentForecasts>();
            foreach (var student in term.Select(r => (string)r[0]!).Distinct())
            {
                await students.OverviewAsync(student, CancellationToken.None);
                await students.OverviewAsync(student, CancellationToken.None); // seen twice, kept once
            }

            await writer.StopAsync(CancellationToken.None);
            return 0;
        });
        var snapshots = await _host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<ForecastSnapshot>().AsNoTracking().ToListAsync());
        Assert.Equal(term.Count, snapshots.Count);

        // A day later the results arrive, far below what the term's marks promised (a marking change).
        _host.Clock.Now = _host.Clock.Now.AddDays(1);
        var lowered = term.Select(r => r.Select((v, i) => i == final && v is double d ? Math.Max(0, d - 35) : i == grade ? null : v).ToArray()).ToList();
        await ImportAsync(Csv(lowered), "results.csv");

        var report = await _host.WithScopeAsync(sp => Monitoring<RealisedAccuracy>(sp).EvaluateAsync(new FeedbackCheckRequest(180, 30, AutoRetrain: true), CancellationToken.None));

        var matched = snapshots.Where(s => actual.ContainsKey((s.StudentId, s.Subject))).ToList();
        Assert.Equal(snapshots.Count, report.Snapshots);
        Assert.Equal(matched.Count, report.Matched);
        var errors = matched.Select(s => s.PredictedMarks - Math.Max(0, actual[(s.StudentId, s.Subject)] - 35)).ToArray();
        var regression = report.Versions.Single(v => v.Task == ModelTask.Regression);
        Assert.Equal(matched.Count, regression.Samples);
        Assert.Equal(Math.Sqrt(errors.Average(e => e * e)), regression.Realised.Rmse!.Value, 9);
        Assert.Equal(errors.Average(Math.Abs), regression.Realised.Mae!.Value, 9);
        var covered = matched.Count(s => Math.Max(0, actual[(s.StudentId, s.Subject)] - 35) is var m && m >= s.IntervalLow && m <= s.IntervalHigh);
        Assert.Equal((double)covered / matched.Count, regression.Realised.IntervalCoverage!.Value, 9);
        Assert.True(regression.WorseThanCv, $"realised RMSE {regression.Realised.Rmse} against CV {regression.Cv!.Rmse}");

        var scale = GradeScale.Default;
        var classification = report.Versions.Single(v => v.Task == ModelTask.Classification);
        var grades = matched.Select(s => (s, Actual: scale.GradeFor(Math.Max(0, actual[(s.StudentId, s.Subject)] - 35)))).ToArray();
        Assert.Equal(grades.Count(g => g.s.PredictedGrade == g.Actual) / (double)grades.Length, classification.Realised.Accuracy!.Value, 9);
        var classes = ModelMetricsJson.ReadClassification((await _host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>()
            .GetActiveAsync(ModelTask.Classification, CancellationToken.None)))!.MetricsJson)!.Classes.Count;
        var brier = grades.Average(g => JsonSerializer.Deserialize<Dictionary<string, double>>(g.s.GradeProbabilitiesJson)!
            .Sum(p => Math.Pow(p.Value - (p.Key == g.Actual ? 1 : 0), 2))) / classes;
        Assert.Equal(brier, classification.Realised.Brier!.Value, 9);

        // One training for the new alerts, with the trigger recorded; a second check finds them open and queues nothing.
        Assert.True(report.RetrainQueued);
        var again = await _host.WithScopeAsync(sp => Monitoring<RealisedAccuracy>(sp).EvaluateAsync(new FeedbackCheckRequest(180, 30, AutoRetrain: true), CancellationToken.None));
        Assert.False(again.RetrainQueued);
        var runs = await _host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<TrainingRun>().AsNoTracking().Where(r => r.Trigger == TrainingTrigger.Feedback).ToListAsync());
        Assert.Equal(report.TrainingRunId, Assert.Single(runs).Id);
        var alerts = await _host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<MonitoringAlert>().AsNoTracking().ToListAsync());
        Assert.Contains(alerts, a => a.Kind == MonitoringAlertKind.Feedback && a.Subject == "rmse" && a.State == MonitoringAlertState.Open && a.TrainingRunId == runs[0].Id);
    }

    [Fact]
    public async Task A_shifted_upload_flags_attendance_once_and_a_new_version_resolves_the_alert()
    {
        var few = await _host.WithScopeAsync(sp => Monitoring<DriftMonitor>(sp).CheckAsync(new DriftCheckRequest(30, 50_000, 0.25, AutoRetrain: true), CancellationToken.None));
        Assert.False(few.EnoughData);
        Assert.StartsWith("Not enough data", few.Message, StringComparison.Ordinal);
        Assert.False(few.Drifted);

        // Forty days on, only the new cohort is recent: its attendance is 25 points lower than the training cohort's.
        _host.Clock.Now = _host.Clock.Now.AddDays(40);
        var cohort = PerformanceDataGenerator.Rows(new PerformanceDataSpec(60, Seed: 13, FirstStudent: 3001))
            .Select(r => r.Select((v, i) => i == (int)GradebookColumn.AttendancePercentage && v is double a ? Math.Max(0, a - 25) : v).ToArray());
        await ImportAsync(Csv(cohort), "shifted.csv");

        var report = await _host.WithScopeAsync(sp => Monitoring<DriftMonitor>(sp).CheckAsync(new DriftCheckRequest(30, 50, 0.25, AutoRetrain: true), CancellationToken.None));
        Assert.True(report.EnoughData);
        Assert.Equal(ModelTask.Regression, report.Task);
        Assert.Equal(600, report.UploadedRows);
        Assert.Equal(600, report.Samples);
        Assert.Equal(["attendance_percentage"], report.Features.Where(f => f.Drifted).Select(f => f.Feature));
        Assert.True(report.RetrainQueued);

        var second = await _host.WithScopeAsync(sp => Monitoring<DriftMonitor>(sp).CheckAsync(new DriftCheckRequest(30, 50, 0.25, AutoRetrain: true), CancellationToken.None));
        Assert.True(second.Drifted);
        Assert.False(second.RetrainQueued);
        var drift = await _host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<TrainingRun>().AsNoTracking().CountAsync(r => r.Trigger == TrainingTrigger.Drift));
        Assert.Equal(1, drift);
        var history = await _host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<DriftMeasurement>().AsNoTracking().CountAsync(m => m.Feature == "attendance_percentage"));
        Assert.Equal(3, history);

        // The retraining's version replaces the alerted one: the alert is resolved by it.
        _host.Clock.Now = _host.Clock.Now.AddMinutes(5);
        var retrained = await _host.TrainAsync();
        var newVersion = retrained.Models.Single(m => m.Task == ModelTask.Regression);
        await _host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ActivateAsync(ModelTask.Regression, newVersion.Version, "test", "retrained after drift", CancellationToken.None));
        await _host.WithScopeAsync(sp => ActivatorUtilities.CreateInstance<MonitoringAlerts>(sp).ResolveSupersededAsync(CancellationToken.None));
        var alert = await _host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<MonitoringAlert>().AsNoTracking().SingleAsync());
        Assert.Equal(MonitoringAlertState.Resolved, alert.State);
        Assert.Equal(newVersion.Version, alert.ResolvedByVersion);
    }
}
