using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Features.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Security;

/// <summary>A lock, a password reset or a deleted account ends bearer tokens too, not only portal cookies.</summary>
public sealed class BearerTokenRevalidationTests : IDisposable
{
    private readonly StandingClock clock = new(DateTimeOffset.UtcNow);
    private readonly PortalFactory portal;

    public BearerTokenRevalidationTests()
    {
        portal = new PortalFactory
        {
            TestServices = s => s.AddSingleton(sp => new BearerTokenRevalidation(clock, sp.GetRequiredService<IOptions<AccountSessionOptions>>())),
        };
        portal.Settings["Accounts:SessionRevalidationSeconds"] = "60";
    }

    public void Dispose() => portal.Dispose();

    private sealed class StandingClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed record Session(HttpClient Client, string UserId, string RefreshToken);

    private async Task<Session> SignInAsync()
    {
        var (email, password) = await portal.CreateUserAsync(Roles.Teacher);
        var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var tokens = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.RootElement.GetProperty("accessToken").GetString());
        await using var scope = portal.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email);
        return new Session(client, user!.Id, tokens.RootElement.GetProperty("refreshToken").GetString()!);
    }

    private async Task WithAdministration(Func<UserAdministration, Task> change)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        await change(scope.ServiceProvider.GetRequiredService<UserAdministration>());
    }

    private static async Task<HttpStatusCode> WhoAmIAsync(Session session) => (await session.Client.GetAsync("/api/auth/manage/info")).StatusCode;

    private static async Task<HttpStatusCode> RefreshAsync(Session session)
    {
        using var anonymous = new HttpRequestMessage(HttpMethod.Post, "/api/auth/refresh") { Content = JsonContent.Create(new { refreshToken = session.RefreshToken }) };
        return (await session.Client.SendAsync(anonymous)).StatusCode;
    }

    [Fact]
    public async Task Token_of_a_locked_account_stops_working_within_the_revalidation_period_and_refresh_is_refused()
    {
        var session = await SignInAsync();
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(session));

        await WithAdministration(a => a.LockAsync(session.UserId, actingUserId: "someone-else"));

        // Confirmed a moment ago, so still served until the period runs out; never longer.
        clock.Now += TimeSpan.FromSeconds(30);
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(session));
        clock.Now += TimeSpan.FromSeconds(31);
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(session));
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(session));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefreshAsync(session));
    }

    [Fact]
    public async Task Token_of_a_reset_account_stops_working_and_refresh_is_refused()
    {
        var session = await SignInAsync();
        var untouched = await SignInAsync();

        await WithAdministration(a => a.ResetPasswordAsync(session.UserId, "Another-Passw0rd-7"));
        clock.Now += TimeSpan.FromSeconds(61);

        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(session));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefreshAsync(session));
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(untouched));
        Assert.Equal(HttpStatusCode.OK, await RefreshAsync(untouched));
    }

    [Fact]
    public async Task Token_of_a_deleted_account_stops_working()
    {
        var session = await SignInAsync();
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(session));

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.DeleteAsync((await users.FindByIdAsync(session.UserId))!)).Succeeded);
        }

        clock.Now += TimeSpan.FromSeconds(61);
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(session));
    }

    [Fact]
    public async Task With_revalidation_zero_a_lock_ends_the_token_at_once()
    {
        portal.Settings["Accounts:SessionRevalidationSeconds"] = "0";
        var session = await SignInAsync();
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(session));

        await WithAdministration(a => a.LockAsync(session.UserId, actingUserId: "someone-else"));

        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(session));
    }

    [Fact]
    public async Task A_forged_or_garbled_token_is_refused()
    {
        var session = await SignInAsync();
        session.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(session));
    }
}
