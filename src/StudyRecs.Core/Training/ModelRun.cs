namespace StudyRecs.Core.Training;

/// <summary>One candidate tried by a training run (the experiment log): its settings, cross-validated metrics and cost.</summary>
public class ModelRun
{
    public long Id { get; set; }

    public long TrainingRunId { get; set; }

    public ModelTask Task { get; set; }

    /// <summary>Short description, e.g. "gbdt leaves=20 lr=0.2 trees=100".</summary>
    public required string Candidate { get; set; }

    public required string Algorithm { get; set; }

    public required string SettingsJson { get; set; }

    /// <summary>Mean and spread over the folds per metric, as a JSON object of metric name to summary.</summary>
    public required string CvMetricsJson { get; set; }

    public double DurationSeconds { get; set; }

    /// <summary>Whether this candidate won and was refitted into the run's model.</summary>
    public bool Selected { get; set; }
}
