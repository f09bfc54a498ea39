using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Monitoring;

// Times the daily monitoring job's work (the drift check, then the realised-accuracy evaluation, with the default
// Monitoring settings, as MonitoringJob runs them) on a database of `--rows` stored gradebook rows and as many forecast
// snapshots, after the same job on `--anchor-rows` (a tenth by default). A fixed CPU loop timed just before each job is
// the anchor: the machine is shared, so the job's time in CPU loops is the figure to compare between runs.
var rows = IntOption("--rows", 1_000_000);
var anchorRows = IntOption("--anchor-rows", Math.Max(1_000, rows / 10));
var postgres = Environment.GetEnvironmentVariable("STUDYRECS_BENCH_POSTGRES") is { Length: > 0 } server ? server : null;
var postgresDatabase = StringOption("--postgres-database", "srbench_monitoring");
var cancellation = CancellationToken.None;

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, server GC {GCSettings.IsServerGC}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; database {(postgres is null ? "SQLite" : "PostgreSQL " + postgresDatabase)}"));

using var memory = new MemoryPeak();
var (small, smallLoop) = await MeasureAsync(anchorRows);
var (large, largeLoop) = await MeasureAsync(rows);
var scaling = large / largeLoop / (small / smallLoop);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"job on {rows:N0}: {large.TotalSeconds:F2} s = {large / largeLoop:F1} CPU loops; on {anchorRows:N0}: {small.TotalSeconds:F2} s = {small / smallLoop:F1} CPU loops; {scaling:F2} x the work for {(double)rows / anchorRows:F0} x the data; budget 60 s: {(large.TotalSeconds <= 60 ? "met" : "NOT met")} ({large.TotalSeconds / 60:F2} of it)"));
return large.TotalSeconds <= 60 ? 0 : 1;

/// <returns>The job's wall time, and the CPU loop's, measured just before the job.</returns>
async Task<(TimeSpan Job, TimeSpan Loop)> MeasureAsync(int count)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"building a site with {count:N0} gradebook rows and {count:N0} forecast snapshots"));
    await using var site = await BenchSite.CreateAsync(count, postgres, postgresDatabase, Console.Out, cancellation);

    // The job starts in a long-running process whose setup garbage is long gone.
    GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    var loop = CpuLoop.Measure();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  anchor CPU loop    {loop.TotalSeconds,7:F2} s wall, just before the job"));
    memory.Reset();
    var startSet = memory.WorkingSetBytes;
    var startHeap = GC.GetTotalMemory(false);

    await using var scope = site.Services.CreateAsyncScope();
    var drift = scope.ServiceProvider.GetRequiredService<DriftMonitor>();
    var feedback = scope.ServiceProvider.GetRequiredService<RealisedAccuracy>();
    var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
    var paused = GC.GetTotalPauseDuration();
    var allocated = GC.GetTotalAllocatedBytes();
    var total = Stopwatch.StartNew();
    var (driftReport, driftTime, driftCpu) = await TimedAsync(() => drift.CheckAsync(cancellation));
    var (feedbackReport, feedbackTime, feedbackCpu) = await TimedAsync(() => feedback.EvaluateAsync(cancellation));
    total.Stop();
    memory.Sample();
    var gcPause = GC.GetTotalPauseDuration() - paused;
    var gcAllocated = GC.GetTotalAllocatedBytes() - allocated;

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  drift check        {driftTime.TotalSeconds,7:F2} s wall {driftCpu.TotalSeconds,7:F2} s CPU: {driftReport.Samples:N0} samples ({driftReport.UploadedRows:N0} uploaded rows, {driftReport.ForecastInputs:N0} forecast inputs) against {driftReport.Task} {driftReport.ModelVersion}; {driftReport.Message}"));
    foreach (var f in driftReport.Features)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    {f.Feature,-22} PSI {f.Psi,7:F4}  outside training range {f.OutOfRangeShare,6:P1}  {(f.Drifted ? "DRIFTED" : "")}"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    predicted grades   PSI {driftReport.PredictedGradePsi,7:F4}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  realised accuracy  {feedbackTime.TotalSeconds,7:F2} s wall {feedbackCpu.TotalSeconds,7:F2} s CPU: {feedbackReport.Snapshots:N0} snapshots, {feedbackReport.Matched:N0} matched with uploaded results"));
    foreach (var v in feedbackReport.Versions)
    {
        var r = v.Realised;
        var cv = v.Cv;
        Console.WriteLine(v.Task == StudyRecs.Core.Training.ModelTask.Regression
            ? string.Create(CultureInfo.InvariantCulture, $"    {v.Task} {v.Version}: {v.Samples:N0} outcomes, RMSE {r.Rmse:F2} (CV {cv?.Rmse:F2}), MAE {r.Mae:F2} (CV {cv?.Mae:F2}), interval coverage {r.IntervalCoverage:P1} (nominal {cv?.IntervalCoverage:P0}){(v.WorseThanCv ? ", WORSE THAN CV: alert" : "")}")
            : string.Create(CultureInfo.InvariantCulture, $"    {v.Task} {v.Version}: {v.Samples:N0} outcomes, accuracy {r.Accuracy:P1} (CV {cv?.Accuracy:P1}), Brier {r.Brier:F4} (CV {cv?.Brier:F4}){(v.WorseThanCv ? ", WORSE THAN CV: alert" : "")}"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  job total          {total.Elapsed.TotalSeconds,7:F2} s wall; working set {startSet / Mb:F0} MB at start, peak {memory.WorkingSetBytes / Mb:F0} MB; managed heap {startHeap / Mb:F0} MB at start, peak {memory.HeapBytes / Mb:F0} MB"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  garbage collector  {gcAllocated / Mb:F0} MB allocated; collections gen0/gen1/gen2 {GC.CollectionCount(0) - collections.Item1}/{GC.CollectionCount(1) - collections.Item2}/{GC.CollectionCount(2) - collections.Item3}, paused {gcPause.TotalSeconds:F2} s ({gcPause / total.Elapsed:P0} of the job)"));
    if (driftReport.Samples != 2L * count || feedbackReport.Snapshots != count)
    {
        throw new InvalidOperationException($"The job saw {driftReport.Samples} drift samples and {feedbackReport.Snapshots} snapshots; the site holds {count} rows and {count} snapshots.");
    }

    return (total.Elapsed, loop);
}

static async Task<(T Result, TimeSpan Wall, TimeSpan Cpu)> TimedAsync<T>(Func<Task<T>> work)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var stopwatch = Stopwatch.StartNew();
    var result = await work();
    stopwatch.Stop();
    return (result, stopwatch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
}

int IntOption(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string StringOption(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

internal static partial class Program
{
    private const double Mb = 1024.0 * 1024;
}

/// <summary>A fixed single-threaded CPU load (xorshift draws binned and summed with logarithms, as PSI does), the run's yardstick.</summary>
internal static class CpuLoop
{
    public static TimeSpan Measure()
    {
        var stopwatch = Stopwatch.StartNew();
        var bins = new long[16];
        var state = 88172645463325252UL;
        for (var i = 0; i < 200_000_000; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bins[(int)(state >> 60)]++;
        }

        var sum = bins.Sum(b => Math.Log(b));
        stopwatch.Stop();
        return sum > 0 ? stopwatch.Elapsed : throw new InvalidOperationException("The CPU loop's bins are empty.");
    }
}
