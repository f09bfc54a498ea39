using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using StudyRecs.Core.Datasets.Reading;

namespace StudyRecs.Core.Datasets;

/// <summary>
/// Reads a gradebook upload (CSV, .xlsx or .xls), validates every row and streams valid rows to a sink in batches.
/// Never throws for bad input: every problem ends up in the returned <see cref="DatasetValidationReport"/>.
/// </summary>
public sealed class GradebookImporter(DatasetOptions options)
{
    private readonly GradeScale _scale = options.BuildGradeScale();

    public DatasetOptions Options => options;

    public GradeScale GradeScale => _scale;

    /// <summary>
    /// Validates <paramref name="content"/> and hands valid rows to <paramref name="sink"/> in batches of
    /// <see cref="DatasetOptions.BatchSize"/>. Once any error is seen the sink gets nothing more, but validation
    /// goes on to report every problem; callers roll back what the sink received when the outcome is
    /// <see cref="ImportOutcome.Rejected"/>.
    /// </summary>
    /// <param name="content">The upload; need not be seekable.</param>
    /// <param name="fileName">Original file name; its extension must agree with the content.</param>
    /// <param name="sheet">Worksheet to read from a workbook; null for the first one.</param>
    /// <param name="sink">Receives valid rows; null to validate only.</param>
    public async Task<DatasetValidationReport> ImportAsync(Stream content, string fileName, string? sheet, IGradebookRowSink? sink, CancellationToken cancellationToken)
    {
        var run = new ImportRun(options, _scale, Path.GetFileName(fileName), sink);
        try
        {
            using var reader = await TabularFile.OpenAsync(content, fileName, sheet, options, run.Report, cancellationToken);
            await run.ReadAllAsync(reader, cancellationToken);
        }
        catch (DatasetFileException ex)
        {
            run.Add(ex.Row, null, null, ex.Rule, ProblemSeverity.Error, ex.Message);
        }

        run.Finish();
        return run.Report;
    }

