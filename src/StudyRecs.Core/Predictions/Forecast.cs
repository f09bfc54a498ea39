using System.Text.Json;

namespace StudyRecs.Core.Predictions;

/// <summary>
/// What a forecast is made from: one student's marks so far in one subject. Marks left null are not known yet (the
/// models were trained with such gaps and route them on their own). <see cref="Extras"/> holds values of extra columns
/// the active model learned from (by column name, numbers or text).
/// </summary>
public sealed record ForecastInput(
    int Semester,
    string Subject,
    double? AssignmentMarks,
    double? QuizMarks,
    double? AttendancePercentage,
    double? MidtermMarks,
    double? PreviousCgpa,
    IReadOnlyDictionary<string, JsonElement>? Extras = null);

/// <summary>A central interval of the final marks (e.g. 90 %: the true marks fall inside 9 times out of 10 on held-out students).</summary>
public sealed record MarksInterval(double Low, double High, double Level);

public sealed record GradeProbability(string Grade, double Probability);

/// <summary>One reason behind a forecast: how much one input moved the predicted marks (TreeSHAP, in marks).</summary>
/// <param name="Factor">Input name, e.g. <c>attendance_percentage</c>, <c>subject</c>, <c>assessment_average</c>, <c>extra:Section</c>.</param>
/// <param name="Label">Readable name, e.g. "attendance".</param>
/// <param name="Value">The input's value as shown, e.g. "62%"; "not known yet" when missing.</param>
/// <param name="Contribution">Marks added (positive) or taken away (negative) against the average forecast.</param>
/// <param name="Text">The factor in plain words.</param>
public sealed record ForecastFactor(string Factor, string Label, string Value, double Contribution, string Text);

/// <summary>A forecast of one student's final marks and grade in one subject.</summary>
/// <param name="SubjectKnown">False when the models never saw the subject: it is forecast like an average subject.</param>
/// <param name="AverageMarks">The baseline the factors move from: the models' average forecast, with what inputs not known
/// yet (and an unknown subject) do to it included, since they are no cause of anything.</param>
public sealed record Forecast(
    string Subject,
    int Semester,
    double PredictedMarks,
    MarksInterval Interval,
    string PredictedGrade,
    IReadOnlyList<GradeProbability> Probabilities,
    double FailProbability,
    bool AtRisk,
    double AverageMarks,
    IReadOnlyList<ForecastFactor> Factors,
    bool SubjectKnown,
    string RegressionVersion,
    string ClassificationVersion)
{
    /// <summary>Readable names of the inputs not known yet (e.g. "midterm marks"): the forecast sharpens once they are in.</summary>
    public IReadOnlyList<string> NotKnownYet { get; init; } = [];

    public double ProbabilityOf(string grade) =>
        Probabilities.FirstOrDefault(p => string.Equals(p.Grade, grade, StringComparison.OrdinalIgnoreCase))?.Probability ?? 0;
}

/// <summary>No forecast can be made because a model is missing.</summary>
public sealed class ModelsNotReadyException() : InvalidOperationException(
    "No forecast yet: the grade models have not been trained. A teacher uploads a gradebook with final marks and the training job builds them.");
