using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Reading;
using StudyRecs.Core.Resources;

namespace StudyRecs.Core.Recommendations;

/// <summary>One reason a score file was rejected; line 0 is the file (or the label) as a whole.</summary>
public sealed record ImportedScoreProblem(long Line, string Rule, string Message);

/// <summary>
/// What an import did: the set stored (with the set it replaced, if any), or why the file was refused: every problem
/// counted by rule, the first <see cref="ImportedScoreImport.ListedProblems"/> by line.
/// </summary>
public sealed record ImportedScoreResult(ImportedScoreSet? Set, bool Replaced, long ProblemCount, IReadOnlyDictionary<string, long> ProblemCounts, IReadOnlyList<ImportedScoreProblem> Problems)
{
    public bool IsAccepted => Set is not null;
}

/// <summary>Whether a set was deleted; when not, the A/B test that plays it, or null when there is no such set.</summary>
public sealed record ImportedScoreDeletion(bool Deleted, RecommendationExperiment? PlayedBy);

/// <summary>
/// Imports <c>user_id,resource_id,score</c> from a model trained outside StudyRecs as the score set of a label, served
/// as the strategy <c>imported:LABEL</c>. The whole file is validated before anything is written: the header (exactly
/// those columns, any order, a byte-order mark tolerated), every row (a student the portal knows, an active resource
/// of the catalog, a finite score, each pair once) and the size. An accepted file replaces the label's set in one
/// transaction, so the portal serves the old set until the new one is committed, and a rejected or failed import
/// changes nothing.
/// </summary>
/// <remarks>
/// A student is known when a dataset has their rows, an account is linked to their id, or recommendation events were
/// logged for them: the export the scores are trained on (<see cref="InteractionExport"/>) takes its user ids from the
/// events, so every id it wrote comes back in.
/// </remarks>
public sealed class ImportedScoreImport(IDbContextFactory<StudyRecsDbContext> dbs, IOptions<RecommendationOptions> options, TimeProvider time)
{
    /// <summary>The header a score file has.</summary>
    public static readonly string[] Columns = ["user_id", "resource_id", "score"];

    /// <summary>Problems a rejected import lists (all are counted).</summary>
    public const int ListedProblems = 20;

    // Scores written per bulk round (the SQL Server bulk copy holds one such batch as a table).
    private const int WriteBatch = 10_000;

    // Students looked up per query.
    private const int StudentChunk = 500;

