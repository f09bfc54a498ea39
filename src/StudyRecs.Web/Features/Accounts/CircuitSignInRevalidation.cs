using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Web.Features.Accounts;

/// <summary>
/// Checks the sign-in of every open live page against its account every
/// <see cref="AccountSessionOptions.SessionRevalidationSeconds"/>: a lock, a password reset or a removed account (each
/// changes or removes the security stamp) signs the page out, and its next render sends the user to sign in. Cookies
/// and bearer tokens get the same check per request (<see cref="SecurityStampValidatorOptions"/>, <see cref="BearerTokenRevalidation"/>).
/// </summary>
internal sealed class CircuitSignInRevalidation(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<AccountSessionOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    /// <summary>At least every 5 s even when requests are checked every time (0): a circuit has no requests to hook.</summary>
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(Math.Max(options.Value.SessionRevalidationSeconds, 5));

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await IsStillValidAsync(scope.ServiceProvider, authenticationState.User);
    }

    /// <summary>True for anonymous users and for sign-ins whose account still exists, is not locked and has the same security stamp.</summary>
    internal static async Task<bool> IsStillValidAsync(IServiceProvider services, ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        var signIn = services.GetRequiredService<SignInManager<ApplicationUser>>();
        return await signIn.ValidateSecurityStampAsync(user) is { } account && !await signIn.UserManager.IsLockedOutAsync(account);
    }
}
