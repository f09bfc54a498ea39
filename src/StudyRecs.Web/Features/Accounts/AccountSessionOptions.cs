using System.ComponentModel.DataAnnotations;

namespace StudyRecs.Web.Features.Accounts;

/// <summary>Settings section <c>Accounts</c>: how soon a lock or a password reset ends sign-ins that are already open.</summary>
public sealed class AccountSessionOptions
{
    public const string SectionName = "Accounts";

    /// <summary>
    /// Seconds between checks of a sign-in cookie against its account (security stamp, lock). A locked or reset account
    /// loses its open sessions at its first request after this; 0 checks every request (one extra query each).
    /// </summary>
    [Range(0, 3600)]
    public int SessionRevalidationSeconds { get; set; } = 60;

    /// <summary>When open sessions of a changed account end, in words for the admin pages.</summary>
    public string SessionsEnd => SessionRevalidationSeconds == 0
        ? "on their next request"
        : $"at their next request after at most {SessionRevalidationSeconds} seconds";
}
