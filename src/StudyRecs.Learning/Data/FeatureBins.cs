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
    }

    /// <summary>Upper bound of each value bin; the last is +∞.</summary>
    public float[] UpperBounds { get; }

    /// <summary>Number of value bins (excluding the missing bin).</summary>
    public int ValueBinCount => UpperBounds.Length;

    /// <summary>Bins including the missing bin 0.</summary>
    public int TotalBinCount => UpperBounds.Length + 1;

    /// <summary>The bin of a raw value: 0 for NaN, otherwise 1..<see cref="ValueBinCount"/>.</summary>
    public byte BinOf(float value)
    {
        if (float.IsNaN(value))
        {
            return 0;
        }

        // Branch-free lower bound: the first upper bound >= value (the last bound is +∞).
        var bounds = UpperBounds;
        var lo = 0;
        var n = bounds.Length;
        while (n > 1)
        {
            var half = n >> 1;
            lo = bounds[lo + half] < value ? lo + half : lo;
            n -= half;
        }

        return (byte)(lo + (bounds[lo] < value ? 1 : 0) + 1);
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
        var rows = matrix.Rows;
        var stride = rows <= SampleSize ? 1 : (int)Math.Ceiling(rows / (double)SampleSize);
        var sample = new float[(rows + stride - 1) / stride];
        var count = 0;
        var values = matrix.Values;
        var columns = matrix.Columns;
        for (long r = 0; r < rows; r += stride)
        {
            var v = values[(r * columns) + column];
            if (!float.IsNaN(v))
            {
                sample[count++] = v;
            }
        }

        var sorted = sample.AsSpan(0, count);
        sorted.Sort();
        return new FeatureBins(BoundsFromSorted(sorted, maxBins));
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
