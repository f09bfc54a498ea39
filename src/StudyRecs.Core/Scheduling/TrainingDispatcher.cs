using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Scheduling;

/// <summary>
/// Asks for a training: records a queued <see cref="TrainingRun"/> (so pages can show it at once) and fires
/// <see cref="TrainModelsJob"/> for it through the persistent store, which the portal's scheduler picks up, also when
/// the request comes from the CLI or from another node.
/// </summary>
public sealed class TrainingDispatcher(ISchedulerFactory schedulers, TrainingPipeline pipeline, IDbContextFactory<StudyRecsDbContext> dbs, IOptions<DatasetOptions> datasets, TimeProvider time)
{
    /// <summary>
    /// After an import: queues a training over all accepted data when the upload was accepted and the labelled rows of
    /// all accepted datasets together reach the training minimum. Returns the queued run, or null.
    /// </summary>
    public async Task<TrainingRun?> EnqueueIfTrainableAsync(DatasetImportResult import, string triggeredBy, CancellationToken cancellationToken)
    {
        if (!import.IsAccepted || import.Dataset.LabelledRows == 0)
        {
            return null;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var labelled = await db.Set<UploadedDataset>().Where(d => d.Status != DatasetStatus.Rejected && d.ArchivedAt == null).SumAsync(d => d.LabelledRows, cancellationToken);
        if (labelled < datasets.Value.MinimumLabelledRowsToTrain)
        {
            return null;
        }

        return await EnqueueAsync(new TrainingRequest(null, $"upload of dataset {import.Dataset.Id} by {triggeredBy}", Trigger: TrainingTrigger.Upload), cancellationToken);
    }

    public async Task<TrainingRun> EnqueueAsync(TrainingRequest request, CancellationToken cancellationToken)
    {
        var run = await pipeline.CreateRunAsync(request, cancellationToken);
        await MarkQueuedAsync(run.DatasetIdsJson is null ? null : JsonSerializer.Deserialize<long[]>(run.DatasetIdsJson), cancellationToken);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await RecurringJobs.EnsureJobAsync(scheduler, TrainModelsJob.Recurring, cancellationToken);
        var data = new JobDataMap { [TrainModelsJob.RunIdKey] = run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await JobControl.FireNowAsync(scheduler, TrainModelsJob.Key, data, cancellationToken);
        return run;
    }

    /// <summary>
    /// The datasets the run will train on (the requested ones, or every accepted one) show that a training waits for
    /// them; the pipeline moves them on to Training when the run starts. Datasets training in another run keep their status.
    /// </summary>
    private async Task MarkQueuedAsync(long[]? datasetIds, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var waiting = db.Set<UploadedDataset>().Where(d => d.ArchivedAt == null
            && (d.Status == DatasetStatus.Accepted || d.Status == DatasetStatus.Trained || d.Status == DatasetStatus.TrainingFailed));
        if (datasetIds is not null)
        {
            waiting = waiting.Where(d => datasetIds.Contains(d.Id));
        }

        var now = time.GetUtcNow();
        foreach (var dataset in await waiting.ToListAsync(cancellationToken))
        {
            dataset.SetStatus(DatasetStatus.QueuedForTraining, now);
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
