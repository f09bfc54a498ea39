using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Features.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Accounts;

/// <summary>Open live pages lose their sign-in when an administrator locks the account or resets its password.</summary>
public class CircuitSignInRevalidationTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private async Task<(ApplicationUser User, System.Security.Claims.ClaimsPrincipal Principal)> SignedInAsync()
    {
        var (email, _) = await portal.Factory.CreateUserAsync(Roles.Teacher);
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<ApplicationUser>>();
        var user = (await signIn.UserManager.FindByEmailAsync(email))!;
        return (user, await signIn.CreateUserPrincipalAsync(user));
    }

    private async Task<bool> StillValidAsync(System.Security.Claims.ClaimsPrincipal principal)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        return await CircuitSignInRevalidation.IsStillValidAsync(scope.ServiceProvider, principal);
    }

    private async Task<T> AdministrationAsync<T>(Func<UserAdministration, Task<T>> action)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserAdministration>());
    }

    [Fact]
    public async Task The_portal_revalidates_live_pages_with_this_provider()
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        Assert.IsType<CircuitSignInRevalidation>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());
    }

    [Fact]
    public async Task A_sign_in_stays_valid_until_its_account_is_locked()
    {
        var (user, principal) = await SignedInAsync();
        var (admin, _) = await SignedInAsync();
        Assert.True(await StillValidAsync(principal));

        Assert.True((await AdministrationAsync(a => a.LockAsync(user.Id, admin.Id))).Succeeded);

        Assert.False(await StillValidAsync(principal));
        Assert.True(await StillValidAsync(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity())));
    }

    [Fact]
    public async Task A_password_reset_ends_the_sign_ins_made_before_it()
    {
        var (user, principal) = await SignedInAsync();

        var (result, _) = await AdministrationAsync(a => a.ResetPasswordAsync(user.Id, null));

        Assert.True(result.Succeeded);
        Assert.False(await StillValidAsync(principal));
    }
}
