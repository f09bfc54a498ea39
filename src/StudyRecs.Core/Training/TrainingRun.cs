using System.Text.Json.Serialization;

namespace StudyRecs.Core.Training;

[JsonConverter(typeof(JsonStringEnumConverter<TrainingRunStatus>))]
public enum TrainingRunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,

    /// <summary>The process stopped while the run was <see cref="Running"/>; nothing of it was stored.</summary>
    Interrupted,
}

/// <summary>What asked for a training run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingTrigger>))]
public enum TrainingTrigger
{
    /// <summary>A person: the portal's retrain button, the jobs page's Run now, <c>studyrecs train</c>.</summary>
    Manual,

    /// <summary>An accepted upload brought the labelled rows to the training minimum.</summary>
    Upload,

    /// <summary>The nightly retraining found changed data.</summary>
    Nightly,

    /// <summary>A drift alert with auto-retrain on.</summary>
    Drift,

    /// <summary>A realised-accuracy (feedback) alert with auto-retrain on.</summary>
    Feedback,
}

/// <summary>
/// One execution of the training pipeline. Progress fields are saved as the run goes, so a page can poll
/// "Cross-validating regression candidate 2 of 6".
/// </summary>
public class TrainingRun
{
    public long Id { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public TrainingRunStatus Status { get; set; }

    /// <summary>What the run is doing, in words.</summary>
    public string Step { get; set; } = "";

    /// <summary>Candidate being cross-validated, counted from 1 over both tasks; 0 before the first.</summary>
    public int CandidateIndex { get; set; }

    public int CandidateCount { get; set; }

    /// <summary>Requested dataset ids as a JSON array; null means every accepted dataset.</summary>
    public string? DatasetIdsJson { get; set; }

    /// <summary>Ids of the datasets the run actually loaded, as a JSON array (set once rows are loaded).</summary>
    public string? TrainingDatasetIdsJson { get; set; }

    /// <summary>"job" or the user who asked for the run.</summary>
    public required string TriggeredBy { get; set; }

    /// <summary>What kind of event asked for the run; runs stored before triggers were recorded read as <see cref="TrainingTrigger.Manual"/>.</summary>
    public TrainingTrigger Trigger { get; set; }

    public string? Error { get; set; }

    /// <summary>One line per task: winner, score, and whether it became active.</summary>
    public string? ResultSummary { get; set; }

    /// <summary>Machine running it; after a restart that machine's leftover running runs are interrupted.</summary>
    public string? Worker { get; set; }

    /// <summary>Last progress save; a running run silent for longer than <see cref="TrainingOptions.StaleRunMinutes"/> counts as interrupted.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }
}
