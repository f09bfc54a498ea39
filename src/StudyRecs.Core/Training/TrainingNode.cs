using System.Diagnostics;
using System.Globalization;

namespace StudyRecs.Core.Training;

/// <summary>Whether the process that owns a running run is still there, as far as this process can tell.</summary>
public enum NodeLiveness
{
    /// <summary>The owner is another machine, another PID namespace, or a process this one may not inspect: only its heartbeat tells.</summary>
    Unknown,

    /// <summary>The owner's process runs on this machine (same process id, same start time).</summary>
    Alive,

    /// <summary>The owner was on this machine and its process is gone (or the id now belongs to a later process).</summary>
    Gone,
}

/// <summary>
/// Which process runs a training run: the machine name plus the process id, its start time (so a reused id is not
/// taken for the old process) and its PID namespace (containers sharing a host name do not see each other's
/// processes). Stored in <see cref="TrainingRun.Worker"/> as <c>machine/pid/start-unix-seconds/namespace</c>; a plain
/// machine name is the format of older versions.
/// </summary>
public sealed record TrainingNode(string Machine, int? ProcessId, long? StartedAtUnixSeconds, string? PidNamespace)
{
    private const char Separator = '/';

    /// <summary>Start times read twice for one process may differ by rounding; a later process with the same id starts later than this.</summary>
    private const long StartTolerance = 2;

    /// <summary>This process.</summary>
    public static TrainingNode Current { get; } = Describe(Environment.ProcessId);

    /// <summary>The node of a live process of this machine, or null when it does not exist (or may not be inspected).</summary>
    public static TrainingNode? Of(int processId)
    {
        try
        {
            return Describe(processId);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    private static TrainingNode Describe(int processId)
    {
        using var process = Process.GetProcessById(processId);
        return new TrainingNode(Environment.MachineName, processId, StartOf(process), NamespaceOf(processId));
    }

    private static long StartOf(Process process) => new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds();

    /// <summary>The PID namespace on Linux (<c>pid:[4026531836]</c> as its number); null elsewhere.</summary>
    private static string? NamespaceOf(int processId)
    {
        try
        {
            var target = new FileInfo($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/ns/pid").LinkTarget;
            return target is null ? null : new string(target.Where(char.IsAsciiDigit).ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The value for <see cref="TrainingRun.Worker"/>.</summary>
    public override string ToString() => ProcessId is null
        ? Machine
        : string.Create(CultureInfo.InvariantCulture, $"{Machine}{Separator}{ProcessId}{Separator}{StartedAtUnixSeconds}{Separator}{PidNamespace}");

    /// <summary>Reads <see cref="TrainingRun.Worker"/>: this format, or a plain machine name (older versions).</summary>
    public static TrainingNode Parse(string worker)
    {
        var parts = worker.Split(Separator);
        return parts.Length == 4
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var started)
            ? new TrainingNode(parts[0], pid, started, parts[3].Length == 0 ? null : parts[3])
            : new TrainingNode(worker, null, null, null);
    }

    /// <summary>
    /// Whether this node's process still runs, seen from this process: only a node of this machine in this PID namespace
    /// can be checked. A plain machine name of this machine (an older version's run) counts as gone: no process of this
    /// version wrote it.
    /// </summary>
    public NodeLiveness CheckFromHere()
    {
        var here = Current;
        if (!string.Equals(Machine, here.Machine, StringComparison.OrdinalIgnoreCase))
        {
            return NodeLiveness.Unknown;
        }

        if (ProcessId is not { } pid)
        {
            return NodeLiveness.Gone;
        }

        if (PidNamespace != here.PidNamespace)
        {
            return NodeLiveness.Unknown;
        }

        if (pid == here.ProcessId)
        {
            return Math.Abs(StartedAtUnixSeconds.GetValueOrDefault() - here.StartedAtUnixSeconds.GetValueOrDefault()) <= StartTolerance ? NodeLiveness.Alive : NodeLiveness.Gone;
        }

        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return NodeLiveness.Gone;
        }

        using (process)
        {
            try
            {
                if (process.HasExited)
                {
                    return NodeLiveness.Gone;
                }

                return Math.Abs(StartOf(process) - StartedAtUnixSeconds.GetValueOrDefault()) <= StartTolerance ? NodeLiveness.Alive : NodeLiveness.Gone;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // Another user's process, or it ended while being read: let the heartbeat decide.
                return NodeLiveness.Unknown;
            }
        }
    }
}
