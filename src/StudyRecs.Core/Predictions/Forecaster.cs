using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;
using StudyRecs.Learning;

namespace StudyRecs.Core.Predictions;

/// <summary>
/// Turns a <see cref="ForecastInput"/> into a <see cref="Forecast"/> with the served models: the input vector from the
/// model's own feature schema, final marks with an interval from the cross-validated residual spread, calibrated grade
/// probabilities, the at-risk flag, and the strongest TreeSHAP factors in plain words. Stateless and thread-safe.
/// </summary>
public sealed class Forecaster(IOptions<PredictionOptions> options, IOptions<DatasetOptions> datasetOptions)
{
    private const double IntervalLevel = 0.9;

    /// <summary>Decimals of the headline marks (pages show one).</summary>
    private const int MarksDecimals = 1;

    /// <summary>How many standard deviations of the known subjects' forecasts widen each side of an unknown subject's
    /// interval (1.645: the 90 % level again, as if the subject were drawn from the known ones).</summary>
    private const double UnknownSubjectZ = 1.645;

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
        var subjectKnown = regression.Schema.KnownSubjects.Contains(input.Subject);
        var model = classification.Model;
        var p = new double[model.ClassCount];
        double marks;
        double[]? shap = null;
        var spread = 0.0;
        if (subjectKnown || regression.Schema.KnownSubjects.Count == 0)
        {
            marks = regression.Model.Predict(x);
            model.PredictProbabilities(ReferenceEquals(classification.Schema, regression.Schema) ? x : classification.Schema.Encode(row), p);
            shap = explain ? regression.Model.As<IExplainableModel>()?.Explain(x) : null;
        }
        else
        {
            // A subject the models never saw is forecast like an average subject: the mean of the forecasts as each
            // known subject, and an interval widened by how much those differ.
            (marks, spread, shap) = AverageOverSubjects(regression, classification, row, p, explain ? regression.Model.As<IExplainableModel>() : null);
        }

        // Rounded to the tenth of a mark every page, export and answer shows, so that the grade, the band of these
        // marks, is the band of the marks the reader sees (74.96 shown as 75.0 with a B would contradict itself).
        marks = Math.Round(Math.Clamp(marks, 0, _datasets.FinalMarksMax), MarksDecimals, MidpointRounding.AwayFromZero);
        var residuals = regression.Regression!.Residuals;
        var widen = UnknownSubjectZ * spread;
        var interval = new MarksInterval(
            Math.Clamp(marks + residuals.Quantile05 - widen, 0, _datasets.FinalMarksMax),
            Math.Clamp(marks + residuals.Quantile95 + widen, 0, _datasets.FinalMarksMax),
            IntervalLevel);

        var (grade, probabilities) = CoherentGrades.Reconcile(_scale, 100 * marks / _datasets.FinalMarksMax, model.ClassLabels, p);
        double fail = 0;
        foreach (var g in probabilities)
        {
            if (_options.FailingGrades.Contains(g.Grade, StringComparer.OrdinalIgnoreCase))
            {
                fail += g.Probability;
            }
        }

