using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Monitoring;

/// <summary>One drift check's PSI for a feature.</summary>
public sealed record DriftPoint(DateTime AtUtc, double Psi);

/// <summary>A feature of a serving version: its latest check and its PSI over time, oldest first.</summary>
public sealed record FeatureDriftHistory(string Feature, double LatestPsi, double LatestOutOfRangeShare, long LatestSamples, bool Drifted, IReadOnlyList<DriftPoint> Points);

/// <summary>The drift history of one serving version (no features when it was never checked).</summary>
public sealed record ServingVersionDrift(ModelTask Task, string Version, DateTime? LastCheckUtc, IReadOnlyList<FeatureDriftHistory> Features);

/// <summary>What the monitoring page shows: drift per serving version, the alerts, and why recent trainings ran.</summary>
public sealed record MonitoringSnapshot(
    double DriftThreshold,
    int HistoryDays,
    IReadOnlyList<ServingVersionDrift> Versions,
    IReadOnlyList<MonitoringAlert> Alerts,
    IReadOnlyList<TrainingRun> RecentTrainings);

/// <summary>Reads the stored results of the drift checks, alerts and training runs for the monitoring page (no checks run here).</summary>
public sealed class MonitoringOverview(IDbContextFactory<StudyRecsDbContext> dbs, MonitoringAlerts alerts, IOptions<MonitoringOptions> options, TimeProvider time)
{
    /// <summary>Most measurements read per page view: a daily check of a dozen features for a year stays far below it.</summary>
    private const int MaxMeasurements = 20_000;

    public async Task<MonitoringSnapshot> GetAsync(int historyDays, CancellationToken cancellationToken)
    {
        historyDays = Math.Clamp(historyDays, 1, 3650);
        var since = time.GetUtcNow().UtcDateTime.AddDays(-historyDays);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var serving = await db.Set<TrainedModel>().AsNoTracking()
            .Where(m => m.IsActive && (m.Task == ModelTask.Regression || m.Task == ModelTask.Classification))
            .OrderBy(m => m.Task == ModelTask.Regression ? 0 : 1).Select(m => new { m.Task, m.Version }).ToListAsync(cancellationToken);
        var versions = new List<ServingVersionDrift>();
        foreach (var model in serving)
        {
            var measurements = await db.Set<DriftMeasurement>().AsNoTracking()
                .Where(d => d.Task == model.Task && d.ModelVersion == model.Version && d.AtUtc >= since)
                .OrderByDescending(d => d.AtUtc).Take(MaxMeasurements).ToListAsync(cancellationToken);
            var features = measurements.GroupBy(d => d.Feature, StringComparer.Ordinal)
                .Select(g =>
                {
                    var latest = g.First();
                    return new FeatureDriftHistory(g.Key, latest.Psi, latest.OutOfRangeShare, latest.Samples, latest.Drifted,
                        [.. g.Reverse().Select(d => new DriftPoint(d.AtUtc, d.Psi))]);
                })
                .OrderByDescending(f => f.LatestPsi).ThenBy(f => f.Feature, StringComparer.Ordinal).ToList();
            versions.Add(new ServingVersionDrift(model.Task, model.Version, measurements.Count == 0 ? null : measurements[0].AtUtc, features));
        }

        var runs = await db.Set<TrainingRun>().AsNoTracking().Where(r => r.Kind == TrainingRunKind.Grades).OrderByDescending(r => r.Id).Take(20).ToListAsync(cancellationToken);
        return new MonitoringSnapshot(options.Value.DriftThreshold, historyDays, versions, await alerts.ListAsync(null, 100, cancellationToken), runs);
    }
}
