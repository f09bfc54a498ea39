extern alias cli;

using System.Net;
using System.Text.Json;
using cli::StudyRecs.Cli.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Security;

/// <summary>The portal's security headers and method filter, and <c>studyrecs security check --url</c>'s probes against a test portal.</summary>
public sealed class SecurityCheckTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private HttpClient Client() => portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/api/datasets")]
    [InlineData("/no-such-page")]
    public async Task Every_answer_carries_the_security_headers(string path)
    {
        var response = await Client().GetAsync(path);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self' ws: wss:", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Single(response.Headers.GetValues("Referrer-Policy"));
    }

    [Theory]
    [InlineData("TRACE")]
    [InlineData("TRACK")]
    [InlineData("CONNECT")]
    [InlineData("PROPFIND")]
    [InlineData("FOO")]
    public async Task Trace_and_unknown_methods_are_refused(string method)
    {
        var response = await Client().SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/datasets"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void The_probe_opens_every_routable_page_of_the_portal()
    {
        var templates = typeof(StudyRecs.Web.Components.App).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), inherit: false))
            .Cast<Microsoft.AspNetCore.Components.RouteAttribute>().Select(r => r.Template).Distinct().ToList();
        Assert.NotEmpty(templates);
        var probed = PortalSecurityProbe.Pages.Select(p => p.Split('?')[0]).Concat(["/", "/account/login", "/account/lockout", "/account/access-denied", "/not-found", "/error"]).ToList();
        var missing = templates.Where(t =>
        {
            var pattern = "^" + System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Escape(t), @"\\\{[^/]*?}", "[^/]+") + "$";
            return !probed.Any(p => System.Text.RegularExpressions.Regex.IsMatch(p, pattern, System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        }).ToList();
        Assert.True(missing.Count == 0, "pages the security probe does not open: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task The_probe_passes_a_portal_that_refuses_strangers_and_sends_the_headers()
    {
        var results = await new PortalSecurityProbe(Client()).RunAsync(CancellationToken.None);

        Assert.All(results.Where(r => r.Name is "security-headers" or "unauthenticated-access" or "http-methods" or "error-pages"),
            r => Assert.True(r.Status == "pass", $"{r.Name}: {r.Status} {r.Detail}"));
        // The test portal speaks plain HTTP: the probe says so instead of passing HSTS and Secure cookies.
        Assert.Equal("warn", results.Single(r => r.Name == "hsts").Status);
        var report = new SecurityCheckReport(results);
        Assert.Equal(0, report.ExitCode(strict: false));
        Assert.Equal(1, report.ExitCode(strict: true));
        using var json = JsonDocument.Parse(report.ToJson(strict: false));
        Assert.Equal(results.Count, json.RootElement.GetProperty("checks").GetArrayLength());
    }

    [Fact]
    public async Task The_probe_fails_a_portal_without_headers_or_with_an_open_route()
    {
        await using var leaky = new PortalFactory
        {
            TestServices = s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new OpenEndpointStartup()),
        };
        var client = leaky.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var results = await new PortalSecurityProbe(client).RunAsync(CancellationToken.None);

        var headers = results.Single(r => r.Name == "security-headers");
        Assert.Equal("fail", headers.Status);
        Assert.Contains("X-Content-Type-Options", headers.Detail, StringComparison.Ordinal);
        Assert.Equal(1, new SecurityCheckReport(results).ExitCode(strict: false));
    }

    /// <summary>A portal that lost its security headers: a middleware ahead of everything strips them as the answer starts.</summary>
    private sealed class OpenEndpointStartup : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.Remove("X-Content-Type-Options");
                    return Task.CompletedTask;
                });
                return following(context);
            });
            next(app);
        };
    }

    [Fact]
    public async Task The_load_test_signs_in_and_reports_every_answer()
    {
        var (email, password) = await portal.Factory.CreateUserAsync(Roles.Teacher);
        var test = new PredictLoadTest(Client());
        await test.SignInAsync(email, password, CancellationToken.None);

        var result = await test.RunAsync(requests: 40, concurrency: 4, duration: null, CancellationToken.None);

        // No model is trained in this portal: every forecast answers 503 "No model yet", and each counts as an error.
        Assert.Equal(40, result.Requests);
        Assert.Equal(40, result.Status.Values.Sum());
        Assert.Equal(result.Requests - result.Status.GetValueOrDefault("200"), result.Errors);
        Assert.True(result.P50Ms <= result.P95Ms && result.P95Ms <= result.P99Ms && result.P99Ms <= result.MaxMs);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(result));
        foreach (var key in new[] { "requests", "rps", "p50_ms", "p95_ms", "p99_ms", "errors", "status" })
        {
            Assert.True(json.RootElement.TryGetProperty(key, out _), key);
        }
    }

    [Fact]
    public async Task The_load_test_refuses_a_wrong_password()
    {
        var (email, _) = await portal.Factory.CreateUserAsync(Roles.Teacher);

        await Assert.ThrowsAsync<LoadTestException>(() => new PredictLoadTest(Client()).SignInAsync(email, "Wrong-Passw0rd-1", CancellationToken.None));
    }
}
