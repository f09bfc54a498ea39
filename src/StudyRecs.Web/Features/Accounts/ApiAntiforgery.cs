using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace StudyRecs.Web.Features.Accounts;

/// <summary>
/// API endpoints take a bearer token or the portal's sign-in cookie. A browser attaches the cookie to a form post from
/// any site, so a change made by cookie must also carry the antiforgery token a portal page hands out (header
/// <c>RequestVerificationToken</c> or form field <c>__RequestVerificationToken</c>). Another site cannot make the
/// browser send a bearer token, so those callers need none.
/// </summary>
internal static class ApiAntiforgery
{
    /// <summary>True when the caller came by cookie without a valid antiforgery token (reads the form if not read yet).</summary>
    public static async Task<bool> IsUnprotectedCookieRequestAsync(HttpContext context, IAntiforgery antiforgery)
    {
        var bearer = await context.AuthenticateAsync(IdentityConstants.BearerScheme);
        return !bearer.Succeeded && !await antiforgery.IsRequestValidAsync(context);
    }

    public static ProblemHttpResult Refused() => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Antiforgery token missing or invalid",
        detail: "Signed in by the portal's cookie, send the antiforgery token of a portal page as header RequestVerificationToken; "
            + "scripts sign in with POST /api/auth/login and send the bearer token instead.");

    /// <summary>The answer of a form endpoint to a request that is no form (reading its form would throw).</summary>
    public static ProblemHttpResult NotAForm() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Form expected",
        detail: "This address takes the portal's form posts (application/x-www-form-urlencoded or multipart/form-data) only.");
}
