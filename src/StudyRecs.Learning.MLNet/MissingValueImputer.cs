using StudyRecs.Learning.Data;

namespace StudyRecs.Learning.MLNet;

/// <summary>
/// Replaces missing cells before an ML.NET trainer, which silently drops every training row with a NaN feature
/// (FastTree), and adds one 0/1 indicator column per feature that had any missing cell in training, so "not known
/// yet" stays learnable. Filled value: the mean of the column's known training values (0 when none is known).
/// </summary>
internal sealed class MissingValueImputer
{
    public MissingValueImputer(float[] fillValues, int[] indicatorColumns)
    {
        FillValues = fillValues;
        IndicatorColumns = indicatorColumns;
    }

    /// <summary>Per input column, the value a missing cell becomes.</summary>
    public float[] FillValues { get; }

    /// <summary>Input columns that get a missing-indicator feature, in the order the indicators follow the inputs.</summary>
    public int[] IndicatorColumns { get; }

    public int InputCount => FillValues.Length;

    /// <summary>Columns the trainer sees: the inputs, then the indicators.</summary>
    public int OutputCount => FillValues.Length + IndicatorColumns.Length;

    public static MissingValueImputer Fit(DenseMatrix features)
    {
        var columns = features.Columns;
        var sums = new double[columns];
        var known = new long[columns];
        var missing = new bool[columns];
        for (var i = 0; i < features.Rows; i++)
        {
            var row = features.Row(i);
            for (var f = 0; f < columns; f++)
            {
                if (float.IsNaN(row[f]))
                {
                    missing[f] = true;
                }
                else
                {
                    sums[f] += row[f];
                    known[f]++;
                }
            }
        }

        var fill = new float[columns];
        for (var f = 0; f < columns; f++)
        {
            fill[f] = known[f] == 0 ? 0 : (float)(sums[f] / known[f]);
        }

        return new MissingValueImputer(fill, Enumerable.Range(0, columns).Where(f => missing[f]).ToArray());
    }

    /// <summary>Writes the trainer's view of <paramref name="row"/> into <paramref name="output"/> (length <see cref="OutputCount"/>).</summary>
    public void Transform(ReadOnlySpan<float> row, Span<float> output)
    {
        var inputs = FillValues.Length;
        for (var f = 0; f < inputs; f++)
        {
            output[f] = float.IsNaN(row[f]) ? FillValues[f] : row[f];
        }

        for (var j = 0; j < IndicatorColumns.Length; j++)
        {
            output[inputs + j] = float.IsNaN(row[IndicatorColumns[j]]) ? 1 : 0;
        }
    }

    /// <summary>Per trainer column, the input column it stands for (an indicator stands for the column it watches).</summary>
    public int[] SourceColumns() => [.. Enumerable.Range(0, FillValues.Length), .. IndicatorColumns];
}
