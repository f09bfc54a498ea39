using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Web.Features.Accounts;

internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // A form post with an antiforgery token, so signing out works without JavaScript and no other site can trigger it.
        app.MapPost("/account/logout", async (HttpContext context, IAntiforgery antiforgery, SignInManager<ApplicationUser> signIn) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sign-out form expired",
                    detail: "Reload the page and press Sign out again.");
            }

            await signIn.SignOutAsync();
            return Results.LocalRedirect("/account/login");
        }).RequireAuthorization(Policies.SignedIn).DisableAntiforgery().ExcludeFromDescription();

        // Bearer tokens for scripts: ASP.NET Core Identity's API endpoints. Accounts are made by administrators, so
        // only sign-in, token refresh and reading one's own account are open; the self-service routes answer 404.
        app.MapGroup("/api/auth").WithTags("Authentication").MapIdentityApi<ApplicationUser>()
            .Add(endpoint =>
            {
                var route = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? "";
                if (route.EndsWith("/login", StringComparison.Ordinal) || route.EndsWith("/refresh", StringComparison.Ordinal))
                {
                    endpoint.Metadata.Add(new AllowAnonymousAttribute());
                }
                else if (IsOpen(route, endpoint))
                {
                    endpoint.Metadata.Add(new AuthorizeAttribute(Policies.ApiUser));
                }
                else
                {
                    endpoint.Metadata.Add(new AllowAnonymousAttribute());
                    endpoint.Metadata.Add(new ExcludeFromDescriptionAttribute());
                    endpoint.FilterFactories.Add((_, _) => _ => ValueTask.FromResult<object?>(TypedResults.Problem(
                        statusCode: StatusCodes.Status404NotFound,
                        title: "Not available",
                        detail: "StudyRecs accounts are created and reset by an administrator; ask one. Scripts sign in with POST /api/auth/login.")));
                }
            });
    }

    /// <summary>GET /manage/info (who am I) stays open to signed-in callers; the rest of the self-service set is closed.</summary>
    private static bool IsOpen(string route, EndpointBuilder endpoint) =>
        route.EndsWith("/manage/info", StringComparison.Ordinal)
        && endpoint.Metadata.OfType<HttpMethodMetadata>().Any(m => m.HttpMethods.SequenceEqual(["GET"]));
}
