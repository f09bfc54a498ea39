using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Reading;

namespace StudyRecs.Core.Resources;

/// <summary>A valid row of an import file, with its row number (the header is row 1).</summary>
public sealed record ResourceRow(long Row, ResourceDraft Draft);

/// <summary>
/// Reads a catalog file (CSV, .xlsx or .xls, through the same reader as gradebooks: encodings, delimiters, size and
/// workbook limits) and validates every row with <see cref="ResourceValidator"/>, plus duplicates within the file.
/// Never throws for bad input: every problem is in the report. Duplicates of resources already in the catalog are
/// checked by <see cref="ResourceImportService"/>, which also does the storing.
/// </summary>
public sealed class ResourceImporter(ResourceOptions options)
{
    private static readonly Dictionary<string, string> Aliases = BuildAliases();

    private readonly DatasetOptions _limits = options.ReadingLimits();

    public ResourceOptions Options => options;

    /// <summary>The report (outcome not set yet) and the rows that passed every rule.</summary>
    public async Task<(ResourceImportReport Report, IReadOnlyList<ResourceRow> Rows)> ReadAsync(Stream content, string fileName, string? sheet, CancellationToken cancellationToken)
    {
        var report = new ResourceImportReport { FileName = Path.GetFileName(fileName), MaxListedProblems = options.MaxListedProblems };
        var rows = new List<ResourceRow>();
        try
        {
            using var reader = await TabularFile.OpenAsync(content, fileName, sheet, _limits, report, cancellationToken);
            await ReadRowsAsync(reader, report, rows, cancellationToken);
        }
        catch (DatasetFileException ex)
        {
            report.Add(ex.Row, null, null, ex.Rule, ProblemSeverity.Error, ex.Message);
        }

        return (report, rows);
    }

    /// <summary>The column a header names (<see cref="ResourceFields"/>), if any.</summary>
    public static string? MatchColumn(string header) =>
        Aliases.TryGetValue(GradebookColumns.NormalizeHeader(header), out var field) ? field : null;

    private async Task ReadRowsAsync(ITabularReader reader, ResourceImportReport report, List<ResourceRow> rows, CancellationToken cancellationToken)
    {
        Dictionary<string, int>? columns = null;
        string[] headers = [];
        var urls = new Dictionary<string, long>(StringComparer.Ordinal);
        var titles = new Dictionary<(string Subject, string Title), long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (IsBlank(reader))
            {
                continue;
            }

            if (columns is null)
            {
                headers = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetField(i).Trim().ToString()).ToArray();
                report.Headers = headers;
                columns = ReadHeader(headers, reader.RowNumber, report);
                if (columns is null)
                {
                    return;
                }

                continue;
            }

            if (++report.TotalRows > options.MaxRows)
            {
                report.TotalRows--;
                report.Add(reader.RowNumber, null, null, DatasetRules.TooManyRows, ProblemSeverity.Error,
                    $"The file has more than {options.MaxRows:N0} resources, the most accepted in one import; split it into several files.");
                return;
            }

            if (ValidateRow(reader, headers, columns, report) is not { } draft)
            {
                continue;
            }

            var row = reader.RowNumber;
            var duplicate = false;
            if (urls.TryGetValue(draft.Url, out var urlRow))
            {
                duplicate = true;
                report.Add(row, ResourceFields.Url, draft.Url, ResourceRules.DuplicateInFile, ProblemSeverity.Error,
                    $"Row {urlRow} already has this address; each resource appears once.");
            }

            var titleKey = (draft.SubjectKey, ResourceText.TitleKey(draft.Title));
            if (titles.TryGetValue(titleKey, out var titleRow))
            {
                duplicate = true;
                report.Add(row, ResourceFields.Title, draft.Title, ResourceRules.DuplicateInFile, ProblemSeverity.Error,
                    $"Row {titleRow} already has the title '{ResourceText.Shorten(draft.Title)}' in {draft.Subject}.");
            }

