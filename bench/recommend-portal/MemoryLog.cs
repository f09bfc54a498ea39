using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

/// <summary>
/// Prints each message of the retraining with the process's memory: resident set now, the largest resident set sampled
/// (every 50 ms) since the previous message, and the managed heap after the last collection. Shows which step holds what.
/// </summary>
internal sealed class MemoryLog : ILoggerProvider, ILogger
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _sampler;
    private long _maxSinceLast;

    public MemoryLog() => _sampler = new Timer(_ => Sample(), null, 0, 50);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var now = Sample();
        var max = Interlocked.Exchange(ref _maxSinceLast, now);
        var heap = GC.GetGCMemoryInfo();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  [{_clock.Elapsed.TotalSeconds,6:F1} s] RSS {now,5:N0} MB (max since last {max,5:N0}), heap {heap.HeapSizeBytes >> 20,5:N0} MB, committed {heap.TotalCommittedBytes >> 20,5:N0} MB: {formatter(state, exception)}"));
    }

    public void Dispose() => _sampler.Dispose();

    private long Sample()
    {
        var rss = Environment.WorkingSet >> 20;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _maxSinceLast);
        }
        while (rss > seen && Interlocked.CompareExchange(ref _maxSinceLast, rss, seen) != seen);
        return rss;
    }
}
