using System.Text;

namespace StudyRecs.Core.Datasets;

/// <summary>
/// Writes CSV that is safe to open in a spreadsheet: cells that a spreadsheet would run as a formula
/// (starting with = + - @, tab or carriage return) get a leading apostrophe, and fields are quoted per RFC 4180.
/// Use it for every CSV StudyRecs hands out (reports, exports).
/// </summary>
public static class SpreadsheetSafeCsv
{
    /// <summary>The cell text a spreadsheet will show as text, never evaluate.</summary>
    public static string Neutralize(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        return value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
    }

    /// <summary>One field, neutralised and quoted when it holds a delimiter, quote or line break.</summary>
    public static string Field(string? value)
    {
        var safe = Neutralize(value);
        return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }

    /// <summary>Writes one record (fields joined by commas, CRLF line end).</summary>
    public static void WriteRecord(TextWriter writer, params ReadOnlySpan<string?> fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            writer.Write(Field(fields[i]));
        }

        writer.Write("\r\n");
    }

    /// <summary>UTF-8 with a byte-order mark, so spreadsheet programs detect the encoding.</summary>
    public static Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
}
