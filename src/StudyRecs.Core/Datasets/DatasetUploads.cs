using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Datasets;

/// <summary>An upload's import result and the training it queued, if any.</summary>
public sealed record DatasetUploadOutcome(DatasetImportResult Import, TrainingRun? QueuedRun);

/// <summary>
/// The upload use case of the portal page, the API and <c>studyrecs import</c>: imports the file, then queues a
/// training when the accepted data has grown enough. Without a scheduler registered (a CLI that cannot reach one)
/// nothing is queued.
/// </summary>
public sealed class DatasetUploads(DatasetImportService imports, TrainingDispatcher? training = null)
{
    /// <param name="triggeredBy">Who uploaded, as recorded on a queued training run.</param>
    public async Task<DatasetUploadOutcome> UploadAsync(DatasetUpload upload, string triggeredBy, CancellationToken cancellationToken)
    {
        var import = await imports.ImportAsync(upload, cancellationToken);
        var run = training is null ? null : await training.EnqueueIfTrainableAsync(import, triggeredBy, cancellationToken);
        return new DatasetUploadOutcome(import, run);
    }
}
