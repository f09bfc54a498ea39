namespace StudyRecs.Cli.Recommend;

/// <summary>
/// Streaming RFC 4180 reader for large interaction files: quoted fields may hold commas, doubled quotes and line
/// breaks; unquoted fields are returned as views into one reused buffer, so a row allocates nothing.
/// </summary>
internal sealed class CsvRecordReader
{
    private readonly TextReader _reader;
    private readonly List<(int Start, int Length)> _fields = [];
    private char[] _buffer = new char[256];
    private int _used;
    private long _linesConsumed;

    public CsvRecordReader(TextReader reader) => _reader = reader;

    /// <summary>1-based line number of the record last read (its first line).</summary>
    public long LineNumber { get; private set; }

    public int FieldCount => _fields.Count;

    public ReadOnlySpan<char> this[int field] => _buffer.AsSpan(_fields[field].Start, _fields[field].Length);

    /// <summary>Reads the next non-empty record; false at the end of the file.</summary>
    public bool Read()
    {
        while (true)
        {
            var line = _reader.ReadLine();
            if (line is null)
            {
                return false;
            }

            LineNumber = ++_linesConsumed;
            if (line.Length == 0)
            {
                continue;
            }

            _fields.Clear();
            _used = 0;
            Parse(line);
            return true;
        }
    }

    private void Parse(string line)
    {
        var pos = 0;
        while (true)
        {
            var start = _used;
            if (pos < line.Length && line[pos] == '"')
            {
                pos++;
                while (true)
                {
                    if (pos >= line.Length)
                    {
                        // The quoted field continues on the next line.
                        var next = _reader.ReadLine() ?? throw new InvalidDataException($"line {LineNumber}: a quoted field is not closed before the end of the file");
                        _linesConsumed++;
                        Append('\n');
                        line = next;
                        pos = 0;
                        continue;
                    }

                    var c = line[pos++];
                    if (c == '"')
                    {
                        if (pos < line.Length && line[pos] == '"')
                        {
                            Append('"');
                            pos++;
                            continue;
                        }

                        break;
                    }

                    Append(c);
                }

                // Anything between the closing quote and the delimiter is kept as written.
                while (pos < line.Length && line[pos] != ',')
                {
                    Append(line[pos++]);
                }
            }
            else
            {
                while (pos < line.Length && line[pos] != ',')
                {
                    Append(line[pos++]);
                }
            }

            _fields.Add((start, _used - start));
            if (pos >= line.Length)
            {
                return;
            }

            pos++;
        }
    }

    private void Append(char c)
    {
        if (_used == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        _buffer[_used++] = c;
    }
}
