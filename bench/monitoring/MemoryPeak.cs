using System.Diagnostics;

/// <summary>Samples the process's working set and managed heap every 100 ms and keeps the peaks since the last reset.</summary>
internal sealed class MemoryPeak : IDisposable
{
    private readonly Timer _timer;
    private long _workingSet;
    private long _heap;

    public MemoryPeak() => _timer = new Timer(_ => Sample(), null, 0, 100);

    public long WorkingSetBytes => Interlocked.Read(ref _workingSet);

    public long HeapBytes => Interlocked.Read(ref _heap);

    public void Reset()
    {
        Interlocked.Exchange(ref _workingSet, 0);
        Interlocked.Exchange(ref _heap, 0);
        Sample();
    }

    public void Sample()
    {
        using var self = Process.GetCurrentProcess();
        Raise(ref _workingSet, self.WorkingSet64);
        Raise(ref _heap, GC.GetTotalMemory(false));
    }

    public void Dispose() => _timer.Dispose();

    private static void Raise(ref long peak, long value)
    {
        var current = Interlocked.Read(ref peak);
        while (value > current && Interlocked.CompareExchange(ref peak, value, current) != current)
        {
            current = Interlocked.Read(ref peak);
        }
    }
}
