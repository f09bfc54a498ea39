using System.Globalization;
using StudyRecs.Learning.Data;

namespace StudyRecs.Cli.Learning;

/// <summary>
/// Turns a CSV table into a feature matrix and labels for one task: numeric columns are features,
/// non-numeric columns are one-hot encoded (their most frequent levels), the target and group
/// columns are excluded; classification targets are mapped to class indices in sorted order.
/// </summary>
internal sealed class LearningDataset
{
    /// <summary>Levels one-hot encoded per text column; rarer levels get all-zero indicators.</summary>
    public const int MaximumLevels = 100;

    private LearningDataset(DenseMatrix features, float[] labels, string[] featureNames, string[] classes, string[]? groups, IReadOnlyList<string> notes)
    {
        Features = features;
        Labels = labels;
        FeatureNames = featureNames;
        Classes = classes;
        Groups = groups;
        Notes = notes;
    }

    public DenseMatrix Features { get; }

    public float[] Labels { get; }

    public string[] FeatureNames { get; }

    /// <summary>Class names by index (classification), empty for regression.</summary>
    public string[] Classes { get; }

    public string[]? Groups { get; }

    /// <summary>Remarks worth printing (e.g. levels left out of a one-hot encoding).</summary>
    public IReadOnlyList<string> Notes { get; }

    public static LearningDataset Create(CsvTable table, string target, LearningTask task, string? group)
    {
        var targetColumn = Array.IndexOf(table.Header, target);
        if (targetColumn < 0)
        {
            throw new LearnInputException($"Unknown target column '{target}'; the columns are: {string.Join(", ", table.Header)}.");
        }

        var groupColumn = -1;
        if (group is not null)
        {
            groupColumn = Array.IndexOf(table.Header, group);
            if (groupColumn < 0)
            {
                throw new LearnInputException($"Unknown group column '{group}'; the columns are: {string.Join(", ", table.Header)}.");
            }

            if (groupColumn == targetColumn)
            {
                throw new LearnInputException("The group column cannot be the target column.");
            }
        }

        var (labels, classes) = ReadLabels(table, targetColumn, task);
        var notes = new List<string>();
        var names = new List<string>();
        var sources = new List<Func<int, float>>();
        for (var c = 0; c < table.Header.Length; c++)
        {
            if (c == targetColumn || c == groupColumn)
            {
                continue;
            }

            if (table.IsNumeric[c])
            {
                var values = table.Numbers[c];
                names.Add(table.Header[c]);
                sources.Add(r => values[r]);
                continue;
            }

            var text = table.Text(c);
            var levels = text.Where(t => t.Length > 0).GroupBy(t => t, StringComparer.Ordinal)
                .Select(g => (Level: g.Key, Count: g.Count())).OrderByDescending(l => l.Count).ThenBy(l => l.Level, StringComparer.Ordinal).ToList();
            if (levels.Count > MaximumLevels)
            {
                notes.Add($"column '{table.Header[c]}' has {levels.Count} distinct values; one-hot encoding the {MaximumLevels} most frequent");
                levels = levels.Take(MaximumLevels).ToList();
            }

            foreach (var (level, _) in levels.OrderBy(l => l.Level, StringComparer.Ordinal))
            {
                names.Add($"{table.Header[c]}={level}");
                // Missing cells stay missing in every indicator; other levels are 0.
                sources.Add(r => text[r].Length == 0 ? float.NaN : string.Equals(text[r], level, StringComparison.Ordinal) ? 1f : 0f);
            }
        }

        if (names.Count == 0)
        {
            throw new LearnInputException("The file has no feature columns besides the target.");
        }

        var rows = table.Rows;
        var features = new DenseMatrix(rows, names.Count);
        var width = names.Count;
        Parallel.For(0, width, f =>
        {
            var source = sources[f];
            var values = features.Values;
            for (var r = 0; r < rows; r++)
            {
                values[((long)r * width) + f] = source(r);
            }
        });

        var groups = groupColumn >= 0 ? table.Text(groupColumn) : null;
        if (groups is not null && groups.Any(g => g.Length == 0))
        {
            throw new LearnInputException($"The group column '{group}' has empty cells.");
        }

        return new LearningDataset(features, labels, [.. names], classes, groups, notes);
    }

    private static (float[] Labels, string[] Classes) ReadLabels(CsvTable table, int column, LearningTask task)
    {
        var name = table.Header[column];
        var rows = table.Rows;
        if (task == LearningTask.Regression)
        {
            if (!table.IsNumeric[column])
            {
                var example = table.Text(column).First(t => t.Length > 0 && !float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
                throw new LearnInputException($"The target column '{name}' is not numeric (found '{example}'); regression needs a numeric target.");
            }

            var values = table.Numbers[column];
            var missing = values.Count(float.IsNaN);
            if (missing > 0)
            {
                throw new LearnInputException($"The target column '{name}' has {missing} empty cell(s); every row needs a target value.");
            }

            return (values, []);
        }

        string[] classes;
        var labels = new float[rows];
        if (table.IsNumeric[column])
        {
            var values = table.Numbers[column];
            var missing = values.Count(float.IsNaN);
            if (missing > 0)
            {
                throw new LearnInputException($"The target column '{name}' has {missing} empty cell(s); every row needs a class.");
            }

            var distinct = values.Distinct().Order().ToArray();
            var index = distinct.Select((v, i) => (v, i)).ToDictionary(x => x.v, x => x.i);
            for (var r = 0; r < rows; r++)
            {
                labels[r] = index[values[r]];
            }

            classes = distinct.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        else
        {
            var text = table.Text(column);
            var missing = text.Count(t => t.Length == 0);
            if (missing > 0)
            {
                throw new LearnInputException($"The target column '{name}' has {missing} empty cell(s); every row needs a class.");
            }

            classes = text.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var index = classes.Select((v, i) => (v, i)).ToDictionary(x => x.v, x => x.i, StringComparer.Ordinal);
            for (var r = 0; r < rows; r++)
            {
                labels[r] = index[text[r]];
            }
        }

        if (classes.Length < 2)
        {
            throw new LearnInputException($"The target column '{name}' has only one class ('{classes[0]}'); classification needs at least two.");
        }

        if (task == LearningTask.BinaryClassification && classes.Length != 2)
        {
            throw new LearnInputException($"The target column '{name}' has {classes.Length} classes; --task binary needs exactly two (use --task multiclass).");
        }

        return (labels, classes);
    }
}
