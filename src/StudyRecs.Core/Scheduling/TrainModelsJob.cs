using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Scheduling;

/// <summary>
/// Trains the grade-forecast models. One at a time (the job disallows concurrent execution, across nodes too);
/// transient failures are retried with exponential back-off; a run cut off by a killed process is recovered by
/// the store and started again from scratch (the pipeline writes models in one transaction at the end).
/// </summary>
[RetryPolicy(3, "00:00:30", 2.0)]
public sealed class TrainModelsJob(TrainingPipeline pipeline, ModelRegistry registry, IDbContextFactory<StudyRecsDbContext> dbs, ILogger<TrainModelsJob> logger) : IJob
{
    public static readonly JobKey Key = new("train-models", "training");

    /// <summary>The grade models' training: durable and recovered after a crash, fired nightly (<c>Training:NightlyCron</c>) with the nightly flag.</summary>
    public static readonly RecurringJob Recurring = new(Key, typeof(TrainModelsJob), "Train grade-forecast models on the labelled rows of accepted datasets", true,
        new TriggerKey("nightly-retrain", "training"), "Retrain when data changed since the last run",
        sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TrainingOptions>>().Value.NightlyCron)
    {
        TriggerData = new Dictionary<string, string> { [NightlyKey] = "true" },
    };
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
            runId = (await pipeline.CreateRunAsync(new TrainingRequest(DatasetIds(run.DatasetIdsJson), run.TriggeredBy, run.Id, run.Trigger), ct)).Id;
        }
        else
        {
            var forced = data.TryGetValue(ForceKey, out var f) && string.Equals(f?.ToString(), "true", StringComparison.OrdinalIgnoreCase);
            if (!forced && !await DataChangedSinceLastTrainingAsync(ct))
            {
                logger.LogInformation("Nightly retraining skipped: the labelled data is the data the current models were trained on.");
                return;
            }

            runId = (await pipeline.CreateRunAsync(new TrainingRequest(null, forced ? "run now (jobs page)" : "nightly schedule", Trigger: forced ? TrainingTrigger.Manual : TrainingTrigger.Nightly), ct)).Id;
        }

        var outcome = await pipeline.RunAsync(runId, ct);
        logger.LogInformation("Training run {RunId} finished: {Status}. {Summary}", runId, outcome.Run.Status, outcome.Run.ResultSummary ?? outcome.Run.Error);
    }

    /// <summary>
    /// True when the labelled rows of the accepted datasets hash differently from the rows the newest grade model was
    /// trained on (or no grade model exists yet); false when there is nothing labelled to train on.
    /// </summary>
    private async Task<bool> DataChangedSinceLastTrainingAsync(CancellationToken ct)
    {
        var current = await pipeline.CurrentDataHashAsync(null, ct);
        if (current is null)
        {
            return false;
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var trained = await db.Set<TrainedModel>().AsNoTracking()
            .Where(m => m.Task == ModelTask.Regression || m.Task == ModelTask.Classification)
            .OrderByDescending(m => m.Id).Select(m => m.DataHash).FirstOrDefaultAsync(ct);
        return !string.Equals(trained, current, StringComparison.Ordinal);
    }

    private static List<long>? DatasetIds(string? json) =>
        string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<List<long>>(json);
}
