using Microsoft.AspNetCore.Http;

namespace StudyRecs.Core.Accounts;

/// <summary>
/// How the portal's sign-in and antiforgery cookies are issued; the portal applies it and <c>studyrecs security check</c>
/// reports it, so the check describes the code that runs rather than a copy of it.
/// </summary>
public static class PortalCookiePolicy
{
    public static readonly bool HttpOnly = true;

    /// <summary>Lax: sent on top-level navigation from other sites (links in e-mails work), never on their posts.</summary>
    public static readonly SameSiteMode SameSite = SameSiteMode.Lax;

    /// <summary>
    /// Secure whenever the request came over HTTPS, which outside Development is every request (HTTPS redirection and
    /// HSTS are on); plain http://localhost keeps working in Development.
    /// </summary>
    public static readonly CookieSecurePolicy SecurePolicy = CookieSecurePolicy.SameAsRequest;
}
