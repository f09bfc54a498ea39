using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace StudyRecs.Web.Features.Predictions;

/// <summary>A per-user token bucket (sections <c>RateLimiting:Predict</c>, <c>RateLimiting:RecommendationEvents</c>): a burst of <see cref="TokenLimit"/>, refilled by <see cref="TokensPerPeriod"/> every <see cref="PeriodSeconds"/>.</summary>
public sealed class TokenBucketSettings
{
    [Range(1, 1_000_000)]
    public int TokenLimit { get; set; } = 60;

    [Range(1, 1_000_000)]
    public int TokensPerPeriod { get; set; } = 20;

    [Range(0.01, 3600)]
    public double PeriodSeconds { get; set; } = 1;
}

internal static class RateLimits
{
    /// <summary>Policy of <c>POST /api/recommendations/events</c> (section <c>RateLimiting:RecommendationEvents</c>).</summary>
    public const string RecommendationEventsPolicy = "recommendation-events";

    public static IServiceCollection AddStudyRecsRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var predict = Bucket(configuration, "RateLimiting:Predict");
        var events = Bucket(configuration, "RateLimiting:RecommendationEvents");
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (rejected, ct) =>
            {
                var response = rejected.HttpContext.Response;
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"You sent more requests to this endpoint than your allowance. Try again in {seconds} s.")
                    .ExecuteAsync(rejected.HttpContext);
            };
            o.AddPolicy(PredictionEndpoints.RateLimitPolicy, context => PerUser(context, predict));
            o.AddPolicy(RecommendationEventsPolicy, context => PerUser(context, events));
        });
        return services;
    }

    private static TokenBucketSettings Bucket(IConfiguration configuration, string section)
    {
        var settings = configuration.GetSection(section).Get<TokenBucketSettings>() ?? new TokenBucketSettings();
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new ValidationContext(settings), problems, validateAllProperties: true))
        {
            throw new InvalidOperationException($"Invalid settings in {section}: {string.Join(" ", problems.Select(p => p.ErrorMessage))}");
        }

        return settings;
    }

    private static RateLimitPartition<string> PerUser(HttpContext context, TokenBucketSettings bucket) => RateLimitPartition.GetTokenBucketLimiter(
        context.User.Identity?.Name ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous",
        _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.TokenLimit,
            TokensPerPeriod = bucket.TokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(bucket.PeriodSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
