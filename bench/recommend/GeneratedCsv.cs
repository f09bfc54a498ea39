using System.Text;

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
}
