using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Scheduling;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Accounts;

namespace StudyRecs.Web.Features.Recommendations;

internal sealed record RecommendedResourceDto(
    long ResourceId, string Title, string Url, string ClickUrl, string Subject, string Type, string Difficulty, int Minutes, int Position,
    double Score, string? Reason);

/// <summary>Answer of <c>GET /api/v1/recommendations/home</c>.</summary>
internal sealed record HomeRecommendationsResponse(
    string RequestId, string UserId, string Strategy, string StrategyReason, string? ModelVersion, IReadOnlyList<RecommendedResourceDto> Items);

/// <summary>Answer of <c>GET /api/v1/recommendations/similar/{resourceId}</c>.</summary>
internal sealed record SimilarResourcesResponse(long ResourceId, IReadOnlyList<RecommendedResourceDto> Items);

internal sealed record SubjectCountDto(string Subject, int Count);

/// <summary>Answer of <c>GET /api/v1/recommendations/stats/user/{id}</c>.</summary>
internal sealed record UserStatsResponse(
    string UserId, int Shown, int Clicks, int Views, int Completions, int Likes, int Dismissals, double Ctr,
    IReadOnlyList<SubjectCountDto> TopSubjects);

internal sealed record FiguresDto(string Key, int Shown, int Clicks, int Completions, double Ctr);

internal sealed record PopularResourceDto(long ResourceId, string Title, string Subject, int Clicks, int Completions);

/// <summary>Answer of <c>GET /api/v1/recommendations/stats/global</c>.</summary>
internal sealed record GlobalStatsResponse(
    DateTime From, DateTime To, int Students, int Shown, int Clicks, int Completions, double Ctr, double Coverage,
    IReadOnlyList<PopularResourceDto> PopularResources, IReadOnlyList<FiguresDto> StrategyMix, IReadOnlyList<FiguresDto> Daily);

internal sealed record StrategyMetricsDto(
    string Strategy,
    [property: JsonPropertyName("ndcg_at_10")] double? Ndcg,
    [property: JsonPropertyName("precision_at_10")] double? Precision,
    [property: JsonPropertyName("recall_at_10")] double? Recall,
    [property: JsonPropertyName("map_at_10")] double? Map,
    double? Coverage,
    string? Unavailable);

internal sealed record RecommenderVersionDto(
    string Version,
    bool Active,
    string ServingStrategy,
    [property: JsonPropertyName("ndcg_at_10")] double Ndcg,
    int Events,
    DateTimeOffset CreatedAt,
    string? Reason,
    string? NotActivatedReason,
    IReadOnlyList<StrategyMetricsDto> Strategies);

internal sealed record BanditArmDto(string Strategy, long Impressions, long Rewards);

/// <summary>Answer of <c>GET /admin/recommendations/models</c>.</summary>
internal sealed record RecommenderModelsResponse(
    string? ServingVersion, string? PinnedStrategy, IReadOnlyCollection<string> StrategiesServed, IReadOnlyList<BanditArmDto> BanditArms,
    IReadOnlyList<RecommenderVersionDto> Versions);

/// <summary>Answer of <c>POST /admin/recommendations/reindex</c>.</summary>
internal sealed record ReindexResponse(string? ServingVersion, int Resources, bool RetrainingQueued);

/// <summary>The recommendation API: for students (themselves), staff (anyone) and admins; cookies and bearer tokens alike.</summary>
internal static class RecommendationApi
{
    public const string AdminPrefix = "/admin/recommendations";

    private static readonly string[] HomeParameters = ["user_id", "strategy", "k", "explain"];

    /// <summary>The admin endpoints that answer JSON (not the admin pages under the same prefix).</summary>
    public static bool IsAdminApi(PathString path) =>
        path.StartsWithSegments(AdminPrefix + "/models") || path.StartsWithSegments(AdminPrefix + "/reindex");

