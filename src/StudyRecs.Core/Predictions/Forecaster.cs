using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Predictions;

/// <summary>
/// Turns a <see cref="ForecastInput"/> into a <see cref="Forecast"/> with the served models: the input vector from the
/// model's own feature schema, final marks with an interval from the cross-validated residual spread, calibrated grade
/// probabilities, the at-risk flag, and the strongest TreeSHAP factors in plain words. Stateless and thread-safe.
/// </summary>
public sealed class Forecaster(IOptions<PredictionOptions> options, IOptions<DatasetOptions> datasetOptions)
{
    private const double IntervalLevel = 0.9;

    /// <summary>Factors moving the forecast by less than this many marks are not worth a sentence.</summary>
    private const double NegligibleMarks = 0.05;

    private static readonly ConditionalWeakTable<ServingModel, FactorMap> FactorMaps = new();

    private readonly PredictionOptions _options = options.Value;
    private readonly DatasetOptions _datasets = datasetOptions.Value;
    private readonly GradeScale _scale = datasetOptions.Value.BuildGradeScale();

    /// <summary>Forecasts one subject. <paramref name="explain"/> false skips the factors (for lists of many rows).</summary>
    /// <exception cref="ModelsNotReadyException">A model is missing.</exception>
    public Forecast Predict(ServingModels models, ForecastInput input, bool explain = true)
    {
        if (models.Regression is not { } regression || models.Classification is not { } classification)
        {
            throw new ModelsNotReadyException();
        }

        var row = ToRow(input);
        var x = regression.Schema.Encode(row);
        var marks = Math.Clamp(regression.Model.Predict(x), 0, _datasets.FinalMarksMax);
        var residuals = regression.Regression!.Residuals;
        var interval = new MarksInterval(
            Math.Clamp(marks + residuals.Quantile05, 0, _datasets.FinalMarksMax),
            Math.Clamp(marks + residuals.Quantile95, 0, _datasets.FinalMarksMax),
            IntervalLevel);

        var gradeInputs = ReferenceEquals(classification.Schema, regression.Schema) ? x : classification.Schema.Encode(row);
        var model = classification.Model;
        Span<double> p = stackalloc double[model.ClassCount];
        model.PredictProbabilities(gradeInputs, p);
        var (grade, probabilities) = CoherentGrades.Reconcile(_scale, 100 * marks / _datasets.FinalMarksMax, model.ClassLabels, p);
        double fail = 0;
        foreach (var g in probabilities)
        {
            if (_options.FailingGrades.Contains(g.Grade, StringComparer.OrdinalIgnoreCase))
            {
                fail += g.Probability;
            }
        }

        var (factors, average) = explain ? Explain(regression, x, row) : ([], double.NaN);
        return new Forecast(
            input.Subject, input.Semester, marks, interval, grade, probabilities, fail, fail >= _options.AtRiskProbability,
            average, factors, regression.Schema.KnownSubjects.Contains(input.Subject), regression.Version, classification.Version);
    }

    /// <summary>The dataset row a forecast input stands for (student id and final results empty).</summary>
    public static DatasetRow ToRow(ForecastInput input) => new()
    {
        StudentId = "",
        Semester = input.Semester,
        Subject = input.Subject,
        AssignmentMarks = input.AssignmentMarks,
        QuizMarks = input.QuizMarks,
        AttendancePercentage = input.AttendancePercentage,
        MidtermMarks = input.MidtermMarks,
        PreviousCgpa = input.PreviousCgpa,
        ExtraFeaturesJson = input.Extras is { Count: > 0 } extras ? JsonSerializer.Serialize(extras) : null,
    };

