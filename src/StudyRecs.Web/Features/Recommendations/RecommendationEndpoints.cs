using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Recommendations;
using StudyRecs.Web.Api;
using StudyRecs.Web.Features.Predictions;
using StudyRecs.Web.Features.Shared;

namespace StudyRecs.Web.Features.Recommendations;

/// <summary>Body of <c>POST /api/recommendations/events</c> (documents the contract, snake_case as <c>ApiJsonContext</c> names it; the endpoint reads it strictly by hand).</summary>
internal sealed record RecommendationEventPayload(
    long ResourceId, string Type, string RequestId, string? StudentId, string? Strategy, int? Position, int? DwellSeconds, DateTimeOffset? At);

/// <summary>Answer of <c>POST /api/recommendations/events</c>.</summary>
internal sealed record RecommendationEventsAccepted(int Accepted);

internal static class RecommendationEndpoints
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

    public static void MapRecommendationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/recommendations/events", PostEventsAsync)
            .RequireAuthorization(Policies.ApiUser)
            .RequireRateLimiting(RateLimits.RecommendationEventsPolicy)
            .DisableAntiforgery()
            .WithTags("Recommendations")
            .WithName("PostRecommendationEvents")
            .WithSummary("Report what a student did with recommended resources")
            .WithDescription("One event object or an array of them: impression, click, view (with dwell_seconds), complete, like or dismiss, "
                + "with the resource, request id, strategy, position and time. Strict JSON: unknown fields, wrong types and out-of-range values are "
                + "refused with 400 naming each field. A student reports only for themselves; staff name the student. Events are stored in batches; "
                + "a repeated (request id, resource, type) is stored once.")
            .DocumentJsonBody<RecommendationEventPayload>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        // Links of the recommendation blocks: a redirect counts the click (the feedback buttons go through the live page).
        app.MapGet("/recommendations/go/{requestId}/{resourceId:long}", GoAsync).RequireAuthorization(Policies.SignedIn).ExcludeFromDescription();
        app.MapExternalScoreEndpoints();
    }

    private static async Task<Results<Accepted<RecommendationEventsAccepted>, ValidationProblem, ProblemHttpResult>> PostEventsAsync(HttpContext context, StudentDataAccess access, RecommendationEventRecorder recorder, IOptions<RecommendationOptions> options, TimeProvider time, CancellationToken ct)
    {
        var (document, refusal) = await JsonRequestBody.ReadAsync(context, DocumentOptions, "the events as JSON",
            "Send one event object or an array of them, e.g. {\"resource_id\": 12, \"type\": \"click\", \"request_id\": \"0193ab\"}.", ct);
        if (document is null)
        {
            return refusal!;
        }

        using (document)
        {
            var read = RecommendationEventReader.Read(document.RootElement, options.Value, time.GetUtcNow());
            if (!read.IsValid)
            {
                return TypedResults.ValidationProblem(read.Errors, title: "The events have invalid fields",
                    detail: "Fix the fields listed under errors and send the events again; none of them was stored.");
            }

            var students = new Dictionary<string, string>(StringComparer.Ordinal);
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var e in read.Events)
            {
                var scope = await access.ResolveAsync(context.User, e.StudentId, ct);
                switch (scope.Kind)
                {
                    case StudentScopeKind.Forbidden:
                        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your events",
                            detail: "A student reports events for themselves only (leave student_id out or give your own); a teacher for students of the datasets they uploaded.");
                    case StudentScopeKind.Unlinked:
                        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Account not linked",
                            detail: "Your account is not linked to a student id yet; ask an administrator to link it.");
                    case StudentScopeKind.None:
                        errors[e.Path + "student_id"] = ["Required for staff: the student the event is about."];
                        break;
                    default:
                        students[e.Path] = scope.StudentId!;
                        break;
                }
            }

            var existing = await recorder.ExistingResourcesAsync(read.Events.Select(e => e.ResourceId), ct);
            foreach (var e in read.Events.Where(e => !existing.Contains(e.ResourceId)))
            {
                errors[e.Path + "resource_id"] = [$"There is no resource {e.ResourceId} in the catalog."];
            }

            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors, title: "The events have invalid fields",
                    detail: "Fix the fields listed under errors and send the events again; none of them was stored.");
            }

            var user = context.User.Identity?.Name ?? "?";
            foreach (var e in read.Events)
            {
                await recorder.RecordAsync(new RecommendationEvent
                {
                    StudentId = students[e.Path],
                    UserName = user,
                    ResourceId = e.ResourceId,
                    Type = e.Type,
                    Strategy = e.Strategy,
                    Position = e.Position,
                    RequestId = e.RequestId,
                    DwellSeconds = e.DwellSeconds,
                    AtUtc = e.AtUtc ?? default,
                }, ct);
            }

            return TypedResults.Accepted((string?)null, new RecommendationEventsAccepted(read.Events.Count));
        }
    }

    /// <summary>Counts a click on a recommended resource and sends the browser to the resource's stored address.</summary>
    private static async Task<Results<RedirectHttpResult, Microsoft.AspNetCore.Http.HttpResults.NotFound>> GoAsync(string requestId, long resourceId, string? strategy, int? position, HttpContext context, RecommendationEventRecorder recorder, CancellationToken ct)
    {
        if (!RecommendationEventRules.IsRequestId(requestId))
        {
            return TypedResults.NotFound();
        }

        var url = await recorder.ClickAsync(StudentDataAccess.OwnStudentId(context.User), context.User.Identity?.Name ?? "?", requestId, resourceId, strategy, position, ct);
        if (url is null)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Redirect(url);
    }
}
