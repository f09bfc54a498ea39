using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;

namespace StudyRecs.Web.Features.Predictions;

/// <summary>The outcome of reading a <c>POST /api/predict</c> body: the input, or the problems per field.</summary>
internal sealed record PredictRequest(ForecastInput? Input, Dictionary<string, string[]> Errors, List<string> Warnings)
{
    public bool IsValid => Input is not null && Errors.Count == 0;
}

/// <summary>
/// Strict reader of the forecast payload: a JSON object with <c>semester</c> and <c>subject</c> (required), the marks
/// (<c>assignment_marks</c>, <c>quiz_marks</c>, <c>attendance_percentage</c>, <c>midterm_marks</c>, <c>previous_cgpa</c>:
/// numbers in range, or null/absent when not known yet) and the extra columns the active model learned from, by
/// their column name. Anything else, a wrong type or an out-of-range value is an error naming the field. A subject
/// the models never saw is accepted with a warning and forecast like an average subject.
/// </summary>
internal static class PredictRequestReader
{
    public const int MaxSemester = 20;

    /// <summary>How the message of a field that is neither a known field nor an extra column of the model starts.</summary>
    public const string UnknownField = "Unknown field.";

    public static readonly string[] KnownFields =
        ["semester", "subject", "assignment_marks", "quiz_marks", "attendance_percentage", "midterm_marks", "previous_cgpa"];

    /// <summary>The extra columns each serving pair knows, read from its schemas once (every forecast request asks).</summary>
    private static readonly ConditionalWeakTable<ServingModels, HashSet<string>> ExtraColumns = new();

    public static PredictRequest Read(JsonElement root, DatasetOptions limits, ServingModels models)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var warnings = new List<string>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["$"] = ["The body must be a JSON object, e.g. {\"semester\": 3, \"subject\": \"Calculus\", \"attendance_percentage\": 82}."];
            return new PredictRequest(null, errors, warnings);
        }

        var extraColumns = ExtraColumns.GetValue(models, m => (m.Regression?.Schema.Features ?? []).Concat(m.Classification?.Schema.Features ?? [])
            .Where(f => f.Source.StartsWith("extra:", StringComparison.Ordinal))
            .Select(f => f.Source["extra:".Length..])
            .ToHashSet(StringComparer.Ordinal));

        int? semester = null;
        string? subject = null;
        double? assignment = null, quiz = null, attendance = null, midterm = null, cgpa = null;
        var extras = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var seen = new HashSet<string>(KnownFields.Length, StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            if (!seen.Add(name))
            {
                errors[name] = ["The field is given twice."];
                continue;
            }

            var value = property.Value;
            switch (name)
            {
                case "semester":
                    if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var s) && s is >= 1 and <= MaxSemester)
                    {
                        semester = s;
                    }
                    else
                    {
                        errors[name] = [$"Must be a whole number from 1 to {MaxSemester}."];
                    }

                    break;
                case "subject":
                    if (value.ValueKind == JsonValueKind.String && value.GetString()!.Trim() is { Length: > 0 and <= GradebookColumns.MaxIdentifierLength } text)
                    {
                        subject = text;
                    }
                    else
                    {
                        errors[name] = [$"Must be the subject's name as text (1 to {GradebookColumns.MaxIdentifierLength} characters)."];
                    }

                    break;
                case "assignment_marks":
                    assignment = Number(name, value, limits.AssignmentMarksMax, errors);
                    break;
                case "quiz_marks":
                    quiz = Number(name, value, limits.QuizMarksMax, errors);
                    break;
                case "attendance_percentage":
                    attendance = Number(name, value, limits.AttendanceMax, errors);
                    break;
                case "midterm_marks":
                    midterm = Number(name, value, limits.MidtermMarksMax, errors);
                    break;
                case "previous_cgpa":
                    cgpa = Number(name, value, limits.CgpaScale, errors);
                    break;
                default:
                    if (!extraColumns.Contains(name))
                    {
                        errors[name] = [extraColumns.Count == 0
                            ? $"{UnknownField} Allowed: {string.Join(", ", KnownFields)}."
                            : $"{UnknownField} Allowed: {string.Join(", ", KnownFields)}, and the extra columns the active model knows: {string.Join(", ", extraColumns.Order(StringComparer.Ordinal))}."];
                    }
                    else if (value.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null)
                    {
                        extras[name] = value.Clone();
                    }
                    else
                    {
                        errors[name] = ["An extra column's value must be a number, text or null."];
                    }

                    break;
            }
        }

        if (!seen.Contains("semester"))
        {
            errors["semester"] = ["Required: the semester the forecast is for (1 to 20)."];
        }

        if (!seen.Contains("subject"))
        {
            errors["subject"] = ["Required: the subject the forecast is for."];
        }

        if (errors.Count > 0 || semester is null || subject is null)
        {
            return new PredictRequest(null, errors, warnings);
        }

        if (models.Regression?.Schema is { } schema && !schema.KnownSubjects.Contains(subject))
        {
            var match = schema.KnownSubjects.FirstOrDefault(k => string.Equals(k, subject, StringComparison.OrdinalIgnoreCase));
            if (match is not null)
            {
                subject = match;
            }
            else
            {
                warnings.Add(schema.SubjectMeans.Keys.Any(k => string.Equals(k, subject, StringComparison.OrdinalIgnoreCase))
                    ? $"subject: the models saw too few rows of '{subject}' to learn it apart; it is forecast like an average subject, so expect a wider error."
                    : $"subject: the models were not trained on '{subject}'; it is forecast like an average subject, so expect a wider error.");
            }
        }


        foreach (var (field, value) in new[] { ("assignment_marks", assignment), ("quiz_marks", quiz), ("attendance_percentage", attendance), ("midterm_marks", midterm), ("previous_cgpa", cgpa) })
        {
            if (value is null)
            {
                warnings.Add($"{field}: not given; the forecast treats it as not known yet.");
            }
        }

        return new PredictRequest(new ForecastInput(semester.Value, subject, assignment, quiz, attendance, midterm, cgpa, extras.Count > 0 ? extras : null), errors, warnings);
    }

    private static double? Number(string name, JsonElement value, double max, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) && number >= 0 && number <= max)
        {
            return number;
        }

        errors[name] = [string.Create(CultureInfo.InvariantCulture, $"Must be a number from 0 to {max:0.##}, or null when not known yet.")];
        return null;
    }
}