            urls.TryAdd(draft.Url, row);
            titles.TryAdd(titleKey, row);
            if (!duplicate)
            {
                report.ValidRows++;
                rows.Add(new ResourceRow(row, draft));
            }
        }

        if (columns is null)
        {
            report.Add(0, null, null, DatasetRules.EmptyFile, ProblemSeverity.Error, "The file has no header row; it contains only blank lines.");
        }
        else if (report.TotalRows == 0)
        {
            report.Add(0, null, null, DatasetRules.NoDataRows, ProblemSeverity.Error, "The file has a header row but no resources.");
        }
    }

    /// <summary>Field name to column index; null when the header is unusable (missing or repeated columns).</summary>
    private static Dictionary<string, int>? ReadHeader(string[] headers, long rowNumber, ResourceImportReport report)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var ok = true;
        for (var i = 0; i < headers.Length; i++)
        {
            var header = headers[i];
            if (header.Length == 0)
            {
                continue;
            }

            if (MatchColumn(header) is not { } field)
            {
                report.Add(rowNumber, header, header, ResourceRules.UnknownColumn, ProblemSeverity.Warning,
                    $"Column '{ResourceText.Shorten(header)}' is not a catalog column and is ignored. The columns are: {string.Join(", ", ResourceFields.All)}.");
            }
            else if (columns.TryGetValue(field, out var first))
            {
                ok = false;
                report.Add(rowNumber, header, header, DatasetRules.DuplicateColumn, ProblemSeverity.Error,
                    $"Columns '{headers[first]}' and '{header}' both mean {field}; keep only one.");
            }
            else
            {
                columns[field] = i;
            }
        }

        var missing = ResourceFields.Required.Where(f => !columns.ContainsKey(f)).ToList();
        if (missing.Count > 0)
        {
            ok = false;
            report.Add(rowNumber, string.Join(", ", missing), null, DatasetRules.MissingColumns, ProblemSeverity.Error,
                $"Missing required column(s): {string.Join(", ", missing)}. The header row has: {string.Join(", ", headers.Where(h => h.Length > 0))}.");
        }

        return ok ? columns : null;
    }

    private ResourceDraft? ValidateRow(ITabularReader reader, string[] headers, Dictionary<string, int> columns, ResourceImportReport report)
    {
        var row = reader.RowNumber;
        var errorsBefore = report.ErrorCount;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var cell = reader.GetField(i).Trim();
            if (cell.Length > options.MaxCellLength)
            {
                report.Add(row, i < headers.Length ? headers[i] : null, cell.ToString(), DatasetRules.CellTooLong, ProblemSeverity.Error,
                    $"The cell has {cell.Length:N0} characters; at most {options.MaxCellLength:N0} are read.");
            }
            else if (i >= headers.Length && cell.Length > 0)
            {
                report.Add(row, null, cell.ToString(), DatasetRules.ExtraCells, ProblemSeverity.Error,
                    $"The row has a value in column {i + 1}, but the header has only {headers.Length} columns; a value may contain an unquoted delimiter.");
                break;
            }
        }

        if (report.ErrorCount > errorsBefore)
        {
            return null;
        }

        string? Cell(string field) => columns.TryGetValue(field, out var index) && index < reader.FieldCount ? reader.GetField(index).ToString() : null;
        var input = new ResourceInput
        {
            Title = Cell(ResourceFields.Title),
            Description = Cell(ResourceFields.Description),
            Subject = Cell(ResourceFields.Subject),
            Topic = Cell(ResourceFields.Topic),
            Difficulty = Cell(ResourceFields.Difficulty),
            Type = Cell(ResourceFields.Type),
            Url = Cell(ResourceFields.Url),
            Minutes = Cell(ResourceFields.Minutes),
            Tags = Cell(ResourceFields.Tags),
        };
        var (draft, errors) = ResourceValidator.Validate(input);
        foreach (var error in errors)
        {
            var value = Cell(error.Field)?.Trim();
            report.Add(row, error.Field, string.IsNullOrEmpty(value) ? null : value, error.Rule, ProblemSeverity.Error, error.Message);
        }

        return draft;
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

    private static Dictionary<string, string> BuildAliases()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string field, params string[] names)
        {
            foreach (var name in names)
            {
                map.Add(GradebookColumns.NormalizeHeader(name), field);
            }
        }

        Add(ResourceFields.Title, "title", "name", "resource", "resource title", "resource name");
        Add(ResourceFields.Description, "description", "summary", "desc", "abstract");
        Add(ResourceFields.Subject, "subject", "course", "module", "subject name");
        Add(ResourceFields.Topic, "topic", "unit", "chapter");
        Add(ResourceFields.Difficulty, "difficulty", "level", "difficulty level");
        Add(ResourceFields.Type, "type", "resource type", "format", "kind");
        Add(ResourceFields.Url, "url", "link", "address", "web address", "href");
        Add(ResourceFields.Minutes, "minutes", "duration", "duration minutes", "duration (min)", "mins", "length minutes", "estimated minutes", "time minutes");
        Add(ResourceFields.Tags, "tags", "tag", "keywords");
        return map;
    }
}
