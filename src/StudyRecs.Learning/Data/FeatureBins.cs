using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StudyRecs.Learning.Data;

/// <summary>
/// Quantile bin boundaries of one feature. Bin 0 holds missing values (NaN); value bin
/// <c>b</c> (1-based) holds values <c>v</c> with <c>UpperBounds[b-2] &lt; v &lt;= UpperBounds[b-1]</c>.
/// The last upper bound is +∞, so every non-missing value has a bin.
/// </summary>
public sealed class FeatureBins
{
    /// <summary>Rows sampled to place the boundaries (as LightGBM's bin_construct_sample_cnt).</summary>
    internal const int SampleSize = 200_000;

    /// <summary>
    /// Quantile bins hold at least this many sampled values (LightGBM's min_data_in_bin): small
    /// data gets fewer, better-filled bins, which also keeps histogram scans short.
    /// </summary>
    internal const int MinimumExamplesPerBin = 3;

    /// <summary>Creates bins from increasing upper bounds ending with +∞.</summary>
    public FeatureBins(float[] upperBounds)
    {
        if (upperBounds.Length == 0 || upperBounds.Length > 255 || !float.IsPositiveInfinity(upperBounds[^1]))
        {
            throw new ArgumentException("Upper bounds must hold 1 to 255 increasing values ending with +∞.", nameof(upperBounds));
        }

        for (var i = 1; i < upperBounds.Length; i++)
        {
            if (!(upperBounds[i] > upperBounds[i - 1]))
            {
                throw new ArgumentException("Upper bounds must be strictly increasing.", nameof(upperBounds));
            }
        }

        UpperBounds = upperBounds;
        _searchBounds = new float[SearchBlock * SearchBlock];
        _searchBounds.AsSpan().Fill(float.PositiveInfinity);
        upperBounds.CopyTo(_searchBounds, 0);
        _searchPivots = new float[SearchBlock];
        for (var k = 0; k < SearchBlock; k++)
        {
            _searchPivots[k] = _searchBounds[(k * SearchBlock) + SearchBlock - 1];
        }
    }

    /// <summary>Bounds per block of the two-level search in <see cref="BinOf"/>: 16 × 16 covers 255 bounds.</summary>
    private const int SearchBlock = 16;

    /// <summary>The upper bounds padded with +∞ to 256.</summary>
    private readonly float[] _searchBounds;

    /// <summary>The last padded bound of each block of 16.</summary>
    private readonly float[] _searchPivots;

    /// <summary>Upper bound of each value bin; the last is +∞.</summary>
    public float[] UpperBounds { get; }

    /// <summary>Number of value bins (excluding the missing bin).</summary>
    public int ValueBinCount => UpperBounds.Length;

    /// <summary>Bins including the missing bin 0.</summary>
    public int TotalBinCount => UpperBounds.Length + 1;

    /// <summary>The bin of a raw value: 0 for NaN, otherwise 1..<see cref="ValueBinCount"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte BinOf(float value)
    {
        if (float.IsNaN(value))
        {
            return 0;
        }

        // The bin is 1 + the number of bounds below the value (bounds ascend): count the blocks of
        // 16 whose last bound is below it, then the bounds below it in the next block, with vector
        // compares and no branch to mispredict.
        var v = Vector256.Create(value);
        ref var pivots = ref MemoryMarshal.GetArrayDataReference(_searchPivots);
        var block = BelowCount(ref pivots, v);
        ref var bounds = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_searchBounds), block * SearchBlock);
        return (byte)((block * SearchBlock) + BelowCount(ref bounds, v) + 1);
    }

    /// <summary>How many of the 16 floats at <paramref name="first"/> are below the value in every lane of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BelowCount(ref float first, Vector256<float> v)
    {
        var low = Vector256.LessThan(Vector256.LoadUnsafe(ref first), v).ExtractMostSignificantBits();
        var high = Vector256.LessThan(Vector256.LoadUnsafe(ref first, 8), v).ExtractMostSignificantBits();
        return BitOperations.PopCount(low | (high << 8));
    }

    /// <summary>
    /// Places at most <paramref name="maxBins"/> value bins at quantiles of a column. Distinct values
    /// each get their own bin when there are few enough; boundaries sit half-way between neighbours.
    /// </summary>
    /// <param name="matrix">The data.</param>
    /// <param name="column">Which column.</param>
    /// <param name="maxBins">Maximum number of value bins, 2..255.</param>
    public static FeatureBins Fit(DenseMatrix matrix, int column, int maxBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBins, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBins, 255);
        var stride = SampleStride(matrix.Rows);
        var sample = new float[(matrix.Rows + stride - 1) / stride];
        var count = 0;
        var values = matrix.Values;
        var columns = matrix.Columns;
        for (long r = 0; r < matrix.Rows; r += stride)
        {
            var v = values[(r * columns) + column];
            if (!float.IsNaN(v))
            {
                sample[count++] = v;
            }
        }

        return FromSample(sample.AsSpan(0, count), maxBins);
    }

    /// <summary>Every how many rows one is sampled to place the boundaries (rows 0, stride, 2 × stride...).</summary>
    internal static int SampleStride(int rows) => rows <= SampleSize ? 1 : (int)Math.Ceiling(rows / (double)SampleSize);

    /// <summary>Bins from the non-missing sampled values of a column (sorted here, in place).</summary>
    internal static FeatureBins FromSample(Span<float> sample, int maxBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBins, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBins, 255);
        sample.Sort();
        return new FeatureBins(BoundsFromSorted(sample, maxBins));
    }

    private static float[] BoundsFromSorted(ReadOnlySpan<float> sorted, int maxBins)
    {
        var bounds = new List<float>(maxBins);
        if (sorted.IsEmpty)
        {
            bounds.Add(float.PositiveInfinity);
            return [.. bounds];
        }

        var distinct = 1;
        for (var i = 1; i < sorted.Length && distinct <= maxBins; i++)
        {
            if (sorted[i] != sorted[i - 1])
            {
                distinct++;
            }
        }

        if (distinct <= maxBins)
        {
            for (var i = 1; i < sorted.Length; i++)
            {
                if (sorted[i] != sorted[i - 1])
                {
                    bounds.Add(Midpoint(sorted[i - 1], sorted[i]));
                }
            }
        }
        else
        {
            maxBins = Math.Clamp(sorted.Length / MinimumExamplesPerBin, 2, maxBins);
            for (var q = 1; q < maxBins; q++)
            {
                var pos = (int)((long)q * sorted.Length / maxBins);
                if (pos <= 0 || sorted[pos] == sorted[pos - 1])
                {
                    // Heavy ties: cut after the run of equal values instead, if that stays inside.
                    var end = pos;
                    while (end < sorted.Length && end > 0 && sorted[end] == sorted[end - 1])
                    {
                        end++;
                    }

                    if (end <= 0 || end >= sorted.Length)
                    {
                        continue;
                    }

                    pos = end;
                }

                var bound = Midpoint(sorted[pos - 1], sorted[pos]);
                if (bounds.Count == 0 || bound > bounds[^1])
                {
                    bounds.Add(bound);
                }
            }
        }

        bounds.Add(float.PositiveInfinity);
        return [.. bounds];
    }

    /// <summary>A float strictly below <paramref name="high"/> and at least <paramref name="low"/>.</summary>
    private static float Midpoint(float low, float high)
    {
        var mid = (float)((low + (double)high) / 2);
        return mid >= high || float.IsInfinity(mid) ? low : mid;
    }
}
