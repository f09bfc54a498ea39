using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
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
    private readonly CountingProtector protector = new();
    private readonly PortalFactory portal;

    public BearerTokenRevalidationTests()
    {
        portal = new PortalFactory
        {
            TestServices = s =>
            {
                s.AddSingleton(sp => new BearerTokenRevalidation(clock, sp.GetRequiredService<IOptions<AccountSessionOptions>>(), sp.GetRequiredService<IOptions<IdentityOptions>>()));
                // Counts how often an access token is decrypted (the refresh tokens have their own protector).
                s.PostConfigure<BearerTokenOptions>(IdentityConstants.BearerScheme, o => o.BearerTokenProtector = protector.Around(o.BearerTokenProtector));
            },
        };
        portal.Settings["Accounts:SessionRevalidationSeconds"] = "60";
    }

    public void Dispose() => portal.Dispose();

    private sealed class StandingClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Passes every call to the scheme's own protector and counts the tokens it was asked to read.</summary>
    private sealed class CountingProtector : ISecureDataFormat<AuthenticationTicket>
    {
        private ISecureDataFormat<AuthenticationTicket> inner = default!;
        private int reads;

        public int Reads => Volatile.Read(ref reads);

        public CountingProtector Around(ISecureDataFormat<AuthenticationTicket> protector)
        {
            inner = protector;
            return this;
        }

        public string Protect(AuthenticationTicket data) => inner.Protect(data);

        public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

        public AuthenticationTicket? Unprotect(string? protectedText)
        {
            Interlocked.Increment(ref reads);
            return inner.Unprotect(protectedText);
        }

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Interlocked.Increment(ref reads);
            return inner.Unprotect(protectedText, purpose);
        }
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
    public async Task A_burst_of_calls_decrypts_the_token_once_a_period_and_a_lock_still_ends_it_within_the_period()
    {
        var session = await SignInAsync();
        var revalidation = portal.Services.GetRequiredService<BearerTokenRevalidation>();
        var before = protector.Reads;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(session));
        }

        Assert.Equal(1, protector.Reads - before);
        Assert.Equal(1, revalidation.RememberedTokens);

        // Once the period is over the token is read again (a revoked key or an expiry would show there).
        clock.Now += TimeSpan.FromSeconds(61);
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(session));
        Assert.Equal(2, protector.Reads - before);

        // Remembered, yet a lock ends it as soon as the account is checked again: the memory never skips that check.
        await WithAdministration(a => a.LockAsync(session.UserId, actingUserId: "someone-else"));
        clock.Now += TimeSpan.FromSeconds(30);
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(session));
        Assert.Equal(2, protector.Reads - before);
        clock.Now += TimeSpan.FromSeconds(31);
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(session));
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(session));
        Assert.Equal(0, revalidation.RememberedTokens);
    }

    [Fact]
    public async Task With_revalidation_zero_every_call_reads_the_token()
    {
        portal.Settings["Accounts:SessionRevalidationSeconds"] = "0";
        var session = await SignInAsync();
        var before = protector.Reads;
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(session));
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(session));

        Assert.Equal(2, protector.Reads - before);
        Assert.Equal(0, portal.Services.GetRequiredService<BearerTokenRevalidation>().RememberedTokens);
    }

    [Fact]
    public async Task A_forged_or_garbled_token_is_refused()
    {
        var session = await SignInAsync();
        session.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(session));
        Assert.Equal(0, portal.Services.GetRequiredService<BearerTokenRevalidation>().RememberedTokens);
    }

    [Fact]
    public async Task A_token_is_found_whatever_the_case_of_its_scheme_and_the_spaces_around_it_and_its_lock_still_ends_it()
    {
        var session = await SignInAsync();
        var token = session.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        session.Client.DefaultRequestHeaders.Authorization = null;
        var before = protector.Reads;
        foreach (var header in new[] { $"Bearer {token}", $"bearer   {token}  ", $"BEARER {token}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/manage/info");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            Assert.Equal(HttpStatusCode.OK, (await session.Client.SendAsync(request)).StatusCode);
        }

        // One token however it is written: read once, remembered once.
        Assert.Equal(1, protector.Reads - before);
        Assert.Equal(1, portal.Services.GetRequiredService<BearerTokenRevalidation>().RememberedTokens);

        await WithAdministration(a => a.LockAsync(session.UserId, actingUserId: "someone-else"));
        clock.Now += TimeSpan.FromSeconds(61);
        using var afterLock = new HttpRequestMessage(HttpMethod.Get, "/api/auth/manage/info");
        afterLock.Headers.TryAddWithoutValidation("Authorization", $"bearer  {token} ");
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.Client.SendAsync(afterLock)).StatusCode);
        Assert.Equal(0, portal.Services.GetRequiredService<BearerTokenRevalidation>().RememberedTokens);

        using var empty = new HttpRequestMessage(HttpMethod.Get, "/api/auth/manage/info");
        empty.Headers.TryAddWithoutValidation("Authorization", "Bearer   ");
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.Client.SendAsync(empty)).StatusCode);
    }
}
