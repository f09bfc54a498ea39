using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.StudyPlans;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Features.Shared;

namespace StudyRecs.Web.Features.Predictions;

/// <summary>Body of <c>POST /api/predict</c> (documents the contract; the endpoint reads it strictly by hand).</summary>
internal sealed record PredictPayload(
    [property: JsonPropertyName("semester")] int Semester,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("assignment_marks")] double? AssignmentMarks,
    [property: JsonPropertyName("quiz_marks")] double? QuizMarks,
    [property: JsonPropertyName("attendance_percentage")] double? AttendancePercentage,
    [property: JsonPropertyName("midterm_marks")] double? MidtermMarks,
    [property: JsonPropertyName("previous_cgpa")] double? PreviousCgpa);

internal sealed record IntervalDto(
    [property: JsonPropertyName("low")] double Low,
    [property: JsonPropertyName("high")] double High,
    [property: JsonPropertyName("level")] double Level);

internal sealed record FactorDto(
    [property: JsonPropertyName("factor")] string Factor,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("contribution")] double Contribution,
    [property: JsonPropertyName("text")] string Text);

internal sealed record WeakSubjectDto(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("predicted_final_marks")] double PredictedFinalMarks,
    [property: JsonPropertyName("predicted_grade")] string PredictedGrade,
    [property: JsonPropertyName("fail_probability")] double FailProbability,
    [property: JsonPropertyName("gap_to_target")] double GapToTarget,
    [property: JsonPropertyName("reason")] string Reason);

internal sealed record ResourceDto(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("difficulty")] string Difficulty,
    [property: JsonPropertyName("minutes")] int Minutes);

internal sealed record PlanItemDto(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("hours_per_week")] double HoursPerWeek,
    [property: JsonPropertyName("weeks_remaining")] int WeeksRemaining,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("resources")] IReadOnlyList<ResourceDto> Resources);

/// <summary>Answer of <c>POST /api/predict</c>.</summary>
internal sealed record PredictResponse(
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("predicted_final_marks")] double PredictedFinalMarks,
    [property: JsonPropertyName("interval")] IntervalDto Interval,
    [property: JsonPropertyName("predicted_grade")] string PredictedGrade,
    [property: JsonPropertyName("grade_probabilities")] IReadOnlyDictionary<string, double> GradeProbabilities,
    [property: JsonPropertyName("fail_probability")] double FailProbability,
    [property: JsonPropertyName("at_risk")] bool AtRisk,
    [property: JsonPropertyName("top_factors")] IReadOnlyList<FactorDto> TopFactors,
    [property: JsonPropertyName("not_known_yet")] IReadOnlyList<string> NotKnownYet,
    [property: JsonPropertyName("weak_subjects")] IReadOnlyList<WeakSubjectDto>? WeakSubjects,
    [property: JsonPropertyName("study_plan")] IReadOnlyList<PlanItemDto> StudyPlan,
    [property: JsonPropertyName("model_versions")] IReadOnlyDictionary<string, string> ModelVersions,
    [property: JsonPropertyName("warnings")] IReadOnlyList<string> Warnings);

internal static class PredictionEndpoints
{
    public const string RateLimitPolicy = "predict";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

