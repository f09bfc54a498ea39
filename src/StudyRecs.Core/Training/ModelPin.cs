namespace StudyRecs.Core.Training;

/// <summary>
/// A task whose active version was chosen by hand: trainings register their versions (with metrics) but do not
/// activate them while the pin stands. One row per pinned task; unpinning deletes it and is audited.
/// </summary>
public class ModelPin
{
    public ModelTask Task { get; set; }

    /// <summary>The version activated by hand.</summary>
    public required string Version { get; set; }

    public required string PinnedBy { get; set; }

    public DateTimeOffset PinnedAt { get; set; }

    /// <summary>The reason given for the activation.</summary>
    public required string Reason { get; set; }
}
