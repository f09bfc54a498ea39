using System.Diagnostics;
using System.Globalization;

/// <summary>Measurements shared by the recommender benchmarks.</summary>
internal static class BenchMeasure
{
    /// <summary>The value at quantile <paramref name="p"/> of sorted values (nearest rank).</summary>
    public static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>The fastest of <paramref name="runs"/> runs in milliseconds: a preemption by another process is not the query's cost.</summary>
    public static double Fastest(Action query, int runs = 5)
    {
        var best = double.MaxValue;
        for (var r = 0; r < runs; r++)
        {
            var start = Stopwatch.GetTimestamp();
            query();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return best;
    }

    /// <summary>The process's peak resident set (VmHWM) in MB, or its current working set where /proc is missing.</summary>
    public static long PeakMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return Environment.WorkingSet / (1024 * 1024);
    }
}
