using System.Runtime.CompilerServices;

namespace StudyRecs.Learning.Data;

/// <summary>
/// The training matrix binned once: one byte per value, stored twice. Row-major (a row's bins
/// are <see cref="FeatureCount"/> consecutive bytes) for histogram construction, which visits
/// each of a leaf's rows once and reads all its bins from one cache line instead of one scattered
/// byte per feature and row (XGBoost's GHistIndexMatrix, LightGBM's row-wise mode); feature-major
/// for partitioning a leaf on one feature, which then reads one byte per row from a short array
/// instead of striding through the whole matrix.
/// </summary>
internal sealed class BinnedDataset
{
    private BinnedDataset(FeatureBins[] bins, byte[] rowBins, byte[][] columns, int rows)
    {
        Bins = bins;
        RowBins = rowBins;
        Columns = columns;
        Rows = rows;
        BinOffsets = new int[bins.Length + 1];
        for (var f = 0; f < bins.Length; f++)
        {
            BinOffsets[f + 1] = BinOffsets[f] + bins[f].TotalBinCount;
        }
    }

    public FeatureBins[] Bins { get; }

    /// <summary>Bin of row <c>r</c>, feature <c>f</c> at <c>r × FeatureCount + f</c>.</summary>
    public byte[] RowBins { get; }

    /// <summary>Per feature, the bin of every row.</summary>
    public byte[][] Columns { get; }

    public int Rows { get; }

    public int FeatureCount => Bins.Length;

    /// <summary>Start of each feature's bins in a flat histogram; the last entry is the total.</summary>
    public int[] BinOffsets { get; }

    /// <summary>Places bins on the matrix and bins every value.</summary>
    public static BinnedDataset Create(DenseMatrix matrix, int maxBins, ParallelOptions parallel)
    {
        // The sampled rows are read once, row by row, into one sample per feature (reading each
        // feature's sample down the row-major matrix would touch a new cache line per value).
        var width = matrix.Columns;
        var stride = FeatureBins.SampleStride(matrix.Rows);
        var sampled = (matrix.Rows + stride - 1) / stride;
        var samples = new float[width][];
        var counts = new int[width];
        for (var f = 0; f < width; f++)
        {
            samples[f] = new float[sampled];
        }

        GatherSample(matrix, stride, samples, counts);

        var bins = new FeatureBins[width];
        Parallel.For(0, width, parallel, f => bins[f] = FeatureBins.FromSample(samples[f].AsSpan(0, counts[f]), maxBins));
        return Apply(matrix, bins, parallel);
    }

    /// <summary>Bins a matrix with existing boundaries.</summary>
    public static BinnedDataset Apply(DenseMatrix matrix, FeatureBins[] bins, ParallelOptions parallel)
    {
        var rows = matrix.Rows;
        var width = matrix.Columns;
        var rowBins = new byte[(long)rows * width];
        var columns = new byte[width][];
        for (var f = 0; f < width; f++)
        {
            columns[f] = new byte[rows];
        }

        // Blocks of rows read the row-major matrix once, writing both layouts sequentially.
        const int block = 16_384;
        Parallel.For(0, (rows + block - 1) / block, parallel, b => ApplyRows(matrix, bins, rowBins, columns, b * block, Math.Min(rows, (b + 1) * block)));
        return new BinnedDataset(bins, rowBins, columns, rows);
    }

    /// <summary>Appends the non-missing values of rows 0, stride, 2 × stride... to each feature's sample.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherSample(DenseMatrix matrix, int stride, float[][] samples, int[] counts)
    {
        for (long r = 0; r < matrix.Rows; r += stride)
        {
            var row = matrix.Row((int)r);
            for (var f = 0; f < row.Length; f++)
            {
                if (!float.IsNaN(row[f]))
                {
                    samples[f][counts[f]++] = row[f];
                }
            }
        }
    }

    /// <summary>Bins rows [from, to), writing both layouts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyRows(DenseMatrix matrix, FeatureBins[] bins, byte[] rowBins, byte[][] columns, int from, int to)
    {
        var width = bins.Length;
        for (var r = from; r < to; r++)
        {
            var row = matrix.Row(r);
            var target = rowBins.AsSpan((int)((long)r * width), width);
            for (var f = 0; f < width; f++)
            {
                var bin = bins[f].BinOf(row[f]);
                target[f] = bin;
                columns[f][r] = bin;
            }
        }
    }
}
