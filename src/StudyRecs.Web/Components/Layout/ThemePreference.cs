using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using StudyRecs.Web.Components.UI;

namespace StudyRecs.Web.Components.Layout;

/// <summary>
/// POST /preferences/theme: remembers light or dark in a cookie for a year and returns to the page. A plain form post,
/// so the choice works on every page, live or not, and without script.
/// </summary>
internal static class ThemePreference
{
    public static void MapThemePreference(this IEndpointRouteBuilder app) =>
        app.MapPost("/preferences/theme", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The page had expired",
                    detail: "Reload the page and choose the theme again.");
            }

            var form = await context.Request.ReadFormAsync();
            var theme = form["theme"].ToString() switch
            {
                "dark" => "dark",
                "light" => "light",
                _ => null,
            };
            if (theme is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown theme",
                    detail: "Choose light or dark.");
            }

            context.Response.Cookies.Append(PortalTheme.CookieName, theme, new CookieOptions
            {
                MaxAge = TimeSpan.FromDays(365),
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                IsEssential = true,
            });
            return Results.LocalRedirect(PageRedirect.LocalOrHome(form["returnUrl"].ToString()));
        }).WithMetadata(new AllowAnonymousAttribute()).DisableAntiforgery().ExcludeFromDescription();
}
