namespace StudyRecs.Learning.Data;

/// <summary>
/// The training matrix binned once: one byte per value, stored row-major (a row's bins are
/// <see cref="FeatureCount"/> consecutive bytes). Histogram construction visits each of a leaf's
/// rows once and reads all its bins from one cache line, instead of one scattered byte per
/// feature and row (XGBoost's GHistIndexMatrix, LightGBM's row-wise mode).
/// </summary>
internal sealed class BinnedDataset
{
    private BinnedDataset(FeatureBins[] bins, byte[] rowBins, int rows)
    {
        Bins = bins;
        RowBins = rowBins;
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

    public int Rows { get; }

    public int FeatureCount => Bins.Length;

    /// <summary>Start of each feature's bins in a flat histogram; the last entry is the total.</summary>
    public int[] BinOffsets { get; }

    /// <summary>The bin of one value.</summary>
    public byte this[int row, int feature] => RowBins[((long)row * Bins.Length) + feature];

    /// <summary>Places bins on the matrix and bins every value.</summary>
    public static BinnedDataset Create(DenseMatrix matrix, int maxBins, ParallelOptions parallel)
    {
        var bins = new FeatureBins[matrix.Columns];
        Parallel.For(0, matrix.Columns, parallel, f => bins[f] = FeatureBins.Fit(matrix, f, maxBins));
        return Apply(matrix, bins, parallel);
    }

    /// <summary>Bins a matrix with existing boundaries.</summary>
    public static BinnedDataset Apply(DenseMatrix matrix, FeatureBins[] bins, ParallelOptions parallel)
    {
        var rows = matrix.Rows;
        var width = matrix.Columns;
        var rowBins = new byte[(long)rows * width];

        // Row-major in, row-major out: blocks of rows are read and written sequentially.
        const int block = 16_384;
        Parallel.For(0, (rows + block - 1) / block, parallel, b =>
        {
            var end = Math.Min(rows, (b + 1) * block);
            for (var r = b * block; r < end; r++)
            {
                var row = matrix.Row(r);
                var target = rowBins.AsSpan((int)((long)r * width), width);
                for (var f = 0; f < width; f++)
                {
                    target[f] = bins[f].BinOf(row[f]);
                }
            }
        });
        return new BinnedDataset(bins, rowBins, rows);
    }
}
