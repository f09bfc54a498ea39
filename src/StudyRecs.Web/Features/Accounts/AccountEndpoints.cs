using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Web.Features.Accounts;

internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // A form post (with antiforgery token) so signing out works without JavaScript and cannot be triggered by a link.
        app.MapPost("/account/logout", async (SignInManager<ApplicationUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login");
        }).RequireAuthorization(Policies.SignedIn).WithMetadata(new RequireAntiforgeryTokenAttribute());
    }
}