    public static void MapRecommendationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/recommendations").WithTags("Recommendations");
        api.MapGet("/home", HomeAsync).RequireAuthorization(Policies.ApiUser).WithName("HomeRecommendations")
            .WithSummary("Recommended resources for one student")
            .WithDescription("A student asks for themselves (user_id may be left out); teachers and admins name the student. k: 1 to Recommendations:MaxCount "
                + "(default Recommendations:DefaultCount); strategy: one the active model serves (default: fallback chain for new students, otherwise pinned or chosen online); "
                + "explain=true adds a reason per item. Unknown parameters and bad values are refused with 400 naming them. Post what the student does with the items to "
                + "/api/recommendations/events with the request_id; click_url counts a click without script.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/similar/{resourceId:long}", SimilarAsync).RequireAuthorization(Policies.ApiUser).WithName("SimilarResources")
            .WithSummary("Resources whose text is closest to one resource (retired ones left out)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/stats/user/{id}", UserStatsAsync).RequireAuthorization(Policies.ApiUser).WithName("UserRecommendationStats")
            .WithSummary("What one student did with recommendations: shown, clicks, completions, CTR, top subjects")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/stats/global", GlobalStatsAsync).RequireAuthorization(Policies.StaffApi).WithName("GlobalRecommendationStats")
            .WithSummary("CTR, coverage, popular resources, strategy mix and daily figures over the last days (staff)")
            .ProducesProblem(StatusCodes.Status403Forbidden);

        var admin = app.MapGroup(AdminPrefix).WithTags("Recommendations");
        admin.MapGet("/models", ModelsAsync).RequireAuthorization(Policies.AdminApi).WithName("RecommenderModels")
            .WithSummary("Recommender versions with every strategy's offline metrics, the serving version, the pinned strategy and the bandit's state (admins)")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapPost("/reindex", ReindexAsync).RequireAuthorization(Policies.AdminApi).DisableAntiforgery().WithName("ReindexRecommender")
            .WithSummary("Reload the served catalog and queue a retraining over the current catalog (admins)")
            .WithDescription("Scripts call it with a bearer token (202); the admin page posts it as a form with its antiforgery token (redirect back).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request has invalid parameters", detail: "Fix the parameters listed under errors and ask again.");

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>The student a request is about, or what to answer instead: 400 when staff name nobody, 403 for someone else's data.</summary>
    private static async Task<(string? StudentId, ValidationProblem? Invalid, ProblemHttpResult? Refused)> StudentAsync(HttpContext context, StudentDataAccess access, string? requested, string parameter, CancellationToken ct)
    {
        var scope = await access.ResolveAsync(context.User, requested, ct);
        return scope.Kind switch
        {
            StudentScopeKind.Student => (scope.StudentId, null, null),
            StudentScopeKind.None => (null, Invalid(new() { [parameter] = ["Required for staff: the student's id."] }), null),
            StudentScopeKind.Unlinked => (null, null, Problem(StatusCodes.Status403Forbidden, "Account not linked", "Your account is not linked to a student id yet; ask an administrator to link it.")),
            _ => (null, null, Problem(StatusCodes.Status403Forbidden, "Not your data", "A student may only ask about themselves; a teacher about students of the datasets they uploaded.")),
        };
    }

    private static async Task<Results<Ok<HomeRecommendationsResponse>, ValidationProblem, ProblemHttpResult>> HomeAsync(HttpContext context, StudentDataAccess access, RecommendationService recommendations, IOptions<RecommendationOptions> options, CancellationToken ct)
    {
        var query = context.Request.Query;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var key in query.Keys.Where(k => !HomeParameters.Contains(k, StringComparer.Ordinal)))
        {
            errors[key] = [$"Unknown parameter. Allowed: {string.Join(", ", HomeParameters)}."];
        }

        foreach (var key in query.Keys.Where(k => query[k].Count > 1))
        {
            errors[key] = ["The parameter is given twice."];
        }