    /// <summary>Reads, validates and (when valid) stores <paramref name="content"/> as the set of <paramref name="label"/>.</summary>
    public async Task<ImportedScoreResult> ImportAsync(Stream content, string fileName, string label, string importedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var problems = new ProblemLog();
        if (!ImportedScoreSet.IsLabel(label))
        {
            problems.Add(0, "label", $"The label '{Shorten(label)}' is not allowed: use {ImportedScoreSet.LabelRule}.");
            return problems.Result();
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var catalog = await db.Set<LearningResource>().AsNoTracking().Select(r => new { r.Id, r.IsRetired }).ToDictionaryAsync(r => r.Id, r => r.IsRetired, cancellationToken);
        var rows = await ReadAsync(content, catalog, problems, cancellationToken);
        if (rows is null)
        {
            return problems.Result();
        }

        await CheckStudentsAsync(db, rows, problems, cancellationToken);
        var order = CheckDuplicates(rows, problems);
        if (problems.Count > 0)
        {
            return problems.Result();
        }

        var set = new ImportedScoreSet
        {
            Label = label,
            FileName = Shorten(Path.GetFileName(fileName), ImportedScoreSet.MaxFileNameLength),
            Rows = rows.Count,
            Students = rows.Students.Count,
            Resources = rows.Resource.Distinct().Count(),
            ImportedAt = time.GetUtcNow(),
            ImportedBy = Shorten(importedBy, 256),
        };
        var replaced = await StoreAsync(db, set, rows, order, cancellationToken);
        return new ImportedScoreResult(set, replaced, 0, new Dictionary<string, long>(), []);
    }

    /// <summary>
    /// Deletes the set of <paramref name="label"/> (and its pin, if an admin pinned it), unless a running or scheduled A/B
    /// test plays it: its group would silently get another strategy, so the test is stopped (or cancelled) first.
    /// </summary>
    public async Task<ImportedScoreDeletion> DeleteAsync(string label, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.Set<ImportedScoreSet>().Where(s => s.Label == label).Select(s => (long?)s.Id).FirstOrDefaultAsync(cancellationToken) is not { } id)
        {
            return new ImportedScoreDeletion(false, null);
        }

        var strategy = ImportedScoreSet.StrategyName(label);
        var now = time.GetUtcNow().UtcDateTime;
        if (await db.Set<RecommendationExperiment>().AsNoTracking()
            .Where(x => (x.StrategyA == strategy || x.StrategyB == strategy) && x.EndUtc > now && x.StoppedAtUtc == null)
            .OrderBy(x => x.Id).FirstOrDefaultAsync(cancellationToken) is { } test)
        {
            return new ImportedScoreDeletion(false, test);
        }

        await DeleteSetAsync(db, id, cancellationToken);
        await db.Set<RecommendationSetting>().Where(s => s.Key == RecommendationSetting.PinnedStrategy && s.Value == strategy)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Value, "").SetProperty(p => p.UpdatedAt, time.GetUtcNow()), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ImportedScoreDeletion(true, null);
    }

    /// <summary>The imported sets, by label.</summary>
    public async Task<IReadOnlyList<ImportedScoreSet>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var sets = await db.Set<ImportedScoreSet>().AsNoTracking().ToListAsync(cancellationToken);
        return [.. sets.OrderBy(s => s.Label, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The valid rows of the file, as aligned columns (the file's order), or null when the file cannot be read as a
    /// score file at all (no header, wrong header, not UTF-8, malformed CSV, too many rows).
    /// </summary>
    private async Task<ScoreRows?> ReadAsync(Stream content, Dictionary<long, bool> catalog, ProblemLog problems, CancellationToken cancellationToken)
    {
        var maxRows = options.Value.ImportedScoresMaxRows;
        var rows = new ScoreRows();
        var text = new StreamReader(content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        using var csv = new CsvTabularReader(text, ',', "UTF-8");
        try
        {
            if (!await csv.ReadAsync(cancellationToken))
            {
                problems.Add(0, "empty-file", $"The file is empty: it needs the header {string.Join(',', Columns)} and one row per score.");
                return null;
            }

            if (Header(csv) is not { } columns)
            {
                var found = string.Join(',', Enumerable.Range(0, csv.FieldCount).Select(i => Shorten(csv.GetField(i).ToString())));
                problems.Add(1, "header", $"The header must be {string.Join(',', Columns)} (in any order); found '{found}'.");
                return null;
            }

            var (user, resource, score) = (columns[0], columns[1], columns[2]);
            long dataRows = 0;
            while (await csv.ReadAsync(cancellationToken))
            {
                var line = csv.RowNumber;
                if (csv.FieldCount == 1 && csv.GetField(0).IsWhiteSpace())
                {
                    continue;
                }

                if (++dataRows > maxRows)
                {
                    problems.Add(line, "too-many-rows", string.Create(CultureInfo.InvariantCulture,
                        $"The file has more than {maxRows:N0} scores; split it, or raise Recommendations:ImportedScoresMaxRows."));
                    return null;
                }

                if (csv.FieldCount != Columns.Length)
                {
                    problems.Add(line, "field-count", $"Expected {Columns.Length} fields ({string.Join(',', Columns)}), found {csv.FieldCount}.");
                    continue;
                }

                var student = StudentId(csv.GetField(user));
                var valid = true;
                if (student.Length == 0)
                {
                    problems.Add(line, "user-id", "user_id is empty.");
                    valid = false;
                }
                else if (student.Length > GradebookColumns.MaxIdentifierLength)
                {
                    problems.Add(line, "user-id", $"user_id is longer than {GradebookColumns.MaxIdentifierLength} characters.");
                    valid = false;
                }

                var resourceText = csv.GetField(resource).Trim();
                if (!long.TryParse(resourceText, NumberStyles.None, CultureInfo.InvariantCulture, out var resourceId))
                {
                    problems.Add(line, "resource-id", $"resource_id '{Shorten(resourceText.ToString())}' is not a resource id (a whole number).");
                    valid = false;
                }
                else if (!catalog.TryGetValue(resourceId, out var retired))
                {
                    problems.Add(line, "unknown-resource", $"There is no resource {resourceId} in the catalog.");
                    valid = false;
                }
                else if (retired)
                {
                    problems.Add(line, "retired-resource", $"Resource {resourceId} is retired; leave it out of the scores.");
                    valid = false;
                }

                var scoreText = csv.GetField(score).Trim();
                if (!float.TryParse(scoreText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                {
                    problems.Add(line, "score", $"score '{Shorten(scoreText.ToString())}' is not a finite number (e.g. 0.73 or -1.5e-3).");
                    valid = false;
                }

                if (valid)
                {
                    rows.Add(line, student, resourceId, value);
                }
            }
        }
        catch (DatasetFileException e)
        {
            // Not UTF-8 (invalid-encoding) or not CSV (malformed-file), as the dataset import says it.
            problems.Add(e.Row, e.Rule, e.Message);
            return null;
        }

        if (rows.Count == 0 && problems.Count == 0)
        {
            problems.Add(0, "no-rows", $"The file has the header {string.Join(',', Columns)} but no scores.");
        }

        return rows;
    }

    // Column indexes of user_id, resource_id and score, or null unless the header has exactly those three.
    private static int[]? Header(CsvTabularReader csv)
    {
        if (csv.FieldCount != Columns.Length)
        {
            return null;
        }

        var names = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetField(i).Trim().TrimStart('\uFEFF').ToString().ToLowerInvariant()).ToList();
        var indexes = Columns.Select(c => names.IndexOf(c)).ToArray();
        return indexes.All(i => i >= 0) && indexes.Distinct().Count() == Columns.Length ? indexes : null;
    }

    // The id as the gradebook has it: trimmed, and without the apostrophe the export put before an id a spreadsheet would run as a formula.
    private static string StudentId(ReadOnlySpan<char> field)
    {
        var id = field.Trim();
        if (id.Length > 1 && id[0] == '\'' && id[1] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            id = id[1..];
        }

        return id.ToString();
    }

    /// <summary>Every row of a student the portal does not know is a problem.</summary>
    private static async Task CheckStudentsAsync(StudyRecsDbContext db, ScoreRows rows, ProblemLog problems, CancellationToken cancellationToken)
    {
        var unknown = new HashSet<string>(rows.Students, StringComparer.Ordinal);
        foreach (var chunk in rows.Students.Chunk(StudentChunk))
        {
            unknown.ExceptWith(await db.Set<DatasetRow>().AsNoTracking().Where(r => chunk.Contains(r.StudentId)).Select(r => r.StudentId).Distinct().ToListAsync(cancellationToken));
            var left = chunk.Where(unknown.Contains).ToList();
            if (left.Count > 0)
            {
                unknown.ExceptWith(await db.Set<ApplicationUser>().AsNoTracking().Where(u => u.StudentId != null && left.Contains(u.StudentId)).Select(u => u.StudentId!).ToListAsync(cancellationToken));
                left = [.. left.Where(unknown.Contains)];
            }

            if (left.Count > 0)
            {
                unknown.ExceptWith(await db.Set<RecommendationEvent>().AsNoTracking().Where(e => left.Contains(e.StudentId)).Select(e => e.StudentId).Distinct().ToListAsync(cancellationToken));
            }
        }

        if (unknown.Count == 0)
        {
            return;
        }

        for (var row = 0; row < rows.Count; row++)
        {
            var student = rows.Students[rows.Student[row]];
            if (unknown.Contains(student))
            {
                problems.Add(rows.Line[row], "unknown-student",
                    $"Student '{Shorten(student)}' is not known: no dataset row, account or recommendation event has that id.");
            }
        }
    }

    /// <summary>
    /// Refuses a (student, resource) pair scored twice, and returns the rows in key order (student id ordinal, then
    /// resource), the order the table's key keeps, so the bulk insert appends instead of splitting pages.
    /// </summary>
    private static int[] CheckDuplicates(ScoreRows rows, ProblemLog problems)
    {
        var rank = new int[rows.Students.Count];
        var byName = Enumerable.Range(0, rows.Students.Count).ToArray();
        Array.Sort(byName, (a, b) => string.CompareOrdinal(rows.Students[a], rows.Students[b]));
        for (var i = 0; i < byName.Length; i++)
        {
            rank[byName[i]] = i;
        }

        // Row numbers break ties, so the first occurrence of a pair leads its group.
        var keys = new (int Student, long Resource, int Row)[rows.Count];
        for (var row = 0; row < rows.Count; row++)
        {
            keys[row] = (rank[rows.Student[row]], rows.Resource[row], row);
        }

        Array.Sort(keys);
        var order = new int[keys.Length];
        var first = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            order[i] = keys[i].Row;
            if (i > 0 && keys[i].Student == keys[first].Student && keys[i].Resource == keys[first].Resource)
            {
                problems.Add(rows.Line[keys[i].Row], "duplicate", string.Create(CultureInfo.InvariantCulture,
                    $"Student '{Shorten(rows.Students[rows.Student[keys[i].Row]])}' and resource {keys[i].Resource} were scored on line {rows.Line[keys[first].Row]} already; keep one score per pair."));
            }
            else
            {
                first = i;
            }
        }

        return order;
    }

    /// <summary>Replaces the label's set in one transaction; true when there was one.</summary>
    private static async Task<bool> StoreAsync(StudyRecsDbContext db, ImportedScoreSet set, ScoreRows rows, int[] order, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var previous = await db.Set<ImportedScoreSet>().Where(s => s.Label == set.Label).Select(s => (long?)s.Id).FirstOrDefaultAsync(cancellationToken);
        if (previous is { } id)
        {
            await DeleteSetAsync(db, id, cancellationToken);
        }

        db.Add(set);
        await db.SaveChangesAsync(cancellationToken);
        await using (var writer = new ImportedScoreBulkWriter(db, set.Id))
        {
            for (var start = 0; start < order.Length; start += WriteBatch)
            {
                await writer.WriteAsync(order.AsMemory(start, Math.Min(WriteBatch, order.Length - start)), rows.Students, rows.Student, rows.Resource, rows.Score, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return previous is not null;
    }

    private static async Task DeleteSetAsync(StudyRecsDbContext db, long id, CancellationToken cancellationToken)
    {
        await db.Set<ImportedScore>().Where(s => s.SetId == id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ImportedScoreSet>().Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    private static string Shorten(string? text, int length = 40) =>
        text is null ? "" : text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    /// <summary>Valid rows as aligned columns; student ids are stored once.</summary>
    private sealed class ScoreRows
    {
        private readonly Dictionary<string, int> _students = new(StringComparer.Ordinal);

        public List<string> Students { get; } = [];

        public List<int> Student { get; } = [];

        public List<long> Resource { get; } = [];

        public List<float> Score { get; } = [];

        public List<long> Line { get; } = [];

        public int Count => Student.Count;

        public void Add(long line, string student, long resource, float score)
        {
            if (!_students.TryGetValue(student, out var index))
            {
                index = Students.Count;
                _students.Add(student, index);
                Students.Add(student);
            }

            Student.Add(index);
            Resource.Add(resource);
            Score.Add(score);
            Line.Add(line);
        }
    }

    /// <summary>Counts every problem by rule and keeps the <see cref="ListedProblems"/> with the lowest line numbers.</summary>
    private sealed class ProblemLog
    {
        private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

        // Highest line on top, so the one to drop is at hand.
        private readonly PriorityQueue<ImportedScoreProblem, long> _first = new(Comparer<long>.Create((a, b) => b.CompareTo(a)));

        public long Count { get; private set; }

        public void Add(long line, string rule, string message)
        {
            Count++;
            _counts[rule] = _counts.GetValueOrDefault(rule) + 1;
            if (_first.Count < ListedProblems)
            {
                _first.Enqueue(new ImportedScoreProblem(line, rule, message), line);
            }
            else if (_first.TryPeek(out _, out var highest) && line < highest)
            {
                _first.EnqueueDequeue(new ImportedScoreProblem(line, rule, message), line);
            }
        }

        public ImportedScoreResult Result() => new(null, false, Count, _counts,
            [.. _first.UnorderedItems.Select(p => p.Element).OrderBy(p => p.Line).ThenBy(p => p.Rule, StringComparer.Ordinal)]);
    }
}