    /// <summary>
    /// Reads every record of an upload (header and blank rows included) without validating it: the reading cost alone,
    /// for benchmarks that split parsing from validation. Throws <see cref="InvalidDataException"/> for an unreadable file.
    /// </summary>
    public async Task<long> CountRecordsAsync(Stream content, string fileName, string? sheet, CancellationToken cancellationToken)
    {
        var report = new DatasetValidationReport { FileName = fileName };
        try
        {
            using var reader = await TabularFile.OpenAsync(content, fileName, sheet, options, report, cancellationToken);
            long records = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                records++;
            }

            return records;
        }
        catch (DatasetFileException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }
    }

    /// <summary>The state of one import: counters, problems, duplicate keys and the pending batch.</summary>
    private sealed class ImportRun
    {
        private const int MaxValueInReport = 100;

        private readonly DatasetOptions _options;
        private readonly GradeScale _scale;
        private readonly IGradebookRowSink? _sink;
        private readonly Dictionary<string, (ProblemSeverity Severity, long Count)> _ruleCounts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _studentIds = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _subjects = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<RowKey, long> _seen = new(RowKeyComparer.Instance);
        private readonly int[] _columns = new int[GradebookColumns.Count];
        private List<GradebookRow> _batch;
        private ExtraColumnState[] _extras = [];
        private string[] _headers = [];
        private string[] _extraNames = [];
        private bool _decimalComma;

        public ImportRun(DatasetOptions options, GradeScale scale, string fileName, IGradebookRowSink? sink)
        {
            _options = options;
            _scale = scale;
            _sink = sink;
            _batch = new List<GradebookRow>(options.BatchSize);
            Report = new DatasetValidationReport { FileName = fileName, MinimumLabelledRowsToTrain = options.MinimumLabelledRowsToTrain };
        }

        public DatasetValidationReport Report { get; }

        public void Add(long row, string? column, string? value, string rule, ProblemSeverity severity, string message)
        {
            if (severity == ProblemSeverity.Error)
            {
                Report.ErrorCount++;
            }
            else
            {
                Report.WarningCount++;
            }

            _ruleCounts[rule] = _ruleCounts.TryGetValue(rule, out var c) ? (c.Severity, c.Count + 1) : (severity, 1);
            if (Report.Problems.Count < _options.MaxListedProblems)
            {
                Report.Problems.Add(new DatasetProblem(row, column, Shorten(value), rule, severity, message));
            }
        }

        public async Task ReadAllAsync(ITabularReader reader, CancellationToken cancellationToken)
        {
            _decimalComma = Report.Delimiter is ";" or "\t";
            var headerFound = false;
            while (await reader.ReadAsync(cancellationToken))
            {
                if (IsBlank(reader))
                {
                    if (headerFound)
                    {
                        Report.BlankRowsSkipped++;
                    }

                    continue;
                }

                if (!headerFound)
                {
                    headerFound = true;
                    if (!ReadHeader(reader))
                    {
                        return;
                    }

                    continue;
                }

                if (++Report.TotalRows > _options.MaxRows)
                {
                    Report.TotalRows--;
                    Add(reader.RowNumber, null, null, DatasetRules.TooManyRows, ProblemSeverity.Error,
                        $"The file has more than {_options.MaxRows:N0} data rows, the most accepted in one upload; split it into several files.");
                    return;
                }

                var row = ValidateRow(reader);
                if (row is not null && Report.ErrorCount == 0 && _sink is not null)
                {
                    _batch.Add(row);
                    if (_batch.Count >= _options.BatchSize)
                    {
                        await _sink.WriteBatchAsync(_batch, cancellationToken);
                        _batch = new List<GradebookRow>(_options.BatchSize);
                    }
                }
            }

            if (!headerFound)
            {
                Add(0, null, null, DatasetRules.EmptyFile, ProblemSeverity.Error, "The file has no header row; it contains only blank lines.");
            }
            else if (Report.TotalRows == 0 && Report.ErrorCount == 0)
            {
                Add(0, null, null, DatasetRules.NoDataRows, ProblemSeverity.Error, "The file has a header row but no data rows.");
            }

            if (Report.ErrorCount == 0 && _sink is not null && _batch.Count > 0)
            {
                await _sink.WriteBatchAsync(_batch, cancellationToken);
                _batch = [];
            }
        }

        public void Finish()
        {
            Report.Outcome = Report.ErrorCount > 0 ? ImportOutcome.Rejected
                : Report.WarningCount > 0 ? ImportOutcome.AcceptedWithWarnings
                : ImportOutcome.Accepted;
            Report.ProblemCounts = _ruleCounts
                .Select(kv => new RuleCount(kv.Key, kv.Value.Severity, kv.Value.Count))
                .OrderByDescending(r => r.Severity).ThenByDescending(r => r.Count).ThenBy(r => r.Rule, StringComparer.Ordinal)
                .ToArray();
            Report.ExtraColumns = _extras
                .Select(e => new ExtraFeatureColumn(e.Name, e.NonEmpty > 0 && e.AllNumeric ? ExtraColumnType.Numeric : ExtraColumnType.Categorical, e.NonEmpty))
                .ToArray();
            if (Report.IsAccepted && Report.LabelledRows < _options.MinimumLabelledRowsToTrain)
            {
                Report.TooSmallToTrain = true;
                Report.LabelledRowsNeeded = _options.MinimumLabelledRowsToTrain - Report.LabelledRows;
            }
        }

        private static bool IsBlank(ITabularReader reader)
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                if (!reader.GetField(i).IsWhiteSpace())
                {
                    return false;
                }
            }

            return true;
        }

        private bool ReadHeader(ITabularReader reader)
        {
            Array.Fill(_columns, -1);
            _headers = new string[reader.FieldCount];
            var extras = new List<ExtraColumnState>();
            var ok = true;
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var header = reader.GetField(i).Trim().ToString();
                _headers[i] = header;
                if (header.Length == 0)
                {
                    continue;
                }

                if (GradebookColumns.Match(header) is { } column)
                {
                    if (_columns[(int)column] >= 0)
                    {
                        ok = false;
                        Add(reader.RowNumber, header, header, DatasetRules.DuplicateColumn, ProblemSeverity.Error,
                            $"Columns '{_headers[_columns[(int)column]]}' and '{header}' both mean {GradebookColumns.CanonicalName(column)}; keep only one.");
                    }
                    else
                    {
                        _columns[(int)column] = i;
                    }
                }
                else if (extras.Any(e => string.Equals(e.Name, header, StringComparison.OrdinalIgnoreCase)))
                {
                    ok = false;
                    Add(reader.RowNumber, header, header, DatasetRules.DuplicateColumn, ProblemSeverity.Error, $"Column '{header}' appears twice.");
                }
                else
                {
                    extras.Add(new ExtraColumnState(header, i));
                }
            }

            var missing = new List<string>();
            for (var c = GradebookColumn.StudentId; c <= GradebookColumn.PreviousCgpa; c++)
            {
                if (_columns[(int)c] < 0)
                {
                    missing.Add(GradebookColumns.CanonicalName(c));
                }
            }

            if (_columns[(int)GradebookColumn.FinalMarks] < 0 && _columns[(int)GradebookColumn.FinalGrade] < 0)
            {
                missing.Add("final_marks or final_grade");
            }

            if (missing.Count > 0)
            {
                ok = false;
                Add(reader.RowNumber, string.Join(", ", missing), null, DatasetRules.MissingColumns, ProblemSeverity.Error,
                    $"Missing required column(s): {string.Join(", ", missing)}. The header row has: {string.Join(", ", _headers.Where(h => h.Length > 0))}.");
            }

            Report.Headers = _headers;
            _extras = extras.ToArray();
            _extraNames = _extras.Length == 0 ? [] : _extras.Select(e => e.Name).ToArray();
            return ok;
        }

        private GradebookRow? ValidateRow(ITabularReader reader)
        {
            var rowNumber = reader.RowNumber;
            var errorsBefore = Report.ErrorCount;
            var warningsBefore = Report.WarningCount;

            for (var i = 0; i < reader.FieldCount; i++)
            {
                var cell = reader.GetField(i).Trim();
                if (cell.Length > _options.MaxCellLength)
                {
                    Add(rowNumber, HeaderAt(i), cell.ToString(), DatasetRules.CellTooLong, ProblemSeverity.Error,
                        $"The cell has {cell.Length:N0} characters; at most {_options.MaxCellLength:N0} are accepted.");
                }
                else if (i >= _headers.Length && cell.Length > 0)
                {
                    Add(rowNumber, null, cell.ToString(), DatasetRules.ExtraCells, ProblemSeverity.Error,
                        $"The row has a value in column {i + 1}, but the header has only {_headers.Length} columns; a value may contain an unquoted delimiter.");
                    break;
                }
            }

            if (Report.ErrorCount > errorsBefore)
            {
                return null;
            }

            var studentId = Identifier(reader, GradebookColumn.StudentId, _studentIds, rowNumber);
            var semester = Semester(reader, rowNumber);
            var subject = Identifier(reader, GradebookColumn.Subject, _subjects, rowNumber);
            var assignment = Number(reader, GradebookColumn.AssignmentMarks, _options.AssignmentMarksMax, rowNumber, required: true);
            var quiz = Number(reader, GradebookColumn.QuizMarks, _options.QuizMarksMax, rowNumber, required: true);
            var attendance = Number(reader, GradebookColumn.AttendancePercentage, _options.AttendanceMax, rowNumber, required: true);
            var midterm = Number(reader, GradebookColumn.MidtermMarks, _options.MidtermMarksMax, rowNumber, required: true);
            var cgpa = Number(reader, GradebookColumn.PreviousCgpa, _options.CgpaScale, rowNumber, required: true);
            var finalMarks = Number(reader, GradebookColumn.FinalMarks, _options.FinalMarksMax, rowNumber, required: false);
            var finalGrade = Grade(reader, rowNumber);

            if (finalMarks is { } marks && finalGrade is not null)
            {
                var expected = _scale.GradeFor(marks / _options.FinalMarksMax * 100);
                if (!string.Equals(expected, finalGrade, StringComparison.Ordinal))
                {
                    Add(rowNumber, "final_grade", finalGrade, DatasetRules.GradeInconsistent, ProblemSeverity.Warning,
                        $"Final grade {finalGrade} does not match final marks {marks.ToString(CultureInfo.InvariantCulture)}, which earn {expected} under the grade scale.");
                }
            }

            if (studentId is not null && semester is not null && subject is not null)
            {
                var key = new RowKey(studentId, semester.Value, subject);
                if (_seen.TryGetValue(key, out var firstRow))
                {
                    Add(rowNumber, "student_id", studentId, DatasetRules.DuplicateRow, ProblemSeverity.Error,
                        $"Student {studentId} already has a row for semester {semester} and subject {subject} (row {firstRow}).");
                }
                else
                {
                    _seen.Add(key, rowNumber);
                }
            }

            var extras = ExtraValues(reader);
            if (Report.WarningCount > warningsBefore)
            {
                Report.RowsWithWarnings++;
            }

            if (Report.ErrorCount > errorsBefore)
            {
                return null;
            }

            var row = new GradebookRow(rowNumber, studentId!, semester!.Value, subject!, assignment, quiz, attendance, midterm, cgpa, finalMarks, finalGrade, extras, _extraNames);
            Report.ValidRows++;
            if (row.IsLabelled)
            {
                Report.LabelledRows++;
            }

            return row;
        }

        private ReadOnlySpan<char> Cell(ITabularReader reader, GradebookColumn column)
        {
            var index = _columns[(int)column];
            return index >= 0 && index < reader.FieldCount ? reader.GetField(index).Trim() : [];
        }

        private string? Identifier(ITabularReader reader, GradebookColumn column, Dictionary<string, string> pool, long rowNumber)
        {
            var cell = Cell(reader, column);
            if (cell.IsEmpty)
            {
                Add(rowNumber, GradebookColumns.CanonicalName(column), null, DatasetRules.Required, ProblemSeverity.Error,
                    $"{GradebookColumns.CanonicalName(column)} is empty; every row needs a student id, semester and subject.");
                return null;
            }

            if (cell.Length > GradebookColumns.MaxIdentifierLength)
            {
                Add(rowNumber, GradebookColumns.CanonicalName(column), cell.ToString(), DatasetRules.CellTooLong, ProblemSeverity.Error,
                    $"{GradebookColumns.CanonicalName(column)} has {cell.Length:N0} characters; at most {GradebookColumns.MaxIdentifierLength} are accepted.");
                return null;
            }

            var lookup = pool.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(cell, out var value))
            {
                value = cell.ToString();
                pool.Add(value, value);
            }

            return value;
        }

        private int? Semester(ITabularReader reader, long rowNumber)
        {
            var cell = Cell(reader, GradebookColumn.Semester);
            if (cell.IsEmpty)
            {
                Add(rowNumber, "semester", null, DatasetRules.Required, ProblemSeverity.Error,
                    "semester is empty; every row needs a student id, semester and subject.");
                return null;
            }

            if (TryParse(cell, out var value) && value >= 1 && value <= 100 && value == Math.Floor(value))
            {
                return (int)value;
            }

            Add(rowNumber, "semester", cell.ToString(), DatasetRules.SemesterNotPositiveInteger, ProblemSeverity.Error,
                $"semester must be a whole number from 1 to 100, not '{Shorten(cell.ToString())}'.");
            return null;
        }

        private double? Number(ITabularReader reader, GradebookColumn column, double max, long rowNumber, bool required)
        {
            var cell = Cell(reader, column);
            var name = GradebookColumns.CanonicalName(column);
            if (cell.IsEmpty)
            {
                if (required)
                {
                    Add(rowNumber, name, null, DatasetRules.MissingValue, ProblemSeverity.Warning,
                        $"{name} is empty; the row is kept with the value missing.");
                }

                return null;
            }

            var text = column == GradebookColumn.AttendancePercentage && cell[^1] == '%' ? cell[..^1].TrimEnd() : cell;
            if (!TryParse(text, out var value))
            {
                Add(rowNumber, name, cell.ToString(), DatasetRules.NotANumber, ProblemSeverity.Error, $"{name} '{Shorten(cell.ToString())}' is not a number.");
                return null;
            }

            if (value < 0 || value > max)
            {
                Add(rowNumber, name, cell.ToString(), DatasetRules.OutOfRange, ProblemSeverity.Error,
                    $"{name} {value.ToString(CultureInfo.InvariantCulture)} is outside the allowed range 0-{max.ToString(CultureInfo.InvariantCulture)}.");
                return null;
            }

            return value;
        }

        private string? Grade(ITabularReader reader, long rowNumber)
        {
            var cell = Cell(reader, GradebookColumn.FinalGrade);
            if (cell.IsEmpty)
            {
                return null;
            }

            var grade = _scale.Normalize(cell);
            if (grade is null)
            {
                Add(rowNumber, "final_grade", cell.ToString(), DatasetRules.UnknownGrade, ProblemSeverity.Error,
                    $"'{Shorten(cell.ToString())}' is not a grade on the scale ({string.Join(", ", _scale.Labels)}).");
            }

            return grade;
        }

        private string?[] ExtraValues(ITabularReader reader)
        {
            if (_extras.Length == 0)
            {
                return [];
            }

            var values = new string?[_extras.Length];
            for (var e = 0; e < _extras.Length; e++)
            {
                var state = _extras[e];
                var cell = state.Index < reader.FieldCount ? reader.GetField(state.Index).Trim() : [];
                if (cell.IsEmpty)
                {
                    continue;
                }

                values[e] = cell.ToString();
                state.NonEmpty++;
                state.AllNumeric &= TryParse(cell, out _);
            }

            return values;
        }

        /// <summary>Invariant number, or a decimal comma in files delimited by ';' or tab.</summary>
        private bool TryParse(ReadOnlySpan<char> text, out double value)
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                return double.IsFinite(value);
            }

            if (_decimalComma && text.Count(',') == 1 && !text.Contains('.') && text.Length <= 64)
            {
                Span<char> copy = stackalloc char[text.Length];
                text.CopyTo(copy);
                copy[copy.IndexOf(',')] = '.';
                return double.TryParse(copy, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
            }

            return false;
        }

        private string? HeaderAt(int index) => index < _headers.Length && _headers[index].Length > 0 ? _headers[index] : null;

        private static string? Shorten(string? value) =>
            value is null || value.Length <= MaxValueInReport ? value : string.Concat(value.AsSpan(0, MaxValueInReport), "…");
    }

    private sealed class ExtraColumnState(string name, int index)
    {
        public string Name { get; } = name;

        public int Index { get; } = index;

        public long NonEmpty { get; set; }

        public bool AllNumeric { get; set; } = true;
    }

    /// <summary>Identity of a row; the strings are pooled per import, so reference comparison is value comparison.</summary>
    private readonly record struct RowKey(string StudentId, int Semester, string Subject);

    private sealed class RowKeyComparer : IEqualityComparer<RowKey>
    {
        public static readonly RowKeyComparer Instance = new();

        public bool Equals(RowKey x, RowKey y) =>
            x.Semester == y.Semester && ReferenceEquals(x.StudentId, y.StudentId) && ReferenceEquals(x.Subject, y.Subject);

        public int GetHashCode(RowKey obj) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(obj.StudentId), obj.Semester, RuntimeHelpers.GetHashCode(obj.Subject));
    }
}
