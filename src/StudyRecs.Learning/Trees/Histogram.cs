using System.Runtime.CompilerServices;

namespace StudyRecs.Learning.Trees;

/// <summary>
/// One leaf's histogram: every feature's bins, <see cref="SplitFinder.Slots"/> doubles each. The
/// buffer is pinned and the histogram starts on a 32-byte boundary, so every bin is one aligned
/// vector: a misaligned vector add would straddle two cache lines on every other bin.
/// </summary>
internal sealed class Histogram
{
    private const int Alignment = 32;

    private readonly double[] _buffer;
    private readonly int _start;

    public unsafe Histogram(int length)
    {
        _buffer = GC.AllocateArray<double>(length + (Alignment / sizeof(double)) - 1, pinned: true);
        var address = (nint)Unsafe.AsPointer(ref _buffer[0]);
        _start = (int)((Alignment - (address % Alignment)) % Alignment / sizeof(double));
        Length = length;
    }

    /// <summary>Doubles in the histogram.</summary>
    public int Length { get; }

    /// <summary>The histogram's values.</summary>
    public Span<double> Values => _buffer.AsSpan(_start, Length);
}