        var (factors, average, notKnownYet) = shap is null ? ([], double.NaN, []) : Explain(regression, shap, row, subjectKnown);
        return new Forecast(
            input.Subject, input.Semester, marks, interval, grade, probabilities, fail, fail >= _options.AtRiskProbability,
            average, factors, subjectKnown, regression.Version, classification.Version)
        {
            NotKnownYet = notKnownYet,
        };
    }

    /// <summary>Forecasts <paramref name="row"/> as each known subject in turn: the mean marks, their standard
    /// deviation, the mean grade probabilities (into <paramref name="p"/>) and the mean TreeSHAP values.</summary>
    private static (double Marks, double Spread, double[]? Shap) AverageOverSubjects(
        ServingModel regression, ServingModel classification, DatasetRow row, double[] p, IExplainableModel? explainer)
    {
        var subjects = regression.Schema.KnownSubjects;
        var actual = row.Subject;
        var each = new double[subjects.Count];
        var probabilities = new double[p.Length];
        double[]? shap = null;
        var i = 0;
        try
        {
            foreach (var subject in subjects)
            {
                row.Subject = subject;
                var x = regression.Schema.Encode(row);
                each[i++] = regression.Model.Predict(x);
                classification.Model.PredictProbabilities(ReferenceEquals(classification.Schema, regression.Schema) ? x : classification.Schema.Encode(row), probabilities);
                for (var c = 0; c < p.Length; c++)
                {
                    p[c] += probabilities[c] / subjects.Count;
                }

                if (explainer is not null)
                {
                    var values = explainer.Explain(x);
                    shap ??= new double[values.Length];
                    for (var f = 0; f < values.Length; f++)
                    {
                        shap[f] += values[f] / subjects.Count;
                    }
                }
            }
        }
        finally
        {
            row.Subject = actual;
        }

        var mean = each.Average();
        var spread = Math.Sqrt(each.Sum(m => (m - mean) * (m - mean)) / each.Length);
        return (mean, spread, shap);
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

    /// <summary>
    /// The strongest factors behind a forecast. Inputs not known yet are no cause of anything: their share of the
    /// TreeSHAP values joins the baseline (the forecast for a student about whom only the known inputs are known) and
    /// they are listed as not known yet; for an unknown subject the subject's share joins the baseline too.
    /// </summary>
    private (IReadOnlyList<ForecastFactor> Factors, double Average, IReadOnlyList<string> NotKnownYet) Explain(
        ServingModel regression, double[] shap, DatasetRow row, bool subjectKnown)
    {
        var map = FactorMaps.GetValue(regression, m => new FactorMap(m.Schema));
        var totals = new double[map.Names.Count];
        for (var f = 0; f < map.FactorOf.Length; f++)
        {
            totals[map.FactorOf[f]] += shap[f];
        }

        var baseline = shap[^1];
        var notKnownYet = new List<string>();
        var causes = new List<int>(totals.Length);
        for (var i = 0; i < totals.Length; i++)
        {
            var name = map.Names[i];
            if (name == "subject" && !subjectKnown)
            {
                baseline += totals[i];
            }
            else if (!IsKnown(name, row))
            {
                baseline += totals[i];
                notKnownYet.Add(Read(name, row).Label);
            }
            else
            {
                causes.Add(i);
            }
        }

        // The strongest first (a stable sort: ties keep the factors' order), and only those shown are put in words.
        causes.Sort((a, b) => Math.Abs(totals[b]).CompareTo(Math.Abs(totals[a])) is var c and not 0 ? c : a.CompareTo(b));
        var factors = new List<ForecastFactor>(_options.TopFactors);
        foreach (var i in causes.Take(_options.TopFactors))
        {
            if (Math.Abs(totals[i]) < NegligibleMarks)
            {
                break;
            }

            factors.Add(Describe(map.Names[i], totals[i], row));
        }

        return (factors, baseline, notKnownYet);
    }

    /// <summary>A factor's readable name and its value as shown, null when the input is not known yet.</summary>
    private (string Label, string? Value) Read(string factor, DatasetRow row) => factor switch
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

    /// <summary>Whether <see cref="Read"/> gives the factor a value, without writing the value.</summary>
    private bool IsKnown(string factor, DatasetRow row) => factor switch
    {
        "attendance_percentage" => row.AttendancePercentage is { } a && !double.IsNaN(a),
        "assignment_marks" => row.AssignmentMarks is not null,
        "quiz_marks" => row.QuizMarks is not null,
        "midterm_marks" => row.MidtermMarks is not null,
        "previous_cgpa" => row.PreviousCgpa is not null,
        "semester" => true,
        "subject" => row.Subject is not null,
        FactorMap.AssessmentAverage => !double.IsNaN(AssessmentPercent(row)),
        _ => Read(factor, row).Value is not null,
    };

    private ForecastFactor Describe(string factor, double contribution, DatasetRow row)
    {
        var (label, value) = Read(factor, row);
        var moved = contribution >= 0 ? "raised" : "lowered";
        var amount = Math.Abs(contribution).ToString("0.0", CultureInfo.InvariantCulture);
        var text = factor == "subject"
            ? $"taking {row.Subject} {moved} the forecast by {amount} marks"
            : $"{Capitalize(label)} of {value} {moved} the forecast by {amount} marks";
        return new ForecastFactor(factor, label, value!, contribution, Capitalize(text));
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
