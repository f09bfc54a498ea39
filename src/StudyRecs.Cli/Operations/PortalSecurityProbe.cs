using System.Net;
using System.Text;
using System.Text.Json;

namespace StudyRecs.Cli.Operations;

/// <summary>
/// Probes a running portal the way an outsider would: without signing in, every page and API endpoint (pages from the
/// portal's known routes, API paths from its OpenAPI document) answers 401, a redirect to sign-in or 404, never data;
/// answers carry the security headers; TRACE and made-up methods are refused; error answers show no stack trace or version.
/// </summary>
internal sealed class PortalSecurityProbe(HttpClient client)
{
    /// <summary>Pages anyone may open (sign-in, error pages, health, the API description).</summary>
    private static readonly HashSet<string> PublicPaths = new(StringComparer.OrdinalIgnoreCase)
    {
        "/", "/account/login", "/account/lockout", "/account/access-denied", "/not-found", "/error", "/health", "/openapi/v1.json",
        "/api/auth/login", "/api/auth/refresh",
    };

    /// <summary>The portal's pages ({id} forms with a sample id); the API's paths come from its OpenAPI document.</summary>
    private static readonly string[] PagePaths =
    [
        "/student", "/teacher", "/admin", "/datasets", "/datasets/upload", "/datasets/1", "/datasets/1/report.csv", "/datasets/1/original",
        "/models", "/models/regression/1", "/models/regression/1/model.bin", "/models/regression/1/metrics.json",
        "/admin/jobs", "/admin/users", "/admin/users/new", "/admin/users/1", "/admin/predictions", "/admin/recommendations", "/admin/recommendations/models",
        "/recommendations/analytics", "/recommendations/go/1/1", "/teacher/at-risk", "/teacher/at-risk.csv?dataset=1", "/students/S00001",
        "/forecasts/S00001/Calculus", "/resources", "/resources/new", "/resources/1/edit", "/resources/import", "/resources/imports/1",
        "/resources/imports/1/report.csv", "/resources/export.csv", "/account/change-password", "/monitoring",
        "/recommendations/experiments", "/recommendations/external", "/recommendations/external/interactions.csv",
    ];

    /// <summary>The portal's pages the probe opens (a test checks that every routable page is among them).</summary>
    internal static IReadOnlyList<string> Pages => PagePaths;

    private static readonly string[] StackTraceMarkers = ["   at ", "StackTrace", "Exception:", ".cs:line", "Microsoft.AspNetCore.", "System.Private.CoreLib"];

    public async Task<IReadOnlyList<SecurityCheckResult>> RunAsync(CancellationToken ct)
    {
        var results = new List<SecurityCheckResult>();
        var login = await client.GetAsync("/account/login", ct);
        results.Add(Headers(login));
        results.Add(CookieFlags(login));
        results.Add(Hsts(login));
        results.Add(await UnauthenticatedAsync(ct));
        results.Add(await MethodsAsync(ct));
        results.Add(await ErrorPagesAsync(ct));
        return results;
    }

    private static SecurityCheckResult Headers(HttpResponseMessage response)
    {
        var missing = new List<string>();
        var csp = Header(response, "Content-Security-Policy");
        if (csp is null)
        {
            missing.Add("Content-Security-Policy");
        }
        else
        {
            var script = Directive(csp, "script-src") ?? Directive(csp, "default-src");
            if (script is null || script.Contains("'unsafe-inline'", StringComparison.Ordinal) || script.Contains("'unsafe-eval'", StringComparison.Ordinal) || script.Contains('*', StringComparison.Ordinal))
            {
                missing.Add("a script-src without 'unsafe-inline', 'unsafe-eval' or *");
            }

            if (Directive(csp, "frame-ancestors") is not ("'none'" or "'self'"))
            {
                missing.Add("frame-ancestors 'none'");
            }
        }

        if (!string.Equals(Header(response, "X-Content-Type-Options"), "nosniff", StringComparison.OrdinalIgnoreCase))
        {
            missing.Add("X-Content-Type-Options: nosniff");
        }

        if (Header(response, "Referrer-Policy") is null or "unsafe-url")
        {
            missing.Add("Referrer-Policy");
        }

        return missing.Count == 0
            ? SecurityCheckResult.Of("security-headers", CheckStatus.Pass, $"Content-Security-Policy ({csp}), X-Content-Type-Options, Referrer-Policy.")
            : SecurityCheckResult.Of("security-headers", CheckStatus.Fail, "Missing or weak: " + string.Join("; ", missing) + ".");
    }

    private SecurityCheckResult CookieFlags(HttpResponseMessage response)
    {
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        if (cookies.Count == 0)
        {
            return SecurityCheckResult.Of("cookies-live", CheckStatus.Warn, "The sign-in page set no cookie to inspect.");
        }

        var https = client.BaseAddress?.Scheme == Uri.UriSchemeHttps;
        var weak = cookies.Where(c => !Has(c, "httponly") || !Has(c, "samesite=") || Has(c, "samesite=none") || (https && !Has(c, "secure")))
            .Select(c => c[..c.IndexOf('=', StringComparison.Ordinal)]).ToList();
        if (weak.Count > 0)
        {
            return SecurityCheckResult.Of("cookies-live", CheckStatus.Fail, $"Cookies without HttpOnly, SameSite{(https ? " or Secure" : "")}: {string.Join(", ", weak)}.");
        }

        return https
            ? SecurityCheckResult.Of("cookies-live", CheckStatus.Pass, "Cookies are HttpOnly, SameSite and Secure.")
            : SecurityCheckResult.Of("cookies-live", CheckStatus.Warn, "Cookies are HttpOnly and SameSite, but the portal was probed over plain HTTP, so they cannot be Secure.");

        static bool Has(string cookie, string attribute) => cookie.Contains(attribute, StringComparison.OrdinalIgnoreCase);
    }

