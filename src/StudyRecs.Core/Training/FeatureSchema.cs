using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using StudyRecs.Core.Datasets;
using StudyRecs.Learning.Data;

namespace StudyRecs.Core.Training;

/// <summary>How a feature's value is obtained from a row.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeatureKind>))]
public enum FeatureKind
{
    /// <summary>A numeric gradebook column or numeric extra column, as is (NaN when empty).</summary>
    Numeric,

    /// <summary>1 when the source column equals <see cref="FeatureDefinition.Value"/>, else 0.</summary>
    OneHot,

    /// <summary>Computed from other columns (see <see cref="FeatureSchema"/>).</summary>
    Derived,
}

/// <summary>One input column of a model.</summary>
/// <param name="Name">Unique name, e.g. <c>midterm_marks</c>, <c>subject=Calculus</c>, <c>extra:Section=A</c>.</param>
/// <param name="Kind">How the value is obtained.</param>
/// <param name="Source">Gradebook column (<c>subject</c>), extra column (<c>extra:Section</c>) or derived feature name.</param>
/// <param name="Value">The one-hot value; null for other kinds.</param>
public sealed record FeatureDefinition(string Name, FeatureKind Kind, string Source, string? Value = null);

/// <summary>Column maxima the derived assessment mean is expressed against (percent of each maximum).</summary>
public sealed record AssessmentMaxima(double AssignmentMarks, double QuizMarks, double MidtermMarks);

