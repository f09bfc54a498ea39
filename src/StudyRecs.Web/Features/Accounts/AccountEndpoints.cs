using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
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
        }).RequireAuthorization(Policies.SignedIn).DisableAntiforgery();
    }
}
