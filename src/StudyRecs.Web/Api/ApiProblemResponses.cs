using Microsoft.AspNetCore.Diagnostics;

namespace StudyRecs.Web.Api;

/// <summary>
/// API callers get Problem Details on every error: the people's error pages stay off for them, and an error that
/// left with no body (a refused sign-in or role, an unknown address or method) is given one saying what to do.
/// </summary>
internal static class ApiProblemResponses
{
    public static IApplicationBuilder UseApiProblemResponses(this IApplicationBuilder app, Func<PathString, bool> isApi) =>
        app.Use(async (context, next) =>
        {
            if (!isApi(context.Request.Path))
            {
                await next(context);
                return;
            }

            if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }

            await next(context);
            var response = context.Response;
            if (response.HasStarted || response.StatusCode < StatusCodes.Status400BadRequest || response.ContentLength > 0 || !string.IsNullOrEmpty(response.ContentType))
            {
                return;
            }

            var (title, detail) = Explain(response.StatusCode, context.Request.Method);
            await TypedResults.Problem(statusCode: response.StatusCode, title: title, detail: detail).ExecuteAsync(context);
        });

    private static (string? Title, string? Detail) Explain(int status, string method) => status switch
    {
        StatusCodes.Status401Unauthorized => ("Sign-in required",
            "Scripts sign in with POST /api/auth/login and send the token as Authorization: Bearer; the portal's pages send their sign-in cookie."),
        StatusCodes.Status403Forbidden => ("Not allowed", "Your account's role may not use this address."),
        StatusCodes.Status404NotFound => ("Not found", "There is nothing at this address; the OpenAPI document at /openapi/v1.json lists the API."),
        StatusCodes.Status405MethodNotAllowed => ("Method not allowed", $"This address does not take {method}; the OpenAPI document at /openapi/v1.json lists what it takes."),
        _ => (null, null),
    };
}