/// <summary>
/// The input vector of a model, stored with it so a prediction builds exactly the vector the model learned from.
/// Features, in order: the numeric gradebook columns; subject and semester one-hot (values with enough rows);
/// extra columns (numeric as is, text one-hot of frequent values); derived <c>assessment_mean</c> (mean of the
/// available assignment, quiz and midterm marks in percent of their maxima), <c>assessment_mean_vs_subject</c> (that
/// mean minus the subject's mean in the training rows, the overall mean for unseen subjects) and
/// <c>attendance_band</c> (how many of <see cref="AttendanceBandLimits"/> the attendance reaches). Missing values are
/// NaN, which the tree engine routes on its own.
/// </summary>
public sealed record FeatureSchema(
    int FormatVersion,
    IReadOnlyList<FeatureDefinition> Features,
    IReadOnlyDictionary<string, double> SubjectMeans,
    double OverallAssessmentMean,
    IReadOnlyList<double> AttendanceBandLimits,
    AssessmentMaxima Maxima)
{
    public const int CurrentFormatVersion = 1;

    /// <summary>Attendance percentages that start a new band: under 60, 60-75, 75-90, 90 and above.</summary>
    private static readonly double[] DefaultAttendanceBandLimits = [60, 75, 90];

    /// <summary>A category value becomes a one-hot feature when at least this many rows have it...</summary>
    private const int MinimumCategoryRows = 5;

    /// <summary>...and at least this share of the rows.</summary>
    private const double MinimumCategoryShare = 0.01;

    /// <summary>The most frequent values kept per categorical column.</summary>
    private const int MaximumCategoryValues = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly string[] NumericColumns =
    [
        GradebookColumns.CanonicalName(GradebookColumn.Semester),
        GradebookColumns.CanonicalName(GradebookColumn.AssignmentMarks),
        GradebookColumns.CanonicalName(GradebookColumn.QuizMarks),
        GradebookColumns.CanonicalName(GradebookColumn.AttendancePercentage),
        GradebookColumns.CanonicalName(GradebookColumn.MidtermMarks),
        GradebookColumns.CanonicalName(GradebookColumn.PreviousCgpa),
    ];

    private const string ExtraPrefix = "extra:";
    private const string AssessmentMean = "assessment_mean";
    private const string AssessmentMeanVsSubject = "assessment_mean_vs_subject";
    private const string AttendanceBand = "attendance_band";

    /// <summary>Feature names in column order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> FeatureNames => Features.Select(f => f.Name).ToArray();

    private IReadOnlySet<string>? _knownSubjects;

    /// <summary>
    /// Subjects the model has a feature of its own for (its one-hot vocabulary). A subject outside it, also one seen in
    /// too few training rows to get a feature, is forecast like an average subject.
    /// </summary>
    [JsonIgnore]
    public IReadOnlySet<string> KnownSubjects =>
        _knownSubjects ??= Vocabulary(GradebookColumns.CanonicalName(GradebookColumn.Subject)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Extra gradebook columns the model reads as numbers (bare column names, as in a row's extra features).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> NumericExtraColumns =>
        Features.Where(f => f.Kind == FeatureKind.Numeric && f.Source.StartsWith(ExtraPrefix, StringComparison.Ordinal)).Select(f => f.Source[ExtraPrefix.Length..]).ToArray();

    /// <summary>The one-hot values of a categorical source (<c>subject</c>, <c>semester</c>, <c>extra:NAME</c>), in column order.</summary>
    public IReadOnlyList<string> Vocabulary(string source) =>
        Features.Where(f => f.Kind == FeatureKind.OneHot && f.Source == source).Select(f => f.Value!).ToArray();

    /// <summary>Builds the schema from training rows.</summary>
    public static FeatureSchema Build(IReadOnlyList<DatasetRow> rows, DatasetOptions datasetOptions)
    {
        ArgumentOutOfRangeException.ThrowIfZero(rows.Count);
        var maxima = new AssessmentMaxima(datasetOptions.AssignmentMarksMax, datasetOptions.QuizMarksMax, datasetOptions.MidtermMarksMax);
        var features = new List<FeatureDefinition>();
        features.AddRange(NumericColumns.Select(c => new FeatureDefinition(c, FeatureKind.Numeric, c)));
        AddOneHot(features, GradebookColumns.CanonicalName(GradebookColumn.Subject), rows.Select(r => (string?)r.Subject), rows.Count);
        AddOneHot(features, GradebookColumns.CanonicalName(GradebookColumn.Semester), rows.Select(r => (string?)Text(r.Semester)), rows.Count);
        AddExtraFeatures(features, rows);
        features.Add(new FeatureDefinition(AssessmentMean, FeatureKind.Derived, AssessmentMean));
        features.Add(new FeatureDefinition(AssessmentMeanVsSubject, FeatureKind.Derived, AssessmentMeanVsSubject));
        features.Add(new FeatureDefinition(AttendanceBand, FeatureKind.Derived, AttendanceBand));

        var sums = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
        double total = 0;
        var counted = 0;
        foreach (var row in rows)
        {
            var mean = MeanAssessmentPercent(row, maxima);
            if (double.IsNaN(mean))
            {
                continue;
            }

            var (sum, count) = sums.GetValueOrDefault(row.Subject);
            sums[row.Subject] = (sum + mean, count + 1);
            total += mean;
            counted++;
        }

        var subjectMeans = sums.OrderBy(s => s.Key, StringComparer.Ordinal)
            .ToDictionary(s => s.Key, s => s.Value.Sum / s.Value.Count, StringComparer.Ordinal);
        return new FeatureSchema(CurrentFormatVersion, features, subjectMeans, counted > 0 ? total / counted : 0, DefaultAttendanceBandLimits, maxima);
    }

    /// <summary>Writes the input vector of <paramref name="row"/> into <paramref name="destination"/> (length = feature count).</summary>
    public void Encode(DatasetRow row, Span<float> destination)
    {
        if (destination.Length != Features.Count)
        {
            throw new ArgumentException($"Need room for exactly {Features.Count} features.", nameof(destination));
        }

        using var extras = row.ExtraFeaturesJson is { Length: > 0 } json ? JsonDocument.Parse(json) : null;
        var assessment = MeanAssessmentPercent(row, Maxima);
        for (var i = 0; i < Features.Count; i++)
        {
            var feature = Features[i];
            destination[i] = (float)(feature.Kind switch
            {
                FeatureKind.Numeric when feature.Source.StartsWith(ExtraPrefix, StringComparison.Ordinal) =>
                    ExtraValue(extras, feature.Source) is { ValueKind: JsonValueKind.Number } number ? number.GetDouble() : double.NaN,
                FeatureKind.Numeric => NumericColumn(row, feature.Source),
                FeatureKind.OneHot => CategoryValue(row, extras, feature.Source) == feature.Value ? 1 : 0,
                _ => feature.Source switch
                {
                    AssessmentMean => assessment,
                    AssessmentMeanVsSubject => assessment - SubjectMeans.GetValueOrDefault(row.Subject, OverallAssessmentMean),
                    AttendanceBand => row.AttendancePercentage is { } attendance ? AttendanceBandLimits.Count(limit => attendance >= limit) : double.NaN,
                    _ => throw new InvalidOperationException($"Unknown derived feature '{feature.Source}'."),
                },
            });
        }
    }

    /// <summary>The input vector of <paramref name="row"/>.</summary>
    public float[] Encode(DatasetRow row)
    {
        var vector = new float[Features.Count];
        Encode(row, vector);
        return vector;
    }

    /// <summary>The input vectors of all rows, in order.</summary>
    public DenseMatrix EncodeAll(IReadOnlyList<DatasetRow> rows)
    {
        var matrix = new DenseMatrix(rows.Count, Features.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Encode(rows[i], matrix.Values.AsSpan(i * Features.Count, Features.Count));
        }

        return matrix;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a stored schema; throws <see cref="JsonException"/> for text that is not one, or a newer format.</summary>
    public static FeatureSchema FromJson(string json)
    {
        var schema = JsonSerializer.Deserialize<FeatureSchema>(json, Json) ?? throw new JsonException("The feature schema is empty.");
        if (schema.FormatVersion > CurrentFormatVersion)
        {
            throw new JsonException($"Feature schema format {schema.FormatVersion} is newer than this build understands ({CurrentFormatVersion}).");
        }

        return schema;
    }

    private static void AddOneHot(List<FeatureDefinition> features, string source, IEnumerable<string?> values, int rows)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is not null)
            {
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
        }

        var needed = Math.Max(MinimumCategoryRows, (int)Math.Ceiling(MinimumCategoryShare * rows));
        features.AddRange(counts.Where(c => c.Value >= needed)
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(MaximumCategoryValues)
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new FeatureDefinition($"{source}={c.Key}", FeatureKind.OneHot, source, c.Key)));
    }

    /// <summary>An extra column is numeric when every non-empty value is a JSON number, otherwise categorical; an always empty one is left out.</summary>
    private static void AddExtraFeatures(List<FeatureDefinition> features, IReadOnlyList<DatasetRow> rows)
    {
        var columns = new SortedDictionary<string, (bool AllNumeric, List<string?> Texts)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.ExtraFeaturesJson is not { Length: > 0 } json)
            {
                continue;
            }

            using var document = JsonDocument.Parse(json);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!columns.TryGetValue(property.Name, out var column))
                {
                    columns[property.Name] = column = (true, []);
                }

                var kind = property.Value.ValueKind;
                if (kind is JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    continue;
                }

                column.Texts.Add(TextValue(property.Value));
                if (kind != JsonValueKind.Number && column.AllNumeric)
                {
                    columns[property.Name] = (false, column.Texts);
                }
            }
        }

        foreach (var (name, column) in columns.Where(c => c.Value.Texts.Count > 0))
        {
            var source = ExtraPrefix + name;
            if (column.AllNumeric)
            {
                features.Add(new FeatureDefinition(source, FeatureKind.Numeric, source));
            }
            else
            {
                AddOneHot(features, source, column.Texts, rows.Count);
            }
        }
    }

    private static JsonElement? ExtraValue(JsonDocument? extras, string source) =>
        extras is not null && extras.RootElement.ValueKind == JsonValueKind.Object
            && extras.RootElement.TryGetProperty(source.AsSpan(ExtraPrefix.Length), out var value)
            ? value
            : null;

    private static string? CategoryValue(DatasetRow row, JsonDocument? extras, string source) => source switch
    {
        "subject" => row.Subject,
        "semester" => Text(row.Semester),
        _ => ExtraValue(extras, source) is { } value ? TextValue(value) : null,
    };

    private static string? TextValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    private static double NumericColumn(DatasetRow row, string source) => source switch
    {
        "semester" => row.Semester,
        "assignment_marks" => row.AssignmentMarks ?? double.NaN,
        "quiz_marks" => row.QuizMarks ?? double.NaN,
        "attendance_percentage" => row.AttendancePercentage ?? double.NaN,
        "midterm_marks" => row.MidtermMarks ?? double.NaN,
        "previous_cgpa" => row.PreviousCgpa ?? double.NaN,
        _ => throw new InvalidOperationException($"Unknown numeric column '{source}'."),
    };

    private static double MeanAssessmentPercent(DatasetRow row, AssessmentMaxima maxima)
    {
        double sum = 0;
        var count = 0;
        Add(row.AssignmentMarks, maxima.AssignmentMarks);
        Add(row.QuizMarks, maxima.QuizMarks);
        Add(row.MidtermMarks, maxima.MidtermMarks);
        return count > 0 ? sum / count : double.NaN;

        void Add(double? value, double maximum)
        {
            if (value is { } v)
            {
                sum += 100 * v / maximum;
                count++;
            }
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
