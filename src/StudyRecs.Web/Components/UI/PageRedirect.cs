using Microsoft.AspNetCore.Components;

namespace StudyRecs.Web.Components.UI;

/// <summary>Post-redirect-get helper for SSR forms: redirects within the portal, optionally with a status message.</summary>
public sealed class PageRedirect(NavigationManager navigation)
{
    public const string StatusCookieName = "studyrecs.status";

    private static readonly CookieBuilder StatusCookie = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(10),
    };

    /// <summary>Redirects to a local URL only; anything else (absolute, protocol-relative) goes home.</summary>
    public void To(string? uri) => navigation.NavigateTo(LocalOrHome(uri));

    public void WithStatus(string uri, string message, HttpContext context)
    {
        SetStatus(context, message);
        To(uri);
    }

    /// <summary>Leaves a one-time message for the next page (shown by StatusMessage); messages starting with "Error" show as errors.</summary>
    public static void SetStatus(HttpContext context, string message) =>
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookie.Build(context));

    public static string LocalOrHome(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            return "/";
        }

        var u = uri.Trim();
        var local = u.StartsWith('/') && !u.StartsWith("//", StringComparison.Ordinal) && !u.StartsWith("/\\", StringComparison.Ordinal)
            && Uri.IsWellFormedUriString(u, UriKind.Relative);
        return local ? u : "/";
    }
}
