namespace StudyRecs.Core.Auditing;

/// <summary>
/// One administrative change that has no audit table of its own (model activations have
/// <see cref="Training.ModelActivationAudit"/>): who did what to which thing, when and why.
/// </summary>
public class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The user name (e-mail) of who acted, or the operator of a CLI command.</summary>
    public required string By { get; set; }

    /// <summary>What was done, one of <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }

    /// <summary>What it was done to, e.g. <c>dataset 12</c> or <c>regression model</c>.</summary>
    public required string Target { get; set; }

    /// <summary>What the actor said and what changed, in one or two sentences.</summary>
    public required string Details { get; set; }
}

/// <summary>The action names recorded in <see cref="AuditEntry.Action"/>.</summary>
public static class AuditActions
{
    public const string DatasetArchived = "dataset-archived";
    public const string DatasetRestored = "dataset-restored";
    public const string DatasetDeleted = "dataset-deleted";
    public const string ModelUnpinned = "model-unpinned";
}
