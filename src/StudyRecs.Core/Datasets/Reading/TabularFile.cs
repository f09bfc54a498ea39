namespace StudyRecs.Core.Datasets.Reading;

/// <summary>What reading an upload found out about the file; the gradebook and resource reports both record it.</summary>
internal interface ITabularFileFacts
{
    long SizeBytes { get; set; }

    DatasetFormat Format { get; set; }

    string? Encoding { get; set; }

    string? Delimiter { get; set; }

    string? Sheet { get; set; }
}

/// <summary>Opens CSV, .xlsx and .xls uploads as <see cref="ITabularReader"/>: one reading path for every import.</summary>
internal static class TabularFile
{
    /// <summary>Bytes inspected to detect format, encoding and delimiter.</summary>
    private const int SniffBytes = 1 << 20;

    private static readonly byte[] ZipSignature = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] EmptyZipSignature = [0x50, 0x4B, 0x05, 0x06];
    private static readonly byte[] OleSignature = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <summary>
    /// Opens an upload for reading: checks size, recognises CSV, .xlsx or .xls by content and requires the extension to
    /// agree, detects a CSV file's encoding and delimiter, and records what it found in <paramref name="facts"/>.
    /// Problems are thrown as <see cref="DatasetFileException"/>.
    /// </summary>
    /// <param name="limits">Upload size and .xlsx package limits (<see cref="DatasetOptions.MaxUploadBytes"/>,
    /// <see cref="DatasetOptions.MaxXlsxUncompressedBytes"/>, <see cref="DatasetOptions.MaxXlsxEntries"/>).</param>
    public static async Task<ITabularReader> OpenAsync(Stream content, string fileName, string? sheet, DatasetOptions limits, ITabularFileFacts report, CancellationToken cancellationToken)
    {
        if (content.CanSeek && content.Length - content.Position > limits.MaxUploadBytes)
        {
            report.SizeBytes = content.Length - content.Position;
            throw new DatasetFileException(DatasetRules.FileTooLarge, UploadStream.TooLargeMessage(limits.MaxUploadBytes));
        }

        var prefix = new byte[SniffBytes];
        var length = await content.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, cancellationToken);
        var isWholeFile = length < prefix.Length;
        report.SizeBytes = length;
        if (length == 0)
        {
            throw new DatasetFileException(DatasetRules.EmptyFile, "The file is empty.");
        }

        if (length > limits.MaxUploadBytes)
        {
            throw new DatasetFileException(DatasetRules.FileTooLarge, UploadStream.TooLargeMessage(limits.MaxUploadBytes));
        }

        var detected = prefix.AsSpan(0, length) switch
        {
            var p when p.StartsWith(ZipSignature) || p.StartsWith(EmptyZipSignature) => DatasetFormat.Xlsx,
            var p when p.StartsWith(OleSignature) => DatasetFormat.Xls,
            _ => DatasetFormat.Csv,
        };
        CheckExtension(fileName, detected);
        report.Format = detected;

        if (detected == DatasetFormat.Csv)
        {
            var layout = CsvSniffer.Detect(prefix.AsSpan(0, length), isWholeFile);
            report.Encoding = layout.EncodingName;
            report.Delimiter = layout.Delimiter.ToString();
            var upload = new UploadStream(prefix, length, layout.PreambleLength, content, limits.MaxUploadBytes);
            var text = new StreamReader(upload, layout.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
            return new SizeTrackingReader(new CsvTabularReader(text, layout.Delimiter, layout.EncodingName), upload, report);
        }

        var workbook = await new UploadStream(prefix, length, 0, content, limits.MaxUploadBytes).BufferAsync(cancellationToken);
        report.SizeBytes = workbook.Length;
        if (detected == DatasetFormat.Xlsx)
        {
            ExcelTabularReader.CheckXlsxPackage(workbook, limits);
        }

        var excel = ExcelTabularReader.Open(workbook, detected, sheet);
        report.Sheet = excel.SheetName;
        return excel;
    }

    private static void CheckExtension(string fileName, DatasetFormat detected)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        DatasetFormat? expected = extension switch
        {
            ".csv" or ".txt" or ".tsv" => DatasetFormat.Csv,
            ".xlsx" or ".xlsm" => DatasetFormat.Xlsx,
            ".xls" => DatasetFormat.Xls,
            _ => null,
        };
        if (expected is null)
        {
            throw new DatasetFileException(DatasetRules.UnsupportedFormat,
                $"'{Path.GetFileName(fileName)}' is not a supported file type; upload a .csv, .xlsx or .xls file.");
        }

        if (expected != detected)
        {
            var actual = detected switch
            {
                DatasetFormat.Xlsx => "a zip package (such as an .xlsx workbook)",
                DatasetFormat.Xls => "a legacy Excel .xls workbook",
                _ => "not an Excel workbook (it looks like text or another format)",
            };
            throw new DatasetFileException(DatasetRules.WrongExtension,
                $"'{Path.GetFileName(fileName)}' is named {extension} but its content is {actual}. Save it again in the format its name says, or rename it.");
        }
    }

    /// <summary>Keeps the report's size current while a CSV upload streams through.</summary>
    private sealed class SizeTrackingReader(CsvTabularReader inner, UploadStream upload, ITabularFileFacts report) : ITabularReader
    {
        public int FieldCount => inner.FieldCount;

        public long RowNumber => inner.RowNumber;

        public ReadOnlySpan<char> GetField(int index) => inner.GetField(index);

        public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await inner.ReadAsync(cancellationToken);
            }
            finally
            {
                report.SizeBytes = upload.BytesRead;
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
