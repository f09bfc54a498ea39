using System.Globalization;
using System.IO.Compression;
using System.Text;
using ExcelDataReader;

namespace StudyRecs.Core.Datasets.Reading;

/// <summary>Reads one worksheet of an .xlsx or .xls workbook through ExcelDataReader's forward-only reader.</summary>
internal sealed class ExcelTabularReader : ITabularReader
{
    private readonly IExcelDataReader _reader;
    private readonly RecordBuffer _record = new();
    private readonly char[] _number = new char[64];

    static ExcelTabularReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private ExcelTabularReader(IExcelDataReader reader, string sheet)
    {
        _reader = reader;
        SheetName = sheet;
    }

    public string SheetName { get; }

    public int FieldCount => _record.Count;

    public long RowNumber { get; private set; }

    public ReadOnlySpan<char> GetField(int index) => _record[index];

    /// <summary>Opens <paramref name="sheet"/> (or the first sheet) of a seekable workbook stream.</summary>
    public static ExcelTabularReader Open(Stream workbook, DatasetFormat format, string? sheet)
    {
        IExcelDataReader? reader = null;
        try
        {
            var config = new ExcelReaderConfiguration { LeaveOpen = true, FallbackEncoding = Encoding.GetEncoding(1252) };
            reader = format == DatasetFormat.Xlsx
                ? ExcelReaderFactory.CreateOpenXmlReader(workbook, config)
                : ExcelReaderFactory.CreateBinaryReader(workbook, config);

            var names = new List<string>();
            do
            {
                var name = reader.Name ?? $"Sheet{names.Count + 1}";
                if (sheet is null || string.Equals(name.Trim(), sheet.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    var opened = new ExcelTabularReader(reader, name);
                    reader = null;
                    return opened;
                }

                names.Add(name);
            }
            while (reader.NextResult());

            throw new DatasetFileException(DatasetRules.SheetNotFound, names.Count == 0
                ? "The workbook has no worksheets."
                : $"The workbook has no sheet named '{sheet}'. Its sheets are: {string.Join(", ", names.Select(n => $"'{n}'"))}.");
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            throw Unreadable(format, ex);
        }
        finally
        {
            reader?.Dispose();
        }
    }

    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (!_reader.Read())
            {
                return ValueTask.FromResult(false);
            }

            RowNumber = _reader.Depth + 1;
            _record.Clear();
            for (var i = 0; i < _reader.FieldCount; i++)
            {
                _record.BeginField();
                switch (_reader.GetValue(i))
                {
                    case null:
                        break;
                    case string s:
                        _record.Append(s);
                        break;
                    case double d when d.TryFormat(_number, out var written, "R", CultureInfo.InvariantCulture):
                        if (IsPercentFormat(i))
                        {
                            // A cell shown as "76.5%" holds 0.765: take the value the teacher sees.
                            (d * 100).TryFormat(_number, out written, "R", CultureInfo.InvariantCulture);
                        }

                        _record.Append(_number.AsSpan(0, written));
                        break;
                    case DateTime dt:
                        _record.Append(dt.TimeOfDay == TimeSpan.Zero
                            ? dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                            : dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                        break;
                    case IFormattable f:
                        _record.Append(f.ToString(null, CultureInfo.InvariantCulture));
                        break;
                    case var other:
                        _record.Append(other.ToString());
                        break;
                }
            }

            return ValueTask.FromResult(true);
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            throw new DatasetFileException(DatasetRules.MalformedFile,
                $"The workbook is damaged: reading stopped at row {RowNumber + 1} ({ex.Message}).", RowNumber + 1);
        }
    }

    public void Dispose() => _reader.Dispose();

    private bool IsPercentFormat(int column) => _reader.GetNumberFormatString(column)?.Contains('%', StringComparison.Ordinal) == true;

    /// <summary>
    /// Decompression-bomb guard: reads only the zip central directory (declared sizes, which also cap what the
    /// decompressor will produce) and refuses packages that are too large, have too many parts or are not workbooks.
    /// </summary>
    public static void CheckXlsxPackage(Stream package, DatasetOptions options)
    {
        try
        {
            using var zip = new ZipArchive(package, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > options.MaxXlsxEntries)
            {
                throw new DatasetFileException(DatasetRules.XlsxBomb,
                    $"The workbook package has {zip.Entries.Count:N0} parts; at most {options.MaxXlsxEntries:N0} are accepted.");
            }

            long total = 0;
            var hasWorkbook = false;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                hasWorkbook |= entry.FullName.Equals("xl/workbook.xml", StringComparison.OrdinalIgnoreCase);
            }

            if (total > options.MaxXlsxUncompressedBytes)
            {
                throw new DatasetFileException(DatasetRules.XlsxBomb,
                    $"The workbook unpacks to {total / (1024.0 * 1024):N0} MB; at most {options.MaxXlsxUncompressedBytes / (1024.0 * 1024):N0} MB is accepted. Save a smaller workbook or export the sheet as CSV.");
            }

            if (!hasWorkbook)
            {
                throw new DatasetFileException(DatasetRules.MalformedFile, "The file is a zip archive but not an Excel workbook (no xl/workbook.xml).");
            }
        }
        catch (InvalidDataException ex)
        {
            throw new DatasetFileException(DatasetRules.MalformedFile, $"The .xlsx file is damaged or truncated: {ex.Message}");
        }
        finally
        {
            package.Position = 0;
        }
    }

    private static DatasetFileException Unreadable(DatasetFormat format, Exception ex) =>
        new(DatasetRules.MalformedFile, $"The {(format == DatasetFormat.Xlsx ? ".xlsx" : ".xls")} workbook could not be read; it may be damaged, truncated or password-protected ({ex.Message}).");

    /// <summary>ExcelDataReader and the XML/zip layers below it report damaged input with many exception types.</summary>
    private static bool IsReadFailure(Exception ex) =>
        ex is not (DatasetFileException or OperationCanceledException or OutOfMemoryException);
}
