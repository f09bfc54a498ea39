using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Web.Features.Accounts;

/// <summary>
/// Checks bearer tokens from <c>/api/auth/login</c> against their account, as the cookie's security-stamp validator
/// checks sign-in cookies: a lock, a password reset or a deleted account (all change or remove the security stamp)
/// ends the token at its first use after at most <see cref="AccountSessionOptions.SessionRevalidationSeconds"/>.
/// A confirmed (account, stamp) pair is remembered that long, so a script's burst of calls costs one query a period;
/// a token read and confirmed is remembered as long too (never past its own expiry), so the burst also decrypts it
/// once a period instead of on every call. Neither memory lets a token outlive the period: the stamp is checked again
/// once it runs out, whatever was remembered.
/// </summary>
internal sealed class BearerTokenRevalidation(TimeProvider time, IOptions<AccountSessionOptions> options, IOptions<IdentityOptions> identity)
{
    /// <summary>Tokens remembered at most; past it, expired ones are dropped, and all of them when none had expired.</summary>
    internal const int MaxRememberedTokens = 4096;

    private readonly ConcurrentDictionary<string, (string? Stamp, DateTimeOffset CheckedAt)> confirmed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReadToken> read = new(StringComparer.Ordinal);

    /// <summary>A token already decrypted: its ticket, and until when it may be used without decrypting it again.</summary>
    private sealed record ReadToken(AuthenticationTicket Ticket, DateTimeOffset Until);

    /// <summary>How many tokens are remembered decrypted now (for tests).</summary>
    internal int RememberedTokens => read.Count;

    /// <summary>Hooks the check into the bearer scheme: it runs before the handler accepts a token.</summary>
    public static void Configure(BearerTokenOptions bearer) => bearer.Events.OnMessageReceived = context =>
        context.HttpContext.RequestServices.GetRequiredService<BearerTokenRevalidation>().CheckAsync(context);

    private async Task CheckAsync(MessageReceivedContext context)
    {
        // The token as it stands in the header: a remembered one is found without copying it out (it is a few hundred
        // characters, and every API call carries it).
        var header = context.Token is null ? context.Request.Headers.Authorization.ToString() : "";
        var (start, length) = TokenRange(header);
        if (context.Token is null && length == 0)
        {
            return; // The handler answers for a missing token as it always does.
        }

        var now = time.GetUtcNow();
        var found = context.Token is { } given
            ? read.TryGetValue(given, out var known)
            : read.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(header.AsSpan(start, length), out known);
        var remembered = found && now < known!.Until;
        var token = context.Token ?? (remembered ? null : header.Substring(start, length));
        var ticket = remembered ? known!.Ticket : context.Options.BearerTokenProtector.Unprotect(token);
        if (ticket is not { Principal: { } principal })
        {
            return; // The handler answers for an unreadable token as it always does.
        }

        if (!await IsCurrentAsync(principal, context.HttpContext.RequestServices, now))
        {
            read.TryRemove(context.Token ?? header.Substring(start, length), out _);
            context.Fail("The account behind this token was locked, reset or removed; sign in again.");
            return;
        }

        if (ticket.Properties.ExpiresUtc is not { } expires || now >= expires)
        {
            read.TryRemove(context.Token ?? header.Substring(start, length), out _);
            return; // The handler reads it again and refuses it as expired.
        }

        if (!remembered)
        {
            Remember(token!, ticket, now, expires);
        }

        // Already read: hand the ticket over instead of letting the handler decrypt it a second time. A remembered
        // ticket is shared between requests, so each request gets its own copy to change as it likes.
        context.Principal = remembered ? principal.Clone() : principal;
        context.Properties = remembered ? ticket.Properties.Clone() : ticket.Properties;
        context.Success();
    }

    /// <summary>Where the token stands in an Authorization header of the form "Bearer token"; length 0 when it has none.</summary>
    private static (int Start, int Length) TokenRange(string header)
    {
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return (0, 0);
        }

        var rest = header.AsSpan(Scheme.Length);
        var leading = rest.Length - rest.TrimStart().Length;
        return (Scheme.Length + leading, rest.Trim().Length);
    }

    private void Remember(string token, AuthenticationTicket ticket, DateTimeOffset now, DateTimeOffset expires)
    {
        var period = TimeSpan.FromSeconds(options.Value.SessionRevalidationSeconds);
        if (period <= TimeSpan.Zero)
        {
            return;
        }

        if (read.Count >= MaxRememberedTokens)
        {
            foreach (var (key, value) in read)
            {
                if (now >= value.Until)
                {
                    read.TryRemove(key, out _);
                }
            }

            if (read.Count >= MaxRememberedTokens)
            {
                read.Clear();
            }
        }

        read[token] = new ReadToken(ticket, now + period < expires ? now + period : expires);
    }

    private async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, IServiceProvider requestServices, DateTimeOffset now)
    {
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null)
        {
            return false;
        }

        var stamp = principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        var period = TimeSpan.FromSeconds(options.Value.SessionRevalidationSeconds);
        if (period > TimeSpan.Zero && confirmed.TryGetValue(userId, out var known) && known.Stamp == stamp && now - known.CheckedAt < period)
        {
            return true;
        }

        // Only when the account is checked: the sign-in manager brings a user manager and a database context with it.
        var signIn = requestServices.GetRequiredService<SignInManager<ApplicationUser>>();
        if (await signIn.ValidateSecurityStampAsync(principal) is null)
        {
            confirmed.TryRemove(userId, out _);
            return false;
        }

        confirmed[userId] = (stamp, now);
        return true;
    }
}
