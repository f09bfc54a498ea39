using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace StudyRecs.Core.Datasets.Reading;

/// <summary>What <see cref="CsvSniffer"/> found in the first bytes of a text file.</summary>
/// <param name="Encoding">Strict decoder: invalid bytes throw, so they are reported rather than turned into '?'.</param>
/// <param name="PreambleLength">Bytes of byte-order mark to skip.</param>
internal sealed record CsvLayout(Encoding Encoding, string EncodingName, int PreambleLength, char Delimiter);

/// <summary>Detects the text encoding and delimiter of a CSV file from its first bytes.</summary>
internal static class CsvSniffer
{
    private static readonly SearchValues<char> Delimiters = SearchValues.Create(",;\t");

    static CsvSniffer() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <param name="prefix">The first bytes of the file.</param>
    /// <param name="isWholeFile">True when <paramref name="prefix"/> is the entire file.</param>
    public static CsvLayout Detect(ReadOnlySpan<byte> prefix, bool isWholeFile)
    {
        var (encoding, name, preamble) = DetectEncoding(prefix, isWholeFile);
        var text = Decode(encoding, name, prefix[preamble..], isWholeFile);
        if (text.AsSpan().ContainsAnyExcept(AllowedText))
        {
            var bad = text.AsSpan().IndexOfAnyExcept(AllowedText);
            throw new DatasetFileException(DatasetRules.MalformedFile,
                $"The file contains binary data (control character U+{(int)text[bad]:X4}) and is not a CSV text file.");
        }

        return new CsvLayout(encoding, name, preamble, DetectDelimiter(text));
    }

    /// <summary>Printable text plus tab and line breaks: control characters mean binary content.</summary>
    private static readonly SearchValues<char> AllowedText = SearchValues.Create(
        "\t\n\r" + string.Concat(Enumerable.Range(0x20, 0xFFFF - 0x20 + 1).Where(c => c is not (>= 0x7F and <= 0x9F)).Select(c => (char)c)));

    private static (Encoding Encoding, string Name, int Preamble) DetectEncoding(ReadOnlySpan<byte> prefix, bool isWholeFile)
    {
        if (prefix is [0xEF, 0xBB, 0xBF, ..])
        {
            return (new UTF8Encoding(false, true), "utf-8 (with BOM)", 3);
        }

        if (prefix is [0xFF, 0xFE, 0x00, 0x00, ..] or [0x00, 0x00, 0xFE, 0xFF, ..])
        {
            throw new DatasetFileException(DatasetRules.InvalidEncoding, "UTF-32 text is not supported; save the file as CSV UTF-8.");
        }

        if (prefix is [0xFF, 0xFE, ..])
        {
            return (new UnicodeEncoding(false, false, true), "utf-16LE", 2);
        }

        if (prefix is [0xFE, 0xFF, ..])
        {
            return (new UnicodeEncoding(true, false, true), "utf-16BE", 2);
        }

        // UTF-16 without a byte-order mark: mostly-ASCII text has a zero in every other byte.
        var sample = prefix[..(Math.Min(prefix.Length, 4096) & ~1)];
        if (sample.Length >= 4)
        {
            int evenZeros = 0, oddZeros = 0;
            for (var i = 0; i < sample.Length; i += 2)
            {
                evenZeros += sample[i] == 0 ? 1 : 0;
                oddZeros += sample[i + 1] == 0 ? 1 : 0;
            }

            var pairs = sample.Length / 2;
            if (oddZeros > pairs * 0.6 && evenZeros < pairs * 0.1)
            {
                return (new UnicodeEncoding(false, false, true), "utf-16LE", 0);
            }

            if (evenZeros > pairs * 0.6 && oddZeros < pairs * 0.1)
            {
                return (new UnicodeEncoding(true, false, true), "utf-16BE", 0);
            }
        }

        if (prefix.Contains((byte)0))
        {
            throw new DatasetFileException(DatasetRules.MalformedFile, "The file contains binary data (NUL bytes) and is not a CSV text file.");
        }

        if (IsUtf8(prefix, isWholeFile))
        {
            return (new UTF8Encoding(false, true), "utf-8", 0);
        }

        var cp1252 = Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        return (cp1252, "windows-1252", 0);
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes, bool isWholeFile)
    {
        Span<char> scratch = stackalloc char[1024];
        while (true)
        {
            var status = Utf8.ToUtf16(bytes, scratch, out var read, out _, replaceInvalidSequences: false, isFinalBlock: isWholeFile);
            bytes = bytes[read..];
            switch (status)
            {
                case System.Buffers.OperationStatus.Done:
                    return true;
                case System.Buffers.OperationStatus.NeedMoreData:
                    // The sample ends inside a character: fine, the rest of the file continues it.
                    return bytes.Length < 4;
                case System.Buffers.OperationStatus.InvalidData:
                    return false;
                default:
                    continue;
            }
        }
    }

    private static string Decode(Encoding encoding, string name, ReadOnlySpan<byte> bytes, bool isWholeFile)
    {
        var decoder = encoding.GetDecoder();
        var chars = new char[encoding.GetMaxCharCount(bytes.Length)];
        try
        {
            var count = decoder.GetChars(bytes, chars, flush: isWholeFile);
            return new string(chars, 0, count);
        }
        catch (DecoderFallbackException)
        {
            throw new DatasetFileException(DatasetRules.InvalidEncoding,
                $"The file is not valid {name} text (invalid bytes near the start). Save it again as CSV UTF-8 and upload it again.");
        }
    }

    /// <summary>The most frequent of , ; and tab in the header line (outside quotes); comma when there is none.</summary>
    private static char DetectDelimiter(string text)
    {
        int commas = 0, semicolons = 0, tabs = 0;
        var inQuotes = false;
        var seenContent = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes)
            {
                if (c is '\r' or '\n')
                {
                    if (seenContent)
                    {
                        break;
                    }

                    continue;
                }

                if (Delimiters.Contains(c))
                {
                    commas += c == ',' ? 1 : 0;
                    semicolons += c == ';' ? 1 : 0;
                    tabs += c == '\t' ? 1 : 0;
                }
            }

            seenContent = true;
        }

        if (tabs > commas && tabs >= semicolons)
        {
            return '\t';
        }

        return semicolons > commas ? ';' : ',';
    }
}
