using Microsoft.AspNetCore.Http.HttpResults;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Recommendations;

namespace StudyRecs.Web.Features.Recommendations;

/// <summary>One A/B test in a list.</summary>
internal sealed record ExperimentDto(long Id, string Name, string StrategyA, string StrategyB, DateTime Start, DateTime End, string Status, string CreatedBy);

/// <summary>Answer of <c>GET /api/v1/recommendations/experiments</c>.</summary>
internal sealed record ExperimentListResponse(IReadOnlyList<ExperimentDto> Experiments);

/// <summary>A rate with its 95 % interval (null bounds below two students).</summary>
internal sealed record RateDto(double Value, double? Low, double? High);

/// <summary>Group B's rate minus group A's (null interval and p-value while a group has fewer than two students).</summary>
internal sealed record DifferenceDto(double Value, double? Low, double? High, double? PValue, bool Significant);

internal sealed record ExperimentGroupDto(string Group, string Strategy, int StudentsServed, int StudentsShown, long Shown, long Clicks, long Completions, RateDto Ctr, RateDto CompletionRate);

/// <summary>Answer of <c>GET /api/v1/recommendations/experiments/{id}</c>.</summary>
internal sealed record ExperimentReportResponse(
    ExperimentDto Experiment, IReadOnlyList<ExperimentGroupDto> Groups, DifferenceDto CtrDifference, DifferenceDto CompletionDifference, double SplitPValue, bool EnoughData,
    IReadOnlyList<string> Findings);

/// <summary>The A/B tests for scripts (staff, read-only: admins start and stop tests on the page or with the CLI).</summary>
internal static class ExperimentApi
{
    public static void MapExperimentApi(this IEndpointRouteBuilder app)
    {
        const string Route = "/api/v1/recommendations/experiments";
        app.MapGet(Route, ListAsync).WithTags("Recommendations").RequireAuthorization(Policies.StaffApi).WithName("RecommendationExperiments")
            .WithSummary("Every A/B test of recommendation strategies, the latest first (staff)")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        app.MapGet(Route + "/{id:long}", ReportAsync).WithTags("Recommendations").RequireAuthorization(Policies.StaffApi).WithName("RecommendationExperimentReport")
            .WithSummary("One A/B test's results: per group the students, shown, clicks, completions, rates with 95 % intervals, the difference B - A and the verdict (staff)")
            .WithDescription("Intervals and p-values take the student as the unit (delta method for a ratio of sums); a difference is significant at p < 0.05 with at least 10 students who saw recommendations in each group.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<ExperimentListResponse>> ListAsync(RecommendationExperiments experiments, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return TypedResults.Ok(new ExperimentListResponse([.. (await experiments.ListAsync(ct)).Select(t => Dto(t, t.StatusAt(now)))]));
    }

    private static async Task<Results<Ok<ExperimentReportResponse>, ProblemHttpResult>> ReportAsync(long id, RecommendationExperiments experiments, CancellationToken ct)
    {
        if (await experiments.ReportAsync(id, ct) is not { } r)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such A/B test", detail: $"There is no A/B test {id}; GET /api/v1/recommendations/experiments lists them.");
        }

        static RateDto Rate(RateEstimate e) => new(Math.Round(e.Value, 6), e.HasInterval ? Math.Round(e.Low, 6) : null, e.HasInterval ? Math.Round(e.High, 6) : null);
        static DifferenceDto Difference(RateDifference d) => new(Math.Round(d.Value, 6), Finite(d.Low), Finite(d.High), Finite(d.PValue), d.Significant);
        static ExperimentGroupDto Group(ArmFigures g) => new(g.Arm.ToString(), g.Strategy, g.StudentsServed, g.StudentsShown, g.Shown, g.Clicks, g.Completions, Rate(g.Ctr), Rate(g.CompletionRate));
        return TypedResults.Ok(new ExperimentReportResponse(Dto(r.Experiment, r.Status), [Group(r.A), Group(r.B)], Difference(r.Ctr), Difference(r.Completion),
            Math.Round(r.SplitPValue, 6), r.EnoughData, r.Findings));
    }

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;

    private static ExperimentDto Dto(RecommendationExperiment t, ExperimentStatus status) =>
        new(t.Id, t.Name, t.StrategyA, t.StrategyB, t.StartUtc, t.EffectiveEndUtc, status.ToString().ToLowerInvariant(), t.CreatedBy);
}
