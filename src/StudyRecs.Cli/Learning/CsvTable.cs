using System.Globalization;
using System.Text;

namespace StudyRecs.Cli.Learning;

/// <summary>
/// A CSV file read for learning: a header, then one value per column and row. Cells are parsed
/// as numbers straight from UTF-8 bytes, in parallel over blocks of lines; columns with any
/// non-numeric cell also keep their text so they can be one-hot encoded. Empty cells are missing
/// (NaN). The delimiter (comma, semicolon or tab) is taken from the header; quoted fields with
/// doubled quotes are understood.
/// </summary>
internal sealed class CsvTable
{
    private readonly byte[] _bytes;
    private readonly int[] _rowBounds;
    private readonly byte _delimiter;

    private CsvTable(byte[] bytes, int[] rowBounds, byte delimiter, string[] header, float[][] numbers, bool[] numeric)
    {
        _bytes = bytes;
        _rowBounds = rowBounds;
        _delimiter = delimiter;
        Header = header;
        Numbers = numbers;
        IsNumeric = numeric;
    }

    public string[] Header { get; }

    /// <summary>Per column, the numeric value of each row (NaN for empty or non-numeric cells).</summary>
    public float[][] Numbers { get; }

    /// <summary>Per column, whether every non-empty cell is a number.</summary>
    public bool[] IsNumeric { get; }

    public int Rows => _rowBounds.Length / 2;

    public static CsvTable Read(string path, int threads)
    {
        if (!File.Exists(path))
        {
            throw new LearnInputException($"Data file not found: {path}");
        }

        var bytes = File.ReadAllBytes(path);
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var lines = LineStarts(bytes, start);
        if (lines.Count < 2 || IsBlank(bytes, lines[0], lines[1]))
        {
            throw new LearnInputException($"{path} is empty: a header line and data rows are needed.");
        }

        var headerBytes = Trim(bytes.AsSpan(lines[0], lines[1] - lines[0]));
        var delimiter = Sniff(headerBytes);
        var header = SplitText(headerBytes, delimiter).Select(h => h.Trim()).ToArray();
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new LearnInputException($"{path}: column '{duplicate.Key}' appears more than once in the header.");
        }

        // Data lines: everything after the header, blank trailing lines dropped.
        var dataStarts = new List<int>(lines.Count);
        for (var i = 1; i < lines.Count - 1; i++)
        {
            if (!IsBlank(bytes, lines[i], lines[i + 1]))
            {
                dataStarts.Add(lines[i]);
                dataStarts.Add(lines[i + 1]);
            }
        }

        if (dataStarts.Count == 0)
        {
            throw new LearnInputException($"{path} has a header but no data rows.");
        }

        // Pairs (start, end) flattened: row r spans [starts[2r], starts[2r+1]).
        var rowBounds = dataStarts.ToArray();
        var rows = rowBounds.Length / 2;
        var columns = header.Length;
        var numbers = new float[columns][];
        for (var c = 0; c < columns; c++)
        {
            numbers[c] = new float[rows];
        }

