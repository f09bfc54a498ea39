using System.Globalization;
using StudyRecs.Core.Monitoring;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Scheduling;

/// <summary>Something an admin should look at, in words, with the page where it is dealt with.</summary>
public sealed record AttentionItem(string Message, string Page);

/// <summary>
/// The admin dashboard's view of models and jobs: the version serving each task, the latest run of each kind of
/// training, and what needs attention (a stopped scheduler, paused jobs, a failed latest run, open monitoring alerts,
/// no grade model serving yet).
/// </summary>
public sealed record OperationsSummary(IReadOnlyList<TrainedModel> ActiveVersions, TrainingRun? LatestGradeRun, TrainingRun? LatestRecommenderRun,
    int OpenAlerts, IReadOnlyList<AttentionItem> NeedsAttention);

/// <summary>What the admin dashboard shows of models and jobs (<see cref="OperationsSummary"/>).</summary>
public sealed class OperationsOverview(ModelRegistry registry, JobsAdministration jobs, MonitoringAlerts alerts)
{
    private const int AlertsCounted = 100;

    public async Task<OperationsSummary> GetAsync(CancellationToken cancellationToken)
    {
        var active = await registry.ActiveAsync(cancellationToken);
        // The jobs overview already holds the latest run of each kind: no second query for them.
        var overview = await jobs.OverviewAsync(cancellationToken);
        var grades = overview.LastRun;
        var open = (await alerts.ListAsync(MonitoringAlertState.Open, AlertsCounted, cancellationToken)).Count;

        var attention = new List<AttentionItem>();
        if (!string.Equals(overview.SchedulerStatus, nameof(Quartz.SchedulerStatus.Running), StringComparison.Ordinal))
        {
            attention.Add(new("The job scheduler is not running on this node, so no training runs here.", "admin/jobs"));
        }

        foreach (var (card, name) in new[] { (overview.Training, "grade models'"), (overview.Recommender, "recommender's") }.Where(c => c.Item1.Paused))
        {
            attention.Add(new($"The {name} training job is paused; runs asked for meanwhile wait until it is resumed.", "admin/jobs"));
        }

        if (grades is { Status: TrainingRunStatus.Failed or TrainingRunStatus.Interrupted })
        {
            attention.Add(new($"The latest training of the grade models (run #{grades.Id}) {Ended(grades)}", "admin/jobs"));
        }

        if (overview.RecommenderOutcome is { Status: TrainingRunStatus.Failed or TrainingRunStatus.Interrupted } recommender)
        {
            attention.Add(new($"The latest training of the recommender (run #{recommender.Id}) {Ended(recommender)}", "admin/jobs"));
        }

        if (open > 0)
        {
            attention.Add(new(string.Create(CultureInfo.InvariantCulture, $"{(open == AlertsCounted ? $"{AlertsCounted} or more" : open.ToString("N0", CultureInfo.InvariantCulture))} monitoring alert{(open == 1 ? " is" : "s are")} open."), "monitoring"));
        }

        if (!active.Any(m => m.Task is ModelTask.Regression or ModelTask.Classification))
        {
            attention.Add(new("No grade model serves forecasts yet: students see none until a gradebook with final marks and grades is trained.", "datasets"));
        }

        return new OperationsSummary(active, grades, overview.RecommenderOutcome, open, attention);
    }

    private static string Ended(TrainingRun run) =>
        (run.Status == TrainingRunStatus.Failed ? "failed: " : "was interrupted: ") + (run.Error ?? "no reason was recorded.");
}