        var k = options.Value.DefaultCount;
        if (query.TryGetValue("k", out var kText) && !(int.TryParse(kText, NumberStyles.None, CultureInfo.InvariantCulture, out k) && k >= 1 && k <= options.Value.MaxCount))
        {
            errors["k"] = [$"Must be a whole number from 1 to {options.Value.MaxCount}."];
        }

        var explain = false;
        if (query.TryGetValue("explain", out var explainText) && !bool.TryParse(explainText, out explain))
        {
            errors["explain"] = ["Must be true or false."];
        }

        var strategy = query.TryGetValue("strategy", out var s) ? s.ToString() : null;
        var served = await recommendations.StrategiesAsync(ct);
        if (strategy is not null && !served.Contains(strategy))
        {
            errors["strategy"] = [$"The active model serves: {string.Join(", ", served)}."];
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var (studentId, invalid, refused) = await StudentAsync(context, access, query["user_id"].ToString(), "user_id", ct);
        if (invalid is not null)
        {
            return invalid;
        }

        if (refused is not null)
        {
            return refused;
        }

        var list = await recommendations.RecommendAsync(new RecommendationQuery(studentId!, k, strategy), ct);
        context.Response.Headers["X-Request-Id"] = list.RequestId;
        return TypedResults.Ok(new HomeRecommendationsResponse(list.RequestId, list.StudentId, list.Strategy, list.StrategyReason, list.ModelVersion,
            [.. list.Items.Select(i => Dto(i, RecommendationLinks.Click(list, i), explain))]));
    }

    private static RecommendedResourceDto Dto(RecommendedResource i, string clickUrl, bool explain) =>
        new(i.ResourceId, i.Title, i.Url, clickUrl, i.Subject, i.Type, i.Difficulty, i.Minutes, i.Position, Math.Round(i.Score, 5), explain ? i.Reason : null);

    private static async Task<Results<Ok<SimilarResourcesResponse>, ValidationProblem, ProblemHttpResult>> SimilarAsync(long resourceId, HttpContext context, RecommendationService recommendations, IOptions<RecommendationOptions> options, CancellationToken ct)
    {
        var k = options.Value.DefaultCount;
        if (context.Request.Query.Keys.FirstOrDefault(q => q != "k") is { } unknown)
        {
            return Invalid(new() { [unknown] = ["Unknown parameter. Allowed: k."] });
        }

        if (context.Request.Query.TryGetValue("k", out var kText) && !(int.TryParse(kText, NumberStyles.None, CultureInfo.InvariantCulture, out k) && k >= 1 && k <= options.Value.MaxCount))
        {
            return Invalid(new() { ["k"] = [$"Must be a whole number from 1 to {options.Value.MaxCount}."] });
        }

        var similar = await recommendations.SimilarAsync(resourceId, k, ct);
        if (similar is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such resource", $"There is no resource {resourceId} in the served catalog.");
        }

        return TypedResults.Ok(new SimilarResourcesResponse(resourceId, [.. similar.Select(i => Dto(i, i.Url, explain: true))]));
    }

    private static async Task<Results<Ok<UserStatsResponse>, ValidationProblem, ProblemHttpResult>> UserStatsAsync(string id, HttpContext context, StudentDataAccess access, RecommendationStatistics statistics, CancellationToken ct)
    {
        var (studentId, invalid, refused) = await StudentAsync(context, access, id, "id", ct);
        if (invalid is not null)
        {
            return invalid;
        }

        if (refused is not null)
        {
            return refused;
        }

        var s = await statistics.UserAsync(studentId!, ct);
        return TypedResults.Ok(new UserStatsResponse(s.StudentId, s.Shown, s.Clicks, s.Views, s.Completions, s.Likes, s.Dismissals, Math.Round(s.Ctr, 4),
            [.. s.TopSubjects.Select(t => new SubjectCountDto(t.Subject, t.Count))]));
    }

