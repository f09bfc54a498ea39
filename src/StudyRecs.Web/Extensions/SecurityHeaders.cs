namespace StudyRecs.Web.Extensions;

/// <summary>
/// Headers every answer carries, and the HTTP methods the portal takes at all. Scripts (the framework's blazor.web.js,
/// MudBlazor's and wwwroot-assets/js/site.js) come from this origin only, and never inline; live pages talk over a
/// websocket to the same origin. MudBlazor's theme and components use inline styles, hence 'unsafe-inline' for styles alone.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public const string ReferrerPolicy = "strict-origin-when-cross-origin";

    /// <summary>Methods routed anywhere in the portal; TRACE (which echoes requests), CONNECT and made-up methods never reach it.</summary>
    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete,
    };

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Set as the answer starts: the exception handler clears headers before it writes an error page.
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpContext)state).Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = ReferrerPolicy;
            headers.Remove("Server");
            headers.Remove("X-Powered-By");
            return Task.CompletedTask;
        }, context);

        if (!KnownMethods.Contains(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD, POST";
            return Task.CompletedTask;
        }

        return next(context);
    });
}