    private SecurityCheckResult Hsts(HttpResponseMessage response)
    {
        if (client.BaseAddress?.Scheme != Uri.UriSchemeHttps)
        {
            return SecurityCheckResult.Of("hsts", CheckStatus.Warn, "Probed over plain HTTP: serve the portal over HTTPS (browsers ignore HSTS on HTTP).");
        }

        return Header(response, "Strict-Transport-Security") is { } hsts
            ? SecurityCheckResult.Of("hsts", CheckStatus.Pass, hsts)
            : SecurityCheckResult.Of("hsts", CheckStatus.Fail, "No Strict-Transport-Security header over HTTPS.");
    }

    private async Task<SecurityCheckResult> UnauthenticatedAsync(CancellationToken ct)
    {
        var routes = PagePaths.Select(p => (HttpMethod.Get, p)).Concat(await ApiRoutesAsync(ct)).Distinct().ToList();
        var open = new List<string>();
        foreach (var (method, path) in routes)
        {
            using var request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Post)
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            var toSignIn = status is >= 300 and < 400 && response.Headers.Location?.OriginalString.Contains("/account/login", StringComparison.OrdinalIgnoreCase) == true;
            var refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed
                || toSignIn || (status is >= 400 and < 500 && PublicPaths.Contains(path));
            if (!refused)
            {
                open.Add($"{method} {path} → {status}");
            }
        }

        return open.Count == 0
            ? SecurityCheckResult.Of("unauthenticated-access", CheckStatus.Pass, $"{routes.Count} routes answer 401, 404 or a redirect to sign-in without credentials.")
            : SecurityCheckResult.Of("unauthenticated-access", CheckStatus.Fail, "Answered without signing in: " + string.Join(", ", open) + ".");
    }

    /// <summary>Every operation of the OpenAPI document, with sample values for its {parameters}.</summary>
    private async Task<IEnumerable<(HttpMethod, string)>> ApiRoutesAsync(CancellationToken ct)
    {
        using var response = await client.GetAsync("/openapi/v1.json", ct);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var routes = new List<(HttpMethod, string)>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            var concrete = System.Text.RegularExpressions.Regex.Replace(path.Name, "{[^}]+}", "1");
            if (PublicPaths.Contains(concrete))
            {
                continue;
            }

            foreach (var operation in path.Value.EnumerateObject())
            {
                routes.Add((new HttpMethod(operation.Name.ToUpperInvariant()), concrete));
            }
        }

        return routes;
    }

    private async Task<SecurityCheckResult> MethodsAsync(CancellationToken ct)
    {
        var accepted = new List<string>();
        foreach (var method in new[] { "TRACE", "TRACK", "FOO" })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/"), ct);
            if (response.IsSuccessStatusCode)
            {
                accepted.Add($"{method} → {(int)response.StatusCode}");
            }
        }

        return accepted.Count == 0
            ? SecurityCheckResult.Of("http-methods", CheckStatus.Pass, "TRACE, TRACK and unknown methods are refused.")
            : SecurityCheckResult.Of("http-methods", CheckStatus.Fail, "Accepted: " + string.Join(", ", accepted) + ".");
    }

    private async Task<SecurityCheckResult> ErrorPagesAsync(CancellationToken ct)
    {
        var leaks = new List<string>();
        var probes = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, "/no-such-page-" + Guid.NewGuid().ToString("N")[..8], null),
            (HttpMethod.Get, "/error", null),
            (HttpMethod.Get, "/datasets/not-a-number", null),
            (HttpMethod.Post, "/api/auth/login", "{\"email\": [1, 2, {\"x\": "),
            (HttpMethod.Get, "/%c0%af..%c0%af", null),
        };
        foreach (var (method, path, body) in probes)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (StackTraceMarkers.FirstOrDefault(m => text.Contains(m, StringComparison.Ordinal)) is { } marker)
            {
                leaks.Add($"{method} {path} shows \"{marker.Trim()}\"");
            }

            foreach (var header in new[] { "Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version" })
            {
                if (Header(response, header) is { } value)
                {
                    leaks.Add($"{method} {path} sends {header}: {value}");
                }
            }
        }

        return leaks.Count == 0
            ? SecurityCheckResult.Of("error-pages", CheckStatus.Pass, "Error answers show no stack trace, server or version.")
            : SecurityCheckResult.Of("error-pages", CheckStatus.Fail, string.Join("; ", leaks.Distinct()) + ".");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;

    private static string? Directive(string csp, string name) =>
        csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => d.StartsWith(name + " ", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim();
}
