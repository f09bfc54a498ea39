using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Quartz;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Scheduling;

/// <summary>
/// Trains the grade-forecast models. One at a time (the job disallows concurrent execution, across nodes too);
/// transient failures are retried with exponential back-off; a run cut off by a killed process is recovered by
/// the store and started again from scratch (the pipeline writes models in one transaction at the end).
/// </summary>
[RetryPolicy(3, "00:00:30", 2.0)]
public sealed class TrainModelsJob(TrainingPipeline pipeline, ModelRegistry registry, StudyRecsDbContext db, ILogger<TrainModelsJob> logger) : IJob
{
    public static readonly JobKey Key = new("train-models", "training");
    public const string RunIdKey = "runId";
    public const string NightlyKey = "nightly";

    /// <summary>Job data flag: train even when no data changed (the jobs page's Run now).</summary>
    public const string ForceKey = "force";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var data = context.MergedJobDataMap;
        long runId;
        if (data.TryGetValue(RunIdKey, out var raw) && long.TryParse(raw?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            var run = await registry.GetRunAsync(id, ct);
            var isRetry = context.Recovering || context.Trigger.RetryAttempt > 0;
            if (run is null || run.Status == TrainingRunStatus.Succeeded || (run.Status == TrainingRunStatus.Failed && !isRetry))
            {
                logger.LogInformation("Training run {RunId} is finished or gone; nothing to do.", id);
                return;
            }

            if (run.Status == TrainingRunStatus.Running && context.Recovering)
            {
                // The node that ran it died (that is what recovery means); its heartbeat may not be stale yet.
                await pipeline.MarkInterruptedRunsAsync(run.Id, ct);
            }

            // Queued as asked, or cut off by a stop (Interrupted), or failed transiently and retried: (re)run the same run.
            runId = (await pipeline.CreateRunAsync(new TrainingRequest(DatasetIds(run.DatasetIdsJson), run.TriggeredBy, run.Id), ct)).Id;
        }
        else
        {
            var forced = data.TryGetValue(ForceKey, out var f) && string.Equals(f?.ToString(), "true", StringComparison.OrdinalIgnoreCase);
            if (!forced && !await DataChangedSinceLastSuccessAsync(ct))
            {
                logger.LogInformation("Nightly retraining skipped: no data changed since the last successful run.");
                return;
            }

            runId = (await pipeline.CreateRunAsync(new TrainingRequest(null, forced ? "run now (jobs page)" : "nightly schedule"), ct)).Id;
        }

        var outcome = await pipeline.RunAsync(runId, ct);
        logger.LogInformation("Training run {RunId} finished: {Status}. {Summary}", runId, outcome.Run.Status, outcome.Run.ResultSummary ?? outcome.Run.Error);
    }

    /// <summary>True when an accepted dataset arrived after the last successful run started (or nothing was ever trained).</summary>
    private async Task<bool> DataChangedSinceLastSuccessAsync(CancellationToken ct)
    {
        var lastSuccess = await db.Set<TrainingRun>().AsNoTracking().Where(r => r.Status == TrainingRunStatus.Succeeded)
            .OrderByDescending(r => r.Id).Select(r => (DateTimeOffset?)r.StartedAt).FirstOrDefaultAsync(ct);
        if (lastSuccess is null)
        {
            return true;
        }

        // SQLite cannot compare DateTimeOffset in SQL; the list of upload times is small.
        var uploads = await db.Set<UploadedDataset>().AsNoTracking().Where(d => d.Status != DatasetStatus.Rejected && d.LabelledRows > 0)
            .Select(d => d.UploadedAt).ToListAsync(ct);
        return uploads.Any(at => at > lastSuccess);
    }

    private static List<long>? DatasetIds(string? json) =>
        string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<List<long>>(json);
}
