using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

/// <summary>The portal process's memory right after a full, blocking collection.</summary>
internal sealed record MemorySample(long HeapBytes, long WorkingSetBytes)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"GC heap {HeapBytes / 1048576.0:F1} MB, working set {WorkingSetBytes / 1048576.0:F1} MB");
}

/// <summary>
/// Measures another .NET process (the portal) from outside, without any code in it: an EventPipe session with the
/// runtime's GCHeapCollect keyword makes the runtime run an induced, blocking gen-2 collection (what dotnet-gcdump
/// does); its GCHeapStats event gives the managed heap left after it, and /proc gives the working set (VmRSS) just after.
/// </summary>
internal static class PortalMemory
{
    public static async Task<MemorySample> CollectAsync(int pid)
    {
        // Twice: objects with finalizers (closed circuits' resources) survive the first collection and go in the second.
        await InduceAsync(pid);
        await Task.Delay(500);
        var heap = await InduceAsync(pid);
        return new MemorySample(heap, WorkingSet(pid));
    }

    private static async Task<long> InduceAsync(int pid)
    {
        var client = new DiagnosticsClient(pid);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = client.StartEventPipeSession(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords)], requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        var induced = false;
        var heap = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Clr.GCStart += e => induced |= e.Reason == Microsoft.Diagnostics.Tracing.Parsers.Clr.GCReason.Induced && e.Depth == 2;
        source.Clr.GCHeapStats += e =>
        {
            if (induced)
            {
                heap.TrySetResult(e.TotalHeapSize);
            }
        };
        var reading = Task.Run(source.Process);
        var done = await Task.WhenAny(heap.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        await session.StopAsync(CancellationToken.None);
        await reading;
        if (done != heap.Task)
        {
            throw new InvalidOperationException($"process {pid} reported no induced collection within 60 s");
        }

        return await heap.Task;
    }

    private static long WorkingSet(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }
}
