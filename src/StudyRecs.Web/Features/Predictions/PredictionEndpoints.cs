using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.StudyPlans;
using StudyRecs.Web.Api;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Features.Shared;

namespace StudyRecs.Web.Features.Predictions;

/// <summary>Body of <c>POST /api/predict</c> (documents the contract, snake_case as <c>ApiJsonContext</c> names it; the endpoint reads it strictly by hand).</summary>
internal sealed record PredictPayload(
    int Semester, string Subject, double? AssignmentMarks, double? QuizMarks, double? AttendancePercentage, double? MidtermMarks,
    double? PreviousCgpa);

internal sealed record IntervalDto(double Low, double High, double Level);

internal sealed record FactorDto(string Factor, string Value, double Contribution, string Text);

internal sealed record WeakSubjectDto(
    string Subject, double PredictedFinalMarks, string PredictedGrade, double FailProbability, double GapToTarget, string Reason);

internal sealed record ResourceDto(long Id, string Title, string Url, string Type, string Difficulty, int Minutes);

internal sealed record PlanItemDto(
    string Subject, double HoursPerWeek, int WeeksRemaining, string Level, string Reason, IReadOnlyList<ResourceDto> Resources);

/// <summary>Answer of <c>POST /api/predict</c>.</summary>
internal sealed record PredictResponse(
    string RequestId, string Subject, double PredictedFinalMarks, IntervalDto Interval, string PredictedGrade,
    IReadOnlyDictionary<string, double> GradeProbabilities, double FailProbability, bool AtRisk, IReadOnlyList<FactorDto> TopFactors,
    IReadOnlyList<string> NotKnownYet, IReadOnlyList<WeakSubjectDto>? WeakSubjects, IReadOnlyList<PlanItemDto> StudyPlan,
    IReadOnlyDictionary<string, string> ModelVersions, IReadOnlyList<string> Warnings);

internal static class PredictionEndpoints
{
    public const string RateLimitPolicy = "predict";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

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
            .DocumentJsonBody<PredictPayload>()
            // The answer goes out as the bytes the audit keeps, so its type is declared here, not by the result.
            .Produces<PredictResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/teacher/at-risk.csv", AtRiskCsvAsync).RequireAuthorization(Policies.Staff).ExcludeFromDescription();
    }

    /// <summary>The at-risk list as the page shows it (same filters and sort), every page at once; cells neutralised for spreadsheets.</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> AtRiskCsvAsync(HttpContext context, DatasetCatalog catalog, AtRiskReport report, CancellationToken ct)
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
        query = query.WithCurrentSemester(forecasts.Rows);
        foreach (var r in query.Apply(forecasts.Rows))
        {
            SpreadsheetSafeCsv.WriteRecord(writer, r.StudentId, r.Subject, r.Semester.ToString(CultureInfo.InvariantCulture),
                r.PredictedMarks.ToString("0.##", CultureInfo.InvariantCulture), r.PredictedGrade, r.FailProbability.ToString("0.####", CultureInfo.InvariantCulture),
                query.IsAtRisk(r) ? "yes" : "no", r.FinalMarks?.ToString("0.##", CultureInfo.InvariantCulture));
        }

        var bytes = SpreadsheetSafeCsv.Encoding.GetPreamble().Concat(SpreadsheetSafeCsv.Encoding.GetBytes(writer.ToString())).ToArray();
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"at-risk-dataset-{id}.csv");
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> PredictAsync(
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
                if (judged.Count > 0)
                {
                    return TypedResults.ValidationProblem(judged, title: "The forecast request has invalid fields", detail: "Fix the fields listed under errors and send the request again.");
                }

                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No model yet", detail: new ModelsNotReadyException().Message);
            }

            if (!request.IsValid)
            {
                return TypedResults.ValidationProblem(request.Errors, title: "The forecast request has invalid fields",
                    detail: "Fix the fields listed under errors and send the request again.");
            }

            var asker = new ForecastAsker(context.User.Identity?.Name ?? "?", StudentDataAccess.OwnStudentId(context.User), context.User.IsInRole(Roles.Student));
            var (answer, body) = await forecasts.AnswerAsync(models, request.Input!, asker, request.Warnings, document.RootElement.GetRawText(),
                a => ApiJson.ToReadableUtf8(ToResponse(a, request.Warnings), ApiJsonContext.Default.PredictResponse), "api", started, ct);
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
