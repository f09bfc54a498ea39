using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace StudyRecs.Web.Features.Predictions;

/// <summary>A per-user token bucket (section <c>RateLimiting:Predict</c>): a burst of <see cref="TokenLimit"/>, refilled by <see cref="TokensPerPeriod"/> every <see cref="PeriodSeconds"/>.</summary>
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
    public static IServiceCollection AddStudyRecsRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        const string section = "RateLimiting:Predict";
        var predict = configuration.GetSection(section).Get<TokenBucketSettings>() ?? new TokenBucketSettings();
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(predict, new ValidationContext(predict), problems, validateAllProperties: true))
        {
            throw new InvalidOperationException($"Invalid settings in {section}: {string.Join(" ", problems.Select(p => p.ErrorMessage))}");
        }

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (rejected, ct) =>
            {
                var response = rejected.HttpContext.Response;
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(predict.PeriodSeconds);
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"You sent more forecast requests than your allowance ({predict.TokensPerPeriod} per {predict.PeriodSeconds:0.##} s, bursts of {predict.TokenLimit}). Try again in {seconds} s.")
                    .ExecuteAsync(rejected.HttpContext);
            };
            o.AddPolicy(PredictionEndpoints.RateLimitPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                context.User.Identity?.Name ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = predict.TokenLimit,
                    TokensPerPeriod = predict.TokensPerPeriod,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(predict.PeriodSeconds),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        });
        return services;
    }
}
