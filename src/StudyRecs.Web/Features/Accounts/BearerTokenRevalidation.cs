using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Web.Features.Accounts;

/// <summary>
/// Checks bearer tokens from <c>/api/auth/login</c> against their account, as the cookie's security-stamp validator
/// checks sign-in cookies: a lock, a password reset or a deleted account (all change or remove the security stamp)
/// ends the token at its first use after at most <see cref="AccountSessionOptions.SessionRevalidationSeconds"/>.
/// A confirmed (account, stamp) pair is remembered that long, so a script's burst of calls costs one query a period.
/// </summary>
internal sealed class BearerTokenRevalidation(TimeProvider time, IOptions<AccountSessionOptions> options)
{
    private readonly ConcurrentDictionary<string, (string? Stamp, DateTimeOffset CheckedAt)> confirmed = new(StringComparer.Ordinal);

    /// <summary>Hooks the check into the bearer scheme: it runs before the handler accepts a token.</summary>
    public static void Configure(BearerTokenOptions bearer) => bearer.Events.OnMessageReceived = context =>
        context.HttpContext.RequestServices.GetRequiredService<BearerTokenRevalidation>().CheckAsync(context);

    private async Task CheckAsync(MessageReceivedContext context)
    {
        var token = context.Token ?? BearerTokenOf(context.Request);
        if (token is null || context.Options.BearerTokenProtector.Unprotect(token) is not { Principal: { } principal } ticket)
        {
            return; // The handler answers for a missing or unreadable token as it always does.
        }

        if (!await IsCurrentAsync(principal, context.HttpContext.RequestServices))
        {
            context.Fail("The account behind this token was locked, reset or removed; sign in again.");
            return;
        }

        // Already unprotected: hand the ticket over instead of letting the handler decrypt it a second time.
        if (ticket.Properties.ExpiresUtc is { } expires && time.GetUtcNow() < expires)
        {
            context.Principal = principal;
            context.Properties = ticket.Properties;
            context.Success();
        }
    }

    private static string? BearerTokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, IServiceProvider requestServices)
    {
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null)
        {
            return false;
        }

        var signIn = requestServices.GetRequiredService<SignInManager<ApplicationUser>>();
        var stamp = principal.FindFirstValue(signIn.Options.ClaimsIdentity.SecurityStampClaimType);
        var now = time.GetUtcNow();
        var period = TimeSpan.FromSeconds(options.Value.SessionRevalidationSeconds);
        if (period > TimeSpan.Zero && confirmed.TryGetValue(userId, out var known) && known.Stamp == stamp && now - known.CheckedAt < period)
        {
            return true;
        }

        if (await signIn.ValidateSecurityStampAsync(principal) is null)
        {
            confirmed.TryRemove(userId, out _);
            return false;
        }

        confirmed[userId] = (stamp, now);
        return true;
    }
}