        var nonNumeric = new int[columns];
        var badWidth = -1;
        const int block = 8192;
        Parallel.For(0, (rows + block - 1) / block, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
        {
            var fields = new (int Start, int Length, bool Quoted)[columns + 1];
            for (var r = b * block; r < Math.Min(rows, (b + 1) * block); r++)
            {
                var line = Trim(bytes.AsSpan(rowBounds[2 * r], rowBounds[(2 * r) + 1] - rowBounds[2 * r]));
                var count = Split(line, delimiter, fields);
                if (count != columns)
                {
                    Interlocked.CompareExchange(ref badWidth, r, -1);
                    continue;
                }

                for (var c = 0; c < columns; c++)
                {
                    var cell = Trim(line.Slice(fields[c].Start, fields[c].Length));
                    if (fields[c].Quoted && cell.Length >= 2)
                    {
                        cell = Trim(cell[1..^1]);
                    }

                    if (cell.IsEmpty)
                    {
                        numbers[c][r] = float.NaN;
                    }
                    else if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && !float.IsNaN(value))
                    {
                        numbers[c][r] = value;
                    }
                    else
                    {
                        numbers[c][r] = float.NaN;
                        nonNumeric[c] = 1;
                    }
                }
            }
        });

        if (badWidth >= 0)
        {
            throw new LearnInputException($"{path}: data row {badWidth + 1} does not have {columns} fields like the header.");
        }

        var table = new CsvTable(bytes, rowBounds, delimiter, header, numbers, nonNumeric.Select(n => n == 0).ToArray());
        return table;
    }

    /// <summary>The text of every cell of a column (empty string for empty cells).</summary>
    public string[] Text(int column)
    {
        var result = new string[Rows];
        var fields = new (int Start, int Length, bool Quoted)[Header.Length + 1];
        for (var r = 0; r < result.Length; r++)
        {
            var line = Trim(_bytes.AsSpan(_rowBounds[2 * r], _rowBounds[(2 * r) + 1] - _rowBounds[2 * r]));
            Split(line, _delimiter, fields);
            var f = fields[column];
            var cell = Trim(line.Slice(f.Start, f.Length));
            result[r] = f.Quoted && cell.Length >= 2 ? Encoding.UTF8.GetString(Trim(cell[1..^1])).Replace("\"\"", "\"", StringComparison.Ordinal) : Encoding.UTF8.GetString(cell);
        }

        return result;
    }

    private static List<int> LineStarts(byte[] bytes, int start)
    {
        var starts = new List<int>(Math.Max(16, bytes.Length / 64)) { start };
        var span = bytes.AsSpan();
        var quoted = span.IndexOf((byte)'"') >= 0;
        if (!quoted)
        {
            var position = start;
            while (true)
            {
                var next = span[position..].IndexOf((byte)'\n');
                if (next < 0)
                {
                    break;
                }

                position += next + 1;
                starts.Add(position);
            }
        }
        else
        {
            // Newlines inside quotes belong to the field.
            var inQuotes = false;
            for (var i = start; i < span.Length; i++)
            {
                if (span[i] == '"')
                {
                    inQuotes = !inQuotes;
                }
                else if (span[i] == '\n' && !inQuotes)
                {
                    starts.Add(i + 1);
                }
            }
        }

        if (starts[^1] != bytes.Length)
        {
            starts.Add(bytes.Length);
        }

        return starts;
    }

    private static bool IsBlank(byte[] bytes, int from, int to) => Trim(bytes.AsSpan(from, to - from)).IsEmpty;

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> span) => span.Trim(" \t\r\n"u8);

    private static byte Sniff(ReadOnlySpan<byte> header)
    {
        var best = (byte)',';
        var bestCount = header.Count((byte)',');
        foreach (var candidate in "\t;"u8)
        {
            var count = header.Count(candidate);
            if (count > bestCount)
            {
                best = candidate;
                bestCount = count;
            }
        }

        return best;
    }

    private static List<string> SplitText(ReadOnlySpan<byte> line, byte delimiter)
    {
        var fields = new (int Start, int Length, bool Quoted)[line.Count(delimiter) + 2];
        var count = Split(line, delimiter, fields);
        var result = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var cell = Trim(line.Slice(fields[i].Start, fields[i].Length));
            result.Add(Encoding.UTF8.GetString(fields[i].Quoted && cell.Length >= 2 ? cell[1..^1] : cell));
        }

        return result;
    }

    /// <summary>Splits a line into at most fields.Length fields; returns the field count (more than the buffer means too many).</summary>
    private static int Split(ReadOnlySpan<byte> line, byte delimiter, (int Start, int Length, bool Quoted)[] fields)
    {
        var count = 0;
        var position = 0;
        while (true)
        {
            var rest = line[position..];
            int length;
            var quoted = !Trim(rest).IsEmpty && Trim(rest)[0] == '"';
            if (quoted)
            {
                var open = rest.IndexOf((byte)'"');
                var i = open + 1;
                while (i < rest.Length)
                {
                    if (rest[i] == '"')
                    {
                        if (i + 1 < rest.Length && rest[i + 1] == '"')
                        {
                            i += 2;
                            continue;
                        }

                        break;
                    }

                    i++;
                }

                var after = rest[Math.Min(rest.Length, i + 1)..].IndexOf(delimiter);
                length = after < 0 ? rest.Length : i + 1 + after;
            }
            else
            {
                var next = rest.IndexOf(delimiter);
                length = next < 0 ? rest.Length : next;
            }

            if (count < fields.Length)
            {
                fields[count] = (position, length, quoted);
            }

            count++;
            position += length;
            if (position >= line.Length)
            {
                return count;
            }

            position++; // skip the delimiter
            if (position == line.Length)
            {
                if (count < fields.Length)
                {
                    fields[count] = (position, 0, false);
                }

                return count + 1;
            }
        }
    }
}
