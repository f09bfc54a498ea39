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

    /// <summary>The recommender's recurring schedule found new events.</summary>
    Schedule,
}

/// <summary>Which models a training run trains.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingRunKind>))]
public enum TrainingRunKind
{
    /// <summary>The grade models: final marks (regression) and final grade (classification), from the accepted datasets.</summary>
    Grades,

    /// <summary>The resource recommender, from the students' logged events.</summary>
    Recommendations,
}

/// <summary>
/// One execution of a training: the grade models' pipeline or the recommender's retraining (<see cref="Kind"/>).
/// Progress fields are saved as the run goes, so a page can follow "Cross-validating regression candidate 2 of 6".
/// </summary>
public class TrainingRun
{
    public long Id { get; set; }

    /// <summary>Which models the run trains; runs stored before recommender runs were recorded are grade runs.</summary>
    public TrainingRunKind Kind { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public TrainingRunStatus Status { get; set; }

    /// <summary>What the run is doing, in words.</summary>
    public string Step { get; set; } = "";

    /// <summary>Candidate being cross-validated (counted from 1 over both grade tasks) or recommender strategy being evaluated; 0 before the first.</summary>
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

    /// <summary>Process running it (<see cref="TrainingNode"/>: machine, process id and start); at start-up, running runs whose process is gone are interrupted.</summary>
    public string? Worker { get; set; }

    /// <summary>Last progress save; a running run silent for longer than <see cref="TrainingOptions.StaleRunMinutes"/> counts as interrupted.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }
}
