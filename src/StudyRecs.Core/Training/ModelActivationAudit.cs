namespace StudyRecs.Core.Training;

/// <summary>One change of a task's active model: who, when, from which version to which, and why.</summary>
public class ModelActivationAudit
{
    public long Id { get; set; }

    public ModelTask Task { get; set; }

    /// <summary>The version active before; null when the task had none.</summary>
    public string? FromVersion { get; set; }

    public required string ToVersion { get; set; }

    public required string By { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Reason { get; set; }
}
