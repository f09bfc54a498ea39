namespace StudyRecs.Learning.Data;

/// <summary>
/// A dense matrix of feature values stored row-major (row <c>r</c>, column <c>c</c> at
/// <c>Values[r * Columns + c]</c>). <see cref="float.NaN"/> marks a missing value.
/// </summary>
public sealed class DenseMatrix
{
    /// <summary>Wraps existing row-major values without copying them.</summary>
    /// <param name="values">Row-major values; length must be <paramref name="rows"/> × <paramref name="columns"/>.</param>
    /// <param name="rows">Number of rows (examples).</param>
    /// <param name="columns">Number of columns (features).</param>
    public DenseMatrix(float[] values, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (values.LongLength != (long)rows * columns)
        {
            throw new ArgumentException($"Expected {(long)rows * columns} values for {rows} rows × {columns} columns, got {values.LongLength}.", nameof(values));
        }

        Values = values;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Creates a zero-filled matrix.</summary>
    public DenseMatrix(int rows, int columns)
        : this(new float[(long)rows * columns], rows, columns)
    {
    }

    /// <summary>Row-major values.</summary>
    public float[] Values { get; }

    /// <summary>Number of rows (examples).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features).</summary>
    public int Columns { get; }

    /// <summary>Gets or sets one value.</summary>
    public float this[int row, int column]
    {
        get => Values[((long)row * Columns) + column];
        set => Values[((long)row * Columns) + column] = value;
    }

    /// <summary>The values of one row.</summary>
    public ReadOnlySpan<float> Row(int row) => Values.AsSpan((int)((long)row * Columns), Columns);

    /// <summary>Copies the given rows, in the given order, into a new matrix.</summary>
    public DenseMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        var result = new DenseMatrix(rows.Length, Columns);
        for (var i = 0; i < rows.Length; i++)
        {
            Row(rows[i]).CopyTo(result.Values.AsSpan(i * Columns, Columns));
        }

        return result;
    }
}
