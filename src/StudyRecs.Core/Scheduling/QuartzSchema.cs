using System.Reflection;
using System.Text;
using Quartz;

namespace StudyRecs.Core.Scheduling;

/// <summary>
/// The job store's tables, created by our own migrations (one per provider) from the idempotent schema script that ships
/// inside the Quartz package in use, so the tables always match the scheduler that reads them. At run time the
/// scheduler only validates the schema; it never creates tables itself.
/// </summary>
public static class QuartzSchema
{
    /// <summary>Table prefix of the job store.</summary>
    public const string TablePrefix = "QRTZ_";

    private const string StatementSeparator = "--;;";

    /// <summary>The CREATE statements for <paramref name="dialect"/> ("sqlite" or "postgres"), in order.</summary>
    public static IReadOnlyList<string> CreateStatements(string dialect)
    {
        var assembly = typeof(IScheduler).Assembly;
        var name = $"Quartz.Impl.AdoJobStore.Schema.create_{dialect}.sql";
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The Quartz package has no schema script '{name}'.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var script = reader.ReadToEnd().Replace("{0}", TablePrefix, StringComparison.Ordinal).Replace("{1}", TablePrefix, StringComparison.Ordinal);

        var statements = new List<string>();
        var current = new StringBuilder();
        foreach (var line in script.Split('\n'))
        {
            if (line.TrimEnd('\r') == StatementSeparator)
            {
                Add(statements, current);
                continue;
            }

            current.Append(line.TrimEnd('\r')).Append('\n');
        }

        Add(statements, current);
        return statements;
    }

    /// <summary>Drop statements for every job-store table, children first (for migration Down).</summary>
    public static IReadOnlyList<string> DropStatements() => [.. Tables.Select(t => $"DROP TABLE IF EXISTS {TablePrefix}{t};")];

    private static readonly string[] Tables =
    [
        "FIRED_TRIGGERS", "PAUSED_TRIGGER_GRPS", "PAUSED_JOB_GRPS", "SCHEDULER_STATE", "LOCKS", "SIMPROP_TRIGGERS", "SIMPLE_TRIGGERS",
        "CRON_TRIGGERS", "BLOB_TRIGGERS", "TRIGGERS", "JOB_STATUS", "EXECUTION_HISTORY", "MISFIRE_HISTORY", "JOB_DETAILS", "CALENDARS",
    ];

    private static void Add(List<string> statements, StringBuilder current)
    {
        // A chunk of nothing but comments (the script's header) is not a statement.
        var text = current.ToString();
        current.Clear();
        if (text.Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("--", StringComparison.Ordinal)))
        {
            statements.Add(text.Trim());
        }
    }
}