    private static async Task<Results<Ok<GlobalStatsResponse>, ValidationProblem>> GlobalStatsAsync(HttpContext context, RecommendationStatistics statistics, CancellationToken ct)
    {
        var days = 30;
        if (context.Request.Query.Keys.FirstOrDefault(q => q != "days") is { } unknown)
        {
            return Invalid(new() { [unknown] = ["Unknown parameter. Allowed: days."] });
        }

        if (context.Request.Query.TryGetValue("days", out var text) && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out days) && days is >= 1 and <= RecommendationStatistics.MaxDays))
        {
            return Invalid(new() { ["days"] = [$"Must be a whole number from 1 to {RecommendationStatistics.MaxDays}."] });
        }

        var g = await statistics.GlobalAsync(days, ct);
        static FiguresDto F(EngagementFigures f) => new(f.Key, f.Shown, f.Clicks, f.Completions, Math.Round(f.Ctr, 4));
        return TypedResults.Ok(new GlobalStatsResponse(g.FromUtc, g.ToUtc, g.Students, g.Shown, g.Clicks, g.Completions, Math.Round(g.Ctr, 4), Math.Round(g.Coverage, 4),
            [.. g.Popular.Select(p => new PopularResourceDto(p.ResourceId, p.Title, p.Subject, p.Clicks, p.Completions))], [.. g.Strategies.Select(F)], [.. g.Daily.Select(F)]));
    }

    private static async Task<Ok<RecommenderModelsResponse>> ModelsAsync(ModelRegistry registry, RecommendationSettings settings, ActiveRecommender active, CancellationToken ct)
    {
        var versions = await registry.ListAsync(ModelTask.Recommendation, ct);
        var serving = await active.GetAsync(ct);
        return TypedResults.Ok(new RecommenderModelsResponse(serving.Version, await settings.PinnedStrategyAsync(ct), [.. serving.Strategies.Keys],
            [.. (await settings.ArmsAsync(ct)).Select(a => new BanditArmDto(a.Strategy, a.Impressions, a.Rewards))],
            [.. versions.Select(v =>
            {
                var report = RecommendationReport.Read(v.MetricsJson);
                return new RecommenderVersionDto(v.Version, v.IsActive, v.Algorithm, v.SelectionScore, v.RowsUsed, v.CreatedAt, report?.Reason, v.NotActivatedReason,
                    [.. (report?.Strategies ?? []).Select(s => new StrategyMetricsDto(s.Strategy, s.NdcgAtK, s.PrecisionAtK, s.RecallAtK, s.MapAtK, s.Coverage, s.Unavailable))]);
            })]));
    }

    /// <summary>
    /// Reloads the served catalog now (resources added or retired since the last training are served by the fallback
    /// chain before the first training) and queues a retraining over the current catalog, as the admin page's Reindex
    /// button does. A cookie-authenticated call must carry the antiforgery token of the portal.
    /// </summary>
    private static async Task<Results<Accepted<ReindexResponse>, ProblemHttpResult>> ReindexAsync(HttpContext context, IAntiforgery antiforgery, ActiveRecommender active, JobsAdministration jobs, CancellationToken ct)
    {
        if (await ApiAntiforgery.IsUnprotectedCookieRequestAsync(context, antiforgery))
        {
            return ApiAntiforgery.Refused();
        }

        await active.RefreshAsync(ct);
        var model = await active.GetAsync(ct);
        var outcome = await jobs.ApplyAsync(TrainRecommenderJob.Key, JobAction.Run, ct);
        return TypedResults.Accepted((string?)null, new ReindexResponse(model.Version, model.ResourceIds.Count, !JobsAdministration.Failed(outcome)));
    }
}

/// <summary>Links of recommendation blocks and pages.</summary>
internal static class RecommendationLinks
{
    public const string AdminPage = "/admin/recommendations";

    /// <summary>The click-counting redirect of one recommended resource.</summary>
    public static string Click(RecommendationList list, RecommendedResource item) =>
        $"/recommendations/go/{list.RequestId}/{item.ResourceId.ToString(CultureInfo.InvariantCulture)}?strategy={Uri.EscapeDataString(list.Strategy)}&position={item.Position.ToString(CultureInfo.InvariantCulture)}";
}
