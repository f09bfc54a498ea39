namespace StudyRecs.Core.Scheduling;

/// <summary>
/// The job store's tables are created by our own migrations (one per provider, <c>QuartzJobStore</c>, holding the
/// Quartz package's schema script frozen at the version they were written for). At run time the scheduler only
/// validates the schema; it never creates tables itself.
/// </summary>
public static class QuartzSchema
{
    /// <summary>Table prefix of the job store.</summary>
    public const string TablePrefix = "QRTZ_";
}
