using System.Globalization;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Cli.Recommend;

/// <summary>Reads the interactions and items files of <c>recommend-eval</c>, refusing bad input with one clear message.</summary>
internal static class EvaluationInput
{
    /// <summary>Reads the items file (item_id plus optional title, description, subject, topic, tags) into the catalog order.</summary>
    public static List<ItemText> ReadItems(string path, IdIndex catalog)
    {
        var texts = new List<ItemText>();
        using var reader = Open(path);
        var (csv, columns) = ReadHeader(reader, path);
        var id = Require(columns, "item_id", path);
        var title = columns.GetValueOrDefault("title", -1);
        var description = columns.GetValueOrDefault("description", -1);
        var subject = columns.GetValueOrDefault("subject", -1);
        var topic = columns.GetValueOrDefault("topic", -1);
        var tags = columns.GetValueOrDefault("tags", -1);
        var type = columns.GetValueOrDefault("type", -1);
        var difficulty = columns.GetValueOrDefault("difficulty", -1);
        while (csv.Read())
        {
            if (csv.FieldCount <= id || csv[id].IsWhiteSpace())
            {
                throw new RecommendInputException($"{path}: line {csv.LineNumber}: missing item_id");
            }

            var index = catalog.GetOrAdd(csv[id].Trim());
            if (index < texts.Count)
            {
                throw new RecommendInputException($"{path}: line {csv.LineNumber}: item '{csv[id].Trim()}' appears twice");
            }

            texts.Add(new ItemText(Text(csv, title), Text(csv, description), Text(csv, subject), Text(csv, topic), Text(csv, tags))
            {
                Type = Text(csv, type),
                Difficulty = Text(csv, difficulty),
            });
        }

        if (texts.Count == 0)
        {
            throw new RecommendInputException($"{path}: the file has a header but no items");
        }

        return texts;
    }

    /// <summary>Reads interactions: user_id, item_id, timestamp (Unix seconds or ISO-8601), optional weight and event.</summary>
    public static InteractionLog ReadInteractions(string path, IdIndex catalog)
    {
        var users = new IdIndex();
        var events = new List<Interaction>();
        using var reader = Open(path);
        var (csv, columns) = ReadHeader(reader, path);
        var user = Require(columns, "user_id", path);
        var item = Require(columns, "item_id", path);
        var time = Require(columns, "timestamp", path);
        var weight = columns.GetValueOrDefault("weight", -1);
        var kind = columns.GetValueOrDefault("event", -1);
        var width = new[] { user, item, time, weight, kind }.Max() + 1;
        while (csv.Read())
        {
            if (csv.FieldCount < width)
            {
                throw new RecommendInputException($"{path}: line {csv.LineNumber}: expected {width} fields, found {csv.FieldCount}");
            }

            var u = csv[user].Trim();
            var i = csv[item].Trim();
            if (u.IsEmpty || i.IsEmpty)
            {
                throw new RecommendInputException($"{path}: line {csv.LineNumber}: empty user_id or item_id");
            }

            var e = InteractionKind.View;
            if (kind >= 0 && !InteractionKinds.TryParse(csv[kind], out e))
            {
                throw new RecommendInputException($"{path}: line {csv.LineNumber}: unknown event '{csv[kind].ToString()}' (expected view, click, like, complete or dismiss)");
            }

            var w = kind >= 0 ? InteractionKinds.DefaultWeight(e) : 1f;
            if (weight >= 0 && !csv[weight].IsWhiteSpace())
            {
                if (!float.TryParse(csv[weight], NumberStyles.Float, CultureInfo.InvariantCulture, out w) || !float.IsFinite(w) || w < 0)
                {
                    throw new RecommendInputException($"{path}: line {csv.LineNumber}: weight '{csv[weight].ToString()}' is not a non-negative number");
                }
            }

            events.Add(new Interaction(users.GetOrAdd(u), catalog.GetOrAdd(i), ParseTimestamp(csv[time], path, csv.LineNumber), w, e));
        }

        if (events.Count == 0)
        {
            throw new RecommendInputException($"{path}: the file has a header but no interactions");
        }

        return new InteractionLog(users, catalog, [.. events]);
    }

    /// <summary>
    /// Reads the students file (user_id, weak_subjects separated by ';', ',' or '|', optional level: a difficulty name or
    /// 0–2) into contexts by user index; students without events are ignored, students missing from the file get none.
    /// </summary>
    public static StudentContext?[] ReadStudents(string path, IdIndex users)
    {
        var contexts = new StudentContext?[users.Count];
        using var reader = Open(path);
        var (csv, columns) = ReadHeader(reader, path);
        var user = Require(columns, "user_id", path);
        var weak = Require(columns, "weak_subjects", path);
        var level = columns.GetValueOrDefault("level", -1);
        while (csv.Read())
        {
            if (csv.FieldCount <= Math.Max(user, Math.Max(weak, level)))
            {
                throw new RecommendInputException($"{path}: line {csv.LineNumber}: expected {Math.Max(user, Math.Max(weak, level)) + 1} fields, found {csv.FieldCount}");
            }

            var id = csv[user].Trim().ToString();
            if (id.Length == 0)
            {
                throw new RecommendInputException($"{path}: line {csv.LineNumber}: missing user_id");
            }

            if (!users.TryGetIndex(id, out var u))
            {
                continue;
            }

            if (contexts[u] is not null)
            {
                throw new RecommendInputException($"{path}: line {csv.LineNumber}: student '{id}' appears twice");
            }

            var value = float.NaN;
            if (level >= 0 && !csv[level].IsWhiteSpace())
            {
                value = ItemFacets.ParseDifficulty(csv[level].ToString());
                if (float.IsNaN(value))
                {
                    throw new RecommendInputException($"{path}: line {csv.LineNumber}: level '{csv[level].ToString()}' is neither beginner, intermediate, advanced nor a number 0-2");
                }
            }

            contexts[u] = new StudentContext
            {
                WeakSubjects = csv[weak].ToString().Split([';', ',', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Level = value,
            };
        }

        return contexts;
    }

    /// <summary>Unix seconds (integer or decimal) or an ISO-8601 date-time (UTC when no offset is given).</summary>
    public static long ParseTimestamp(ReadOnlySpan<char> text, string path, long line)
    {
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fractional) && double.IsFinite(fractional)
            && Math.Abs(fractional) < 1e15)
        {
            return (long)Math.Floor(fractional);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var date))
        {
            return date.ToUnixTimeSeconds();
        }

        throw new RecommendInputException($"{path}: line {line}: timestamp '{text.ToString()}' is neither Unix seconds nor an ISO-8601 date-time");
    }

    private static StreamReader Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new RecommendInputException($"{path}: file not found");
        }

        return new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 });
    }

    // The reader positioned after the header, and the header's column indexes by name (case-insensitive).
    private static (CsvRecordReader Csv, Dictionary<string, int> Columns) ReadHeader(StreamReader reader, string path)
    {
        var csv = new CsvRecordReader(reader);
        if (!csv.Read())
        {
            throw new RecommendInputException($"{path}: the file is empty");
        }

        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var f = 0; f < csv.FieldCount; f++)
        {
            columns.TryAdd(csv[f].Trim().ToString(), f);
        }

        return (csv, columns);
    }

    private static int Require(Dictionary<string, int> columns, string name, string path) =>
        columns.TryGetValue(name, out var index)
            ? index
            : throw new RecommendInputException($"{path}: missing required column '{name}' (found: {string.Join(", ", columns.Keys)})");

    private static string Text(CsvRecordReader csv, int field) => field >= 0 && field < csv.FieldCount ? csv[field].ToString() : "";
}
