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

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var data = context.MergedJobDataMap;
        long runId;
        if (data.TryGetValue(RunIdKey, out var raw) && long.TryParse(raw?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            var run = await registry.GetRunAsync(id, ct);
            if (run is null || run.Status is TrainingRunStatus.Succeeded or TrainingRunStatus.Failed)
            {
                logger.LogInformation("Training run {RunId} is already finished or gone; nothing to do.", id);
                return;
            }

            runId = run.Status == TrainingRunStatus.Queued
                ? run.Id
                // Interrupted (killed process) or still marked Running after a recovery: start it again as a new run.
                : (await pipeline.CreateRunAsync(new TrainingRequest(DatasetIds(run.DatasetIdsJson), $"{run.TriggeredBy} (resumed after run {run.Id})"), ct)).Id;
        }
        else
        {
            var changed = await DataChangedSinceLastSuccessAsync(ct);
            if (!changed)
            {
                logger.LogInformation("Nightly retraining skipped: no data changed since the last successful run.");
                return;
            }

            runId = (await pipeline.CreateRunAsync(new TrainingRequest(null, "nightly schedule"), ct)).Id;
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
