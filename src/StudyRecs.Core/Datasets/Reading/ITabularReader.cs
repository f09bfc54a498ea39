namespace StudyRecs.Core.Datasets.Reading;

/// <summary>Forward-only access to the records of a CSV file or worksheet.</summary>
/// <remarks>Structural problems surface as <see cref="DatasetFileException"/> from <see cref="ReadAsync"/>.</remarks>
internal interface ITabularReader : IDisposable
{
    /// <summary>Moves to the next record; false at the end of the data.</summary>
    ValueTask<bool> ReadAsync(CancellationToken cancellationToken);

    int FieldCount { get; }

    /// <summary>Row number where the current record starts (1 = first line or row).</summary>
    long RowNumber { get; }

    /// <summary>The cell text, unescaped and untrimmed; valid until the next <see cref="ReadAsync"/>.</summary>
    ReadOnlySpan<char> GetField(int index);
}

/// <summary>Cell texts of one record packed into one reusable character buffer.</summary>
internal sealed class RecordBuffer
{
    private char[] _chars = new char[1024];
    private int[] _starts = new int[32];
    private int[] _lengths = new int[32];
    private int _used;

    public int Count { get; private set; }

    public void Clear()
    {
        Count = 0;
        _used = 0;
    }

    /// <summary>Starts a new field; append its characters with <see cref="Append"/>.</summary>
    public void BeginField()
    {
        if (Count == _starts.Length)
        {
            Array.Resize(ref _starts, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
        }

        _starts[Count] = _used;
        _lengths[Count] = 0;
        Count++;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (_used + text.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + text.Length));
        }

        text.CopyTo(_chars.AsSpan(_used));
        _used += text.Length;
        _lengths[Count - 1] += text.Length;
    }

    public void AddField(ReadOnlySpan<char> text)
    {
        BeginField();
        Append(text);
    }

    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(_starts[index], _lengths[index]);
}
