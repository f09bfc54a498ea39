using System.Globalization;
using System.Text;
using StudyRecs.Learning.Recommend;

/// <summary>Reads the CSV files of <c>studyrecs generate engagement</c> (shared by the recommender benchmarks).</summary>
internal static class GeneratedCsv
{
    /// <summary>Rows by header name; fields may be quoted with doubled quotes inside, but hold no line breaks.</summary>
    public static IEnumerable<Dictionary<string, string>> Read(string path)
    {
        string[]? header = null;
        foreach (var line in File.ReadLines(path))
        {
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            for (var c = 0; c < line.Length; c++)
            {
                if (quoted && line[c] == '"' && c + 1 < line.Length && line[c + 1] == '"')
                {
                    field.Append('"');
                    c++;
                }
                else if (line[c] == '"')
                {
                    quoted = !quoted;
                }
                else if (line[c] == ',' && !quoted)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(line[c]);
                }
            }

            fields.Add(field.ToString());
            if (header is null)
            {
                header = [.. fields];
                continue;
            }

            yield return header.Select((h, i) => (h, Value: i < fields.Count ? fields[i] : "")).ToDictionary(p => p.h, p => p.Value);
        }
    }

    /// <summary>The generated interactions file (no quoted fields): user_id,item_id,timestamp,weight,event.</summary>
    public static InteractionLog Interactions(string path)
    {
        var users = new IdIndex();
        var items = new IdIndex();
        var events = new List<Interaction>(3_000_000);
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            if (!InteractionKinds.TryParse(f[4], out var kind))
            {
                throw new InvalidDataException($"unknown event '{f[4]}'");
            }

            events.Add(new Interaction(users.GetOrAdd(f[0]), items.GetOrAdd(f[1]), long.Parse(f[2], CultureInfo.InvariantCulture),
                float.Parse(f[3], CultureInfo.InvariantCulture), kind));
        }

        return new InteractionLog(users, items, [.. events]);
    }

    /// <summary>The generated resources file: item_id plus text and facet columns, aligned with <paramref name="catalog"/>.</summary>
    public static List<ItemText?> Items(string path, IdIndex catalog)
    {
        var texts = new ItemText?[catalog.Count];
        foreach (var row in Read(path))
        {
            if (catalog.TryGetIndex(row["item_id"], out var i))
            {
                texts[i] = new ItemText(row["title"], row["description"], row["subject"], row["topic"], row["tags"])
                {
                    Type = row["type"],
                    Difficulty = row["difficulty"],
                };
            }
        }

        return [.. texts];
    }
}