    /// <summary>The input of a stored dataset row.</summary>
    public static ForecastInput FromRow(DatasetRow row) => new(
        row.Semester, row.Subject, row.AssignmentMarks, row.QuizMarks, row.AttendancePercentage, row.MidtermMarks, row.PreviousCgpa,
        row.ExtraFeaturesJson is { Length: > 0 } json ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) : null);

    private (IReadOnlyList<ForecastFactor> Factors, double Average) Explain(ServingModel regression, float[] x, DatasetRow row)
    {
        var map = FactorMaps.GetValue(regression, m => new FactorMap(m.Schema));
        var shap = regression.Model.Explain(x);
        var totals = new double[map.Names.Count];
        for (var f = 0; f < map.FactorOf.Length; f++)
        {
            totals[map.FactorOf[f]] += shap[f];
        }

        var factors = new List<ForecastFactor>(_options.TopFactors);
        foreach (var i in Enumerable.Range(0, totals.Length).OrderByDescending(i => Math.Abs(totals[i])).Take(_options.TopFactors))
        {
            if (Math.Abs(totals[i]) < NegligibleMarks)
            {
                break;
            }

            factors.Add(Describe(map.Names[i], totals[i], row));
        }

        return (factors, shap[^1]);
    }

    private ForecastFactor Describe(string factor, double contribution, DatasetRow row)
    {
        var (label, value) = factor switch
        {
            "attendance_percentage" => ("attendance", Percent(row.AttendancePercentage)),
            "assignment_marks" => ("assignment marks", OutOf(row.AssignmentMarks, _datasets.AssignmentMarksMax)),
            "quiz_marks" => ("quiz marks", OutOf(row.QuizMarks, _datasets.QuizMarksMax)),
            "midterm_marks" => ("midterm marks", OutOf(row.MidtermMarks, _datasets.MidtermMarksMax)),
            "previous_cgpa" => ("previous CGPA", row.PreviousCgpa is { } g ? g.ToString("0.00", CultureInfo.InvariantCulture) : null),
            "semester" => ("semester", row.Semester.ToString(CultureInfo.InvariantCulture)),
            "subject" => ("the subject", row.Subject),
            FactorMap.AssessmentAverage => ("the average of assignment, quiz and midterm marks", Percent(AssessmentPercent(row))),
            _ when factor.StartsWith("extra:", StringComparison.Ordinal) => (factor["extra:".Length..], ExtraText(row, factor["extra:".Length..])),
            _ => (factor, null),
        };

        var moved = contribution >= 0 ? "raised" : "lowered";
        var amount = Math.Abs(contribution).ToString("0.0", CultureInfo.InvariantCulture);
        var text = factor switch
        {
            "subject" => $"taking {row.Subject} {moved} the forecast by {amount} marks",
            _ when value is null => $"{Capitalize(label)} not known yet {moved} the forecast by {amount} marks",
            _ => $"{Capitalize(label)} of {value} {moved} the forecast by {amount} marks",
        };
        return new ForecastFactor(factor, label, value ?? "not known yet", contribution, Capitalize(text));
    }

    private double AssessmentPercent(DatasetRow row)
    {
        double sum = 0;
        var count = 0;
        foreach (var (value, max) in new[] { (row.AssignmentMarks, _datasets.AssignmentMarksMax), (row.QuizMarks, _datasets.QuizMarksMax), (row.MidtermMarks, _datasets.MidtermMarksMax) })
        {
            if (value is { } v && max > 0)
            {
                sum += 100 * v / max;
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    private static string? Percent(double? value) =>
        value is { } v && !double.IsNaN(v) ? v.ToString("0.#", CultureInfo.InvariantCulture) + "%" : null;

    private static string? OutOf(double? value, double max) =>
        value is { } v ? $"{v.ToString("0.#", CultureInfo.InvariantCulture)}/{max.ToString("0.#", CultureInfo.InvariantCulture)}" : null;

    private static string? ExtraText(DatasetRow row, string column)
    {
        if (row.ExtraFeaturesJson is not { Length: > 0 } json)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty(column, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble().ToString("0.##", CultureInfo.InvariantCulture),
            JsonValueKind.String => value.GetString(),
            _ => null,
        } : null;
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>Which readable factor each model input belongs to: one-hot columns join their source, derived marks join one "assessment average".</summary>
    private sealed class FactorMap
    {
        public const string AssessmentAverage = "assessment_average";

        public FactorMap(FeatureSchema schema)
        {
            var names = new List<string>();
            FactorOf = new int[schema.Features.Count];
            for (var i = 0; i < schema.Features.Count; i++)
            {
                var feature = schema.Features[i];
                var name = feature.Kind switch
                {
                    FeatureKind.Derived when feature.Source == "attendance_band" => "attendance_percentage",
                    FeatureKind.Derived => AssessmentAverage,
                    _ => feature.Source,
                };
                var index = names.IndexOf(name);
                if (index < 0)
                {
                    index = names.Count;
                    names.Add(name);
                }

                FactorOf[i] = index;
            }

            Names = names;
        }

        public int[] FactorOf { get; }

        public List<string> Names { get; }
    }
}
