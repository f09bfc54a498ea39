namespace StudyRecs.Learning.Data;

/// <summary>
/// The training matrix binned once: one byte per value, stored feature-major so histogram
/// construction scans one contiguous array per feature.
/// </summary>
internal sealed class BinnedDataset
{
    private BinnedDataset(FeatureBins[] bins, byte[][] columns, int rows)
    {
        Bins = bins;
        Columns = columns;
        Rows = rows;
        BinOffsets = new int[bins.Length + 1];
        for (var f = 0; f < bins.Length; f++)
        {
            BinOffsets[f + 1] = BinOffsets[f] + bins[f].TotalBinCount;
        }
    }

    public FeatureBins[] Bins { get; }

    /// <summary>Per feature, the bin of every row.</summary>
    public byte[][] Columns { get; }

    public int Rows { get; }

    public int FeatureCount => Bins.Length;

    /// <summary>Start of each feature's bins in a flat histogram; the last entry is the total.</summary>
    public int[] BinOffsets { get; }

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
        var columns = new byte[bins.Length][];
        for (var f = 0; f < columns.Length; f++)
        {
            columns[f] = new byte[rows];
        }

        // Blocks of rows read the row-major matrix once, writing each feature's bytes sequentially.
        const int block = 16_384;
        Parallel.For(0, (rows + block - 1) / block, parallel, b =>
        {
            var end = Math.Min(rows, (b + 1) * block);
            for (var r = b * block; r < end; r++)
            {
                var row = matrix.Row(r);
                for (var f = 0; f < width; f++)
                {
                    columns[f][r] = bins[f].BinOf(row[f]);
                }
            }
        });
        return new BinnedDataset(bins, columns, rows);
    }
}
