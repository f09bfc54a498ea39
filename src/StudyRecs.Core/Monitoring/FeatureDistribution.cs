using System.Text.Json;
using System.Text.Json.Serialization;

namespace StudyRecs.Core.Monitoring;

/// <summary>
/// What a model is asked to score, in the gradebook's own inputs: an uploaded row or a forecast's input. Drift is
/// watched on these rather than on the model's encoded vector, so a one-hot or derived column never hides which
/// input moved. The semester is left out: it advances every term by design.
/// </summary>
public readonly record struct MonitoredInput(
    string Subject,
    double? AssignmentMarks,
    double? QuizMarks,
    double? AttendancePercentage,
    double? MidtermMarks,
    double? PreviousCgpa);

[JsonConverter(typeof(JsonStringEnumConverter<FeatureDistributionKind>))]
public enum FeatureDistributionKind
{
    /// <summary>Quantile bins of the training values, plus a bin of its own for missing values.</summary>
    Numeric,

    /// <summary>One bin per value seen in training, plus one for values never seen.</summary>
    Categorical,
}

/// <summary>
/// One feature's training distribution. Numeric: <see cref="Edges"/> are the inclusive upper limits of all bins but
/// the last (training quantiles), <see cref="Shares"/> has one entry per bin and the last slot is the share of missing
/// values. Categorical: one share per entry of <see cref="Categories"/>, and the last slot (values outside them) is 0.
/// </summary>
public sealed record FeatureDistribution(
    string Feature,
    FeatureDistributionKind Kind,
    double[] Edges,
    string[] Categories,
    double[] Shares,
    double Min,
    double Max,
    long Count)
{
    /// <summary>The slot a numeric value falls in; null (missing) goes to the last slot.</summary>
    public int SlotOf(double? value)
    {
        if (value is not { } v || double.IsNaN(v))
        {
            return Edges.Length + 1;
        }

        var index = Array.BinarySearch(Edges, v);
        return index >= 0 ? index : ~index;
    }

    /// <summary>The slot of a category; a value not seen in training goes to the last slot.</summary>
    public int SlotOf(string value)
    {
        var index = Array.IndexOf(Categories, value);
        return index >= 0 ? index : Categories.Length;
    }

    /// <summary>Whether a present value lies outside what training saw (below its minimum, above its maximum, or an unseen category).</summary>
    public bool IsOutOfRange(double value) => value < Min || value > Max;
}

/// <summary>The training data's per-feature distributions, stored with every model version.</summary>
public sealed record TrainingProfile(int FormatVersion, long Rows, IReadOnlyList<FeatureDistribution> Features)
{
    public const int CurrentFormatVersion = 1;

    /// <summary>Quantile bins per numeric feature.</summary>
    public const int DefaultBins = 10;

    /// <summary>The most frequent categories kept; rarer ones count as unseen.</summary>
    private const int MaximumCategories = 200;

    public static readonly string[] NumericFeatures = ["assignment_marks", "quiz_marks", "attendance_percentage", "midterm_marks", "previous_cgpa"];

    public const string SubjectFeature = "subject";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The value of <see cref="NumericFeatures"/>[<paramref name="index"/>] in <paramref name="input"/>.</summary>
    public static double? NumericValue(in MonitoredInput input, int index) => index switch
    {
        0 => input.AssignmentMarks,
        1 => input.QuizMarks,
        2 => input.AttendancePercentage,
        3 => input.MidtermMarks,
        4 => input.PreviousCgpa,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>Builds the profile of training rows: quantile bins for the numeric inputs, value shares for the subject.</summary>
    public static TrainingProfile Build(IReadOnlyList<MonitoredInput> rows, int bins = DefaultBins)
    {
        ArgumentOutOfRangeException.ThrowIfZero(rows.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        var features = new List<FeatureDistribution>();
        for (var f = 0; f < NumericFeatures.Length; f++)
        {
            var values = new List<double>(rows.Count);
            foreach (var row in rows)
            {
                if (NumericValue(row, f) is { } v && !double.IsNaN(v))
                {
                    values.Add(v);
                }
            }

            features.Add(Numeric(NumericFeatures[f], values, rows.Count, bins));
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            counts[row.Subject] = counts.GetValueOrDefault(row.Subject) + 1;
        }

        var categories = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(MaximumCategories)
            .OrderBy(c => c.Key, StringComparer.Ordinal).ToArray();
        var shares = categories.Select(c => (double)c.Value / rows.Count).Append(0).ToArray();
        features.Add(new FeatureDistribution(SubjectFeature, FeatureDistributionKind.Categorical, [], categories.Select(c => c.Key).ToArray(), shares, 0, 0, rows.Count));
        return new TrainingProfile(CurrentFormatVersion, rows.Count, features);
    }

    private static FeatureDistribution Numeric(string name, List<double> values, long rows, int bins)
    {
        values.Sort();
        var edges = new List<double>();
        if (values.Count > 0)
        {
            for (var k = 1; k < bins; k++)
            {
                var edge = values[(int)((long)k * (values.Count - 1) / bins)];
                if (edges.Count == 0 || edge > edges[^1])
                {
                    edges.Add(edge);
                }
            }

            // The top bin must hold something: a last edge equal to the maximum leaves it empty in training.
            if (edges.Count > 0 && edges[^1] >= values[^1])
            {
                edges.RemoveAt(edges.Count - 1);
            }
        }

        var distribution = new FeatureDistribution(name, FeatureDistributionKind.Numeric, [.. edges], [], new double[edges.Count + 2],
            values.Count > 0 ? values[0] : double.NaN, values.Count > 0 ? values[^1] : double.NaN, rows);
        foreach (var value in values)
        {
            distribution.Shares[distribution.SlotOf(value)]++;
        }

        distribution.Shares[^1] = rows - values.Count;
        for (var i = 0; i < distribution.Shares.Length; i++)
        {
            distribution.Shares[i] /= rows;
        }

        return distribution;
    }

    public FeatureDistribution? Feature(string name) => Features.FirstOrDefault(f => f.Feature == name);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a stored profile; throws <see cref="JsonException"/> for text that is not one, or a newer format.</summary>
    public static TrainingProfile FromJson(string json)
    {
        var profile = JsonSerializer.Deserialize<TrainingProfile>(json, Json) ?? throw new JsonException("The training profile is empty.");
        return profile.FormatVersion > CurrentFormatVersion
            ? throw new JsonException($"Training profile format {profile.FormatVersion} is newer than this build understands ({CurrentFormatVersion}).")
            : profile;
    }
}
