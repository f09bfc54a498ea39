using System.Buffers;
using System.Text;

namespace StudyRecs.Core.Datasets.Reading;

/// <summary>
/// Streaming RFC 4180 reader: quoted fields with embedded delimiters, doubled quotes and line breaks; CRLF, LF or CR
/// line ends. Unquoted fields are scanned with vectorised searches; memory stays at one buffer whatever the file size.
/// </summary>
internal sealed class CsvTabularReader : ITabularReader
{
    /// <summary>Longest record accepted; a longer one is almost always an unclosed quote.</summary>
    public const int MaxRecordChars = 1 << 20;

    private readonly TextReader _reader;
    private readonly char _delimiter;
    private readonly string _encodingName;
    private readonly SearchValues<char> _stops;
    private readonly RecordBuffer _record = new();
    private char[] _buffer = new char[1 << 16];
    private int _pos;
    private int _len;
    private bool _eof;
    private long _line = 1;

    public CsvTabularReader(TextReader reader, char delimiter, string encodingName)
    {
        _reader = reader;
        _delimiter = delimiter;
        _encodingName = encodingName;
        _stops = SearchValues.Create([delimiter, '\r', '\n']);
    }

    public int FieldCount => _record.Count;

    public long RowNumber { get; private set; }

    public ReadOnlySpan<char> GetField(int index) => _record[index];

    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (TryParseRecord())
            {
                case ParseResult.Record:
                    return true;
                case ParseResult.End:
                    return false;
                default:
                    cancellationToken.ThrowIfCancellationRequested();
                    await FillAsync(cancellationToken);
                    break;
            }
        }
    }

    public void Dispose() => _reader.Dispose();

    private enum ParseResult
    {
        Record,
        NeedMore,
        End,
    }

    /// <summary>Parses one record from the buffer; state is only committed when the whole record is there.</summary>
    private ParseResult TryParseRecord()
    {
        var p = _pos;
        if (p == _len)
        {
            return _eof ? ParseResult.End : ParseResult.NeedMore;
        }

        _record.Clear();
        long lines = 0;
        while (true)
        {
            _record.BeginField();
            if (_buffer[p] == '"')
            {
                p++;
                while (true)
                {
                    var rest = _buffer.AsSpan(p, _len - p);
                    var quote = rest.IndexOf('"');
                    if (quote < 0)
                    {
                        if (_eof)
                        {
                            throw new DatasetFileException(DatasetRules.MalformedFile,
                                $"A quoted field starting on line {_line + lines} is never closed (missing '\"').", _line);
                        }

                        return ParseResult.NeedMore;
                    }

                    lines += rest[..quote].Count('\n');
                    _record.Append(rest[..quote]);
                    p += quote + 1;
                    if (p == _len)
                    {
                        if (!_eof)
                        {
                            return ParseResult.NeedMore;
                        }

                        break;
                    }

                    if (_buffer[p] != '"')
                    {
                        break;
                    }

                    _record.Append("\"");
                    p++;
                }

                if (p < _len && _buffer[p] != _delimiter && _buffer[p] != '\r' && _buffer[p] != '\n')
                {
                    throw new DatasetFileException(DatasetRules.MalformedFile,
                        $"Line {_line + lines}: unexpected text after a closing quote in field {_record.Count}; quotes inside a quoted field must be doubled (\"\").", _line);
                }
            }
            else
            {
                var rest = _buffer.AsSpan(p, _len - p);
                var stop = rest.IndexOfAny(_stops);
                if (stop < 0)
                {
                    if (!_eof)
                    {
                        return ParseResult.NeedMore;
                    }

                    _record.Append(rest);
                    p = _len;
                }
                else
                {
                    _record.Append(rest[..stop]);
                    p += stop;
                }
            }

            if (p == _len)
            {
                return Commit(p, lines);
            }

            var c = _buffer[p++];
            if (c == _delimiter)
            {
                if (p == _len && !_eof)
                {
                    return ParseResult.NeedMore;
                }

                if (p == _len)
                {
                    _record.BeginField();
                    return Commit(p, lines);
                }

                continue;
            }

            if (c == '\r')
            {
                if (p == _len && !_eof)
                {
                    return ParseResult.NeedMore;
                }

                if (p < _len && _buffer[p] == '\n')
                {
                    p++;
                }
            }

            return Commit(p, lines + 1);
        }
    }

    private ParseResult Commit(int position, long lines)
    {
        RowNumber = _line;
        _line += lines;
        _pos = position;
        return ParseResult.Record;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_eof)
        {
            return;
        }

        var pending = _len - _pos;
        if (_pos > 0)
        {
            Array.Copy(_buffer, _pos, _buffer, 0, pending);
            _pos = 0;
            _len = pending;
        }

        if (_len == _buffer.Length)
        {
            if (_buffer.Length >= MaxRecordChars)
            {
                throw new DatasetFileException(DatasetRules.MalformedFile,
                    $"The row starting on line {_line} is longer than {MaxRecordChars:N0} characters; the file may have an unclosed quote or is not a CSV file.", _line);
            }

            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read;
        try
        {
            read = await _reader.ReadAsync(_buffer.AsMemory(_len), cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            throw new DatasetFileException(DatasetRules.InvalidEncoding,
                $"The file is not valid {_encodingName} text (invalid bytes near line {_line}). Save it again as CSV UTF-8 and upload it again.", _line);
        }

        if (read == 0)
        {
            _eof = true;
        }

        _len += read;
    }
}