    private static readonly JsonSerializerOptions ResponseJson = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void MapPredictionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/predict", PredictAsync)
            .RequireAuthorization(Policies.ApiUser)
            .RequireRateLimiting(RateLimitPolicy)
            .DisableAntiforgery()
            .WithTags("Predictions")
            .WithName("Predict")
            .WithSummary("Forecast final marks and grade for one subject")
            .WithDescription("Strict JSON: unknown fields, wrong types and out-of-range values are refused with 400 naming each field. "
                + "A subject the models never saw is accepted with a warning. Weak subjects are given to students only, from their own data.")
            .Accepts<PredictPayload>("application/json")
            .Produces<PredictResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/teacher/at-risk.csv", AtRiskCsvAsync).RequireAuthorization(Policies.Staff).ExcludeFromDescription();
    }

    /// <summary>The at-risk list as the page shows it (same filters and sort), every page at once; cells neutralised for spreadsheets.</summary>
    private static async Task<IResult> AtRiskCsvAsync(HttpContext context, DatasetCatalog catalog, AtRiskReport report, CancellationToken ct)
    {
        var query = AtRiskQuery.From(context.Request.Query);
        if (query.Dataset is not { } id || await catalog.GetAsync(id, DatasetAccess.OwnerFilter(context.User), ct) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dataset",
                detail: "Pick one of your datasets on the at-risk page and export from there.");
        }

        DatasetForecasts? forecasts;
        try
        {
            forecasts = await report.ForDatasetAsync(id, ct);
        }
        catch (ModelsNotReadyException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No forecasts yet", detail: e.Message);
        }

        if (forecasts is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No forecasts for this dataset", detail: "Rejected uploads have no rows to forecast.");
        }

        var writer = new StringWriter(CultureInfo.InvariantCulture);
        SpreadsheetSafeCsv.WriteRecord(writer, "student_id", "subject", "semester", "predicted_final_marks", "predicted_grade", "fail_probability", "at_risk", "final_marks");
        foreach (var r in query.Apply(forecasts.Rows))
        {
            SpreadsheetSafeCsv.WriteRecord(writer, r.StudentId, r.Subject, r.Semester.ToString(CultureInfo.InvariantCulture),
                r.PredictedMarks.ToString("0.##", CultureInfo.InvariantCulture), r.PredictedGrade, r.FailProbability.ToString("0.####", CultureInfo.InvariantCulture),
                query.IsAtRisk(r) ? "yes" : "no", r.FinalMarks?.ToString("0.##", CultureInfo.InvariantCulture));
        }

        var bytes = SpreadsheetSafeCsv.Encoding.GetPreamble().Concat(SpreadsheetSafeCsv.Encoding.GetBytes(writer.ToString())).ToArray();
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"at-risk-dataset-{id}.csv");
    }

    private static async Task<IResult> PredictAsync(
        HttpContext context,
        ActiveModels activeModels,
        ForecastRequests forecasts,
        IOptions<DatasetOptions> datasetOptions,
        CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var (document, refusal) = await JsonRequestBody.ReadAsync(context, DocumentOptions, "the forecast request as a JSON object",
            "Send one JSON object, e.g. {\"semester\": 3, \"subject\": \"Calculus\", \"attendance_percentage\": 82}.", ct);
        if (document is null)
        {
            return refusal!;
        }

        using (document)
        {
            var models = await activeModels.GetAsync(ct);
            var request = PredictRequestReader.Read(document.RootElement, datasetOptions.Value, models);
            if (!models.IsComplete)
            {
                // Bad fields are still named before any model exists; only a field the future model may know (an extra
                // column) cannot be judged yet.
                var judged = request.Errors.Where(e => !e.Value.All(m => m.StartsWith(PredictRequestReader.UnknownField, StringComparison.Ordinal)))
                    .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
                return judged.Count > 0
                    ? TypedResults.ValidationProblem(judged, title: "The forecast request has invalid fields", detail: "Fix the fields listed under errors and send the request again.")
                    : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No model yet", detail: new ModelsNotReadyException().Message);
            }

            if (!request.IsValid)
            {
                return TypedResults.ValidationProblem(request.Errors, title: "The forecast request has invalid fields",
                    detail: "Fix the fields listed under errors and send the request again.");
            }

            var asker = new ForecastAsker(context.User.Identity?.Name ?? "?", StudentDataAccess.OwnStudentId(context.User), context.User.IsInRole(Roles.Student));
            var (answer, body) = await forecasts.AnswerAsync(models, request.Input!, asker, request.Warnings, document.RootElement.GetRawText(),
                a => JsonSerializer.SerializeToUtf8Bytes(ToResponse(a, request.Warnings), ResponseJson), "api", started, ct);
            context.Response.Headers["X-Request-Id"] = answer.RequestId;
            return TypedResults.Bytes(body, "application/json");
        }
    }

    private static PredictResponse ToResponse(ForecastAnswer answer, IReadOnlyList<string> warnings) => new(
        answer.RequestId,
        answer.Forecast.Subject,
        Math.Round(answer.Forecast.PredictedMarks, 2),
        new IntervalDto(Math.Round(answer.Forecast.Interval.Low, 2), Math.Round(answer.Forecast.Interval.High, 2), answer.Forecast.Interval.Level),
        answer.Forecast.PredictedGrade,
        answer.Forecast.Probabilities.ToDictionary(p => p.Grade, p => Math.Round(p.Probability, 4), StringComparer.Ordinal),
        Math.Round(answer.Forecast.FailProbability, 4),
        answer.Forecast.AtRisk,
        answer.Forecast.Factors.Select(f => new FactorDto(f.Factor, f.Value, Math.Round(f.Contribution, 2), f.Text)).ToList(),
        answer.Forecast.NotKnownYet,
        answer.WeakSubjects?.Select(w => new WeakSubjectDto(w.Forecast.Subject, Math.Round(w.Forecast.PredictedMarks, 2), w.Forecast.PredictedGrade, Math.Round(w.Forecast.FailProbability, 4), Math.Round(w.GapMarks, 2), w.Reason)).ToList(),
        answer.Plan.Select(p => new PlanItemDto(p.Subject, p.HoursPerWeek, p.WeeksRemaining, p.Level.ToString(), p.Reason,
            p.Resources.Select(r => new ResourceDto(r.Id, r.Title, r.Url, r.Type, r.Difficulty, r.Minutes)).ToList())).ToList(),
        answer.Models.Versions,
        warnings);
}
