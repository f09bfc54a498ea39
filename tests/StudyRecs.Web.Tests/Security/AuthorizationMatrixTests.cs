using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Security;

/// <summary>
/// Every route of the portal and API (from the endpoint data source, each HTTP method and each {id} form filled in)
/// against anonymous, student A, student B, teacher X, teacher Y and admin. Teacher X uploaded the only dataset;
/// students A and B appear in it; teacher Y uploaded nothing. A new route fails <see cref="Every_route_has_a_row"/>
/// until someone writes down who may reach it.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.Portal portal) : IClassFixture<AuthorizationMatrixTests.Portal>
{
    /// <summary>Columns of a row's expectation string, in order.</summary>
    public enum Caller { Anonymous, StudentA, StudentB, TeacherX, TeacherY, Admin }

    /// <summary>
    /// What a caller gets. O: an answer (2xx, or a redirect that is not to sign-in or access-denied). D: denied (401,
    /// 403, or a redirect to sign-in or access-denied). N: 404 (not there, or not the caller's). R: refused as a request
    /// (400, 405, 409, 415, 422: authorization passed, the request itself was incomplete, e.g. no antiforgery token).
    /// A 5xx is never expected.
    /// </summary>
    private static char Classify(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return 'X';
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return 'D';
        }

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 'N';
        }

        if (status >= 400)
        {
            return 'R';
        }

        var location = response.Headers.Location?.OriginalString ?? "";
        return status is >= 300 and < 400 && (location.Contains("/account/login", StringComparison.Ordinal) || location.Contains("/account/access-denied", StringComparison.Ordinal))
            ? 'D'
            : 'O';
    }

    /// <summary>One route: its key (method and pattern), the URL to call, and the expected outcome for each <see cref="Caller"/>.</summary>
    private sealed record Row(string Key, string Url, string Expected);

    private const string PageMethods = "GET,POST";

    /// <summary>
    /// The matrix. Pages answer GET and POST (forms); a POST without the form's antiforgery token is refused (R) once
    /// authorization has passed, so each page's POST cell is its GET cell with every allowed answer turned into R.
    /// A page about another teacher's dataset or student may answer 200 with a "not yours" message: what it must never
    /// show is checked on every answer (<see cref="Portal.Secret"/>). A POST to a page never reaches the page without its
    /// form's token, so its cell is R even where the page itself would say "not yours".
    /// Placeholders: {dataset} teacher X's dataset, {studentA} student A's id, {studentAUser} student A's account, {resource} a catalog resource.
    /// </summary>
    private static readonly Row[] Matrix =
    [
        .. Page("/", "/", "OOOOOO"),
        .. Page("/not-found", "/not-found", "OOOOOO"),
        .. Page("/error", "/error", "OOOOOO"),
        .. Page("/account/login", "/account/login", "OOOOOO"),
        .. Page("/account/lockout", "/account/lockout", "OOOOOO"),
        .. Page("/account/access-denied", "/account/access-denied", "OOOOOO"),
        .. Page("/account/change-password", "/account/change-password", "DOOOOO"),
        .. Page("/student", "/student", "DOODDD"),
        .. Page("/teacher", "/teacher", "DDDOOO"),
        .. Page("/admin", "/admin", "DDDDDO"),
        .. Page("/datasets", "/datasets", "DDDOOO"),
        .. Page("/datasets/upload", "/datasets/upload", "DDDOOO"),
        .. Page("/datasets/{Id:long}", "/datasets/{dataset}", "DDDONO"),
        .. Page("/models", "/models", "DDDOOO"),
        .. Page("/models/{TaskSlug}/{Version}", "/models/regression/20260101-000000", "DDDNNN"),
        .. Page("/admin/jobs", "/admin/jobs", "DDDDDO"),
        .. Page("/admin/users", "/admin/users", "DDDDDO"),
        .. Page("/admin/users/new", "/admin/users/new", "DDDDDO"),
        .. Page("/admin/users/{Id}", "/admin/users/{studentAUser}", "DDDDDO"),
        .. Page("/admin/predictions", "/admin/predictions", "DDDDDO"),
        .. Page("/admin/recommendations", "/admin/recommendations", "DDDDDO"),
        .. Page("/recommendations/analytics", "/recommendations/analytics", "DDDOOO"),
        .. Page("/recommendations/experiments", "/recommendations/experiments", "DDDOOO"),
        .. Page("/recommendations/external", "/recommendations/external", "DDDDDO"),
        .. Page("/teacher/at-risk", "/teacher/at-risk", "DDDOOO"),
        .. Page("/students/{StudentId}", "/students/{studentA}", "DDDONO", post: "DDDRRR"),
        .. Page("/forecasts/{StudentId}/{Subject}", "/forecasts/{studentA}/Calculus", "DONONO", post: "DRRRRR"),
        .. Page("/monitoring", "/monitoring", "DDDOOO"),
        .. Page("/resources", "/resources", "DDDOOO"),
        .. Page("/resources/new", "/resources/new", "DDDOOO"),
        .. Page("/resources/{Id:long}/edit", "/resources/{resource}/edit", "DDDOOO"),
        .. Page("/resources/import", "/resources/import", "DDDOOO"),
        .. Page("/resources/imports/{Id:long}", "/resources/imports/999999", "DDDNNN"),

        new("POST /account/logout", "/account/logout", "DRRRRR"),
        new("POST /preferences/theme", "/preferences/theme", "RRRRRR"),
        new("* /_blazor", "/_blazor", "RRRRRR"),
        new("* /_blazor/negotiate", "/_blazor/negotiate", "RRRRRR"),
        new("* /_blazor/disconnect/", "/_blazor/disconnect/", "RRRRRR"),
        new("* /_blazor/initializers/", "/_blazor/initializers/", "OOOOOO"),
        new("POST /api/auth/login", "/api/auth/login", "RRRRRR"),
        new("POST /api/auth/refresh", "/api/auth/refresh", "RRRRRR"),
        new("POST /api/auth/register", "/api/auth/register", "RRRRRR"),
        new("GET /api/auth/confirmEmail", "/api/auth/confirmEmail?userId=x&code=y", "NNNNNN"),
        new("POST /api/auth/resendConfirmationEmail", "/api/auth/resendConfirmationEmail", "RRRRRR"),
        new("POST /api/auth/forgotPassword", "/api/auth/forgotPassword", "RRRRRR"),
        new("POST /api/auth/resetPassword", "/api/auth/resetPassword", "RRRRRR"),
        new("POST /api/auth/manage/2fa", "/api/auth/manage/2fa", "NNNNNN"),
        new("GET /api/auth/manage/info", "/api/auth/manage/info", "DOOOOO"),
        new("POST /api/auth/manage/info", "/api/auth/manage/info", "NNNNNN"),

        new("GET /datasets/{id:long}/report.csv", "/datasets/{dataset}/report.csv", "DDDONO"),
        new("GET /datasets/{id:long}/original", "/datasets/{dataset}/original", "DDDONO"),
        new("POST /api/datasets/", "/api/datasets", "DDDRRR"),
        new("GET /api/datasets/", "/api/datasets", "DDDOOO"),
        new("GET /api/datasets/{id:long}", "/api/datasets/{dataset}", "DDDONO"),
        new("GET /api/datasets/{id:long}/report.csv", "/api/datasets/{dataset}/report.csv", "DDDONO"),
        new("GET /api/datasets/counts", "/api/datasets/counts", "DDDOOO"),

        // Changes by cookie need the antiforgery token (refused here before ownership is checked; see DatasetLifecycleApiTests).
        new("POST /api/datasets/{id:long}/archive", "/api/datasets/{dataset}/archive", "DDDRRR"),
        new("POST /api/datasets/{id:long}/restore", "/api/datasets/{dataset}/restore", "DDDRRR"),
        new("DELETE /api/datasets/{id:long}", "/api/datasets/{dataset}", "DDDRRR"),

        new("POST /api/predict", "/api/predict", "DRRRRR"),
        new("GET /teacher/at-risk.csv", "/teacher/at-risk.csv?dataset={dataset}", "DDDRNR"),

        new("POST /api/recommendations/events", "/api/recommendations/events", "DRRRRR"),
        new("GET /recommendations/go/{requestId}/{resourceId:long}", "/recommendations/go/0193ab/{resource}", "DOOOOO"),
        new("GET /api/v1/recommendations/home", "/api/v1/recommendations/home?user_id={studentA}", "DODODO"),
        new("GET /api/v1/recommendations/similar/{resourceId:long}", "/api/v1/recommendations/similar/{resource}", "DOOOOO"),
        new("GET /api/v1/recommendations/stats/user/{id}", "/api/v1/recommendations/stats/user/{studentA}", "DODODO"),
        new("GET /api/v1/recommendations/stats/global", "/api/v1/recommendations/stats/global", "DDDOOO"),
        new("GET /api/v1/recommendations/experiments", "/api/v1/recommendations/experiments", "DDDOOO"),
        new("GET /api/v1/recommendations/experiments/{id:long}", "/api/v1/recommendations/experiments/999999", "DDDNNN"),
        new("GET /admin/recommendations/models", "/admin/recommendations/models", "DDDDDO"),
        new("POST /admin/recommendations/reindex", "/admin/recommendations/reindex", "DDDDDR"),
        new("GET /recommendations/external/interactions.csv", "/recommendations/external/interactions.csv", "DDDDDO"),

        new("GET /resources/imports/{id:long}/report.csv", "/resources/imports/999999/report.csv", "DDDNNN"),
        new("GET /resources/export.csv", "/resources/export.csv", "DDDOOO"),

        new("GET /models/{task}/{version}/model.bin", "/models/regression/20260101-000000/model.bin", "DDDNNN"),
        new("GET /models/{task}/{version}/metrics.json", "/models/regression/20260101-000000/metrics.json", "DDDNNN"),
        new("POST /training/retrain", "/training/retrain", "DDDRRR"),
        new("GET /api/training/runs/{id:long}", "/api/training/runs/999999", "DDDNNN"),
        new("GET /api/training/pins", "/api/training/pins", "DDDOOO"),
        new("POST /api/training/models/{task}/{version}/activate", "/api/training/models/regression/20260101000000/activate", "DDDDDR"),
        new("POST /api/training/models/{task}/unpin", "/api/training/models/regression/unpin", "DDDDDR"),

        new("* /health", "/health", "OOOOOO"),
        new("GET /openapi/{documentName}.json", "/openapi/v1.json", "OOOOOO"),
    ];

    private static IEnumerable<Row> Page(string route, string url, string get, string? post = null) =>
    [
        new($"GET {route}", url, get),
        new($"POST {route}", url, post ?? new string([.. get.Select(c => c == 'D' ? 'D' : 'R')])),
    ];

    /// <summary>"METHOD pattern" of every routed endpoint of ours (static files and the framework's fallbacks aside).</summary>
    private IEnumerable<string> RoutedKeys()
    {
        foreach (var endpoint in portal.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor") || IsFrameworkFallback(endpoint))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
            foreach (var method in methods)
            {
                yield return $"{method} {endpoint.RoutePattern.RawText}";
            }
        }
    }

    /// <summary>The framework's own catch-alls (no page or API of ours behind them; the fallback policy covers them).</summary>
    private static bool IsFrameworkFallback(RouteEndpoint e) =>
        e.Metadata.Any(m => m.GetType().Name == "FallbackMetadata") || e.DisplayName == "Blazor Opaque Redirection";

    [Fact]
    public void Every_route_has_a_row()
    {
        var routed = RoutedKeys().ToHashSet(StringComparer.Ordinal);
        var written = Matrix.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);

        Assert.True(Matrix.Length == written.Count, "A route has two rows.");
        var missing = routed.Except(written).Order().ToList();
        var stale = written.Except(routed).Order().ToList();
        Assert.True(missing.Count == 0, "Routes without a row in the authorization matrix (add one saying who may reach them): " + string.Join(", ", missing));
        Assert.True(stale.Count == 0, "Rows for routes that no longer exist: " + string.Join(", ", stale));
    }

    [Fact]
    public async Task Every_caller_gets_the_expected_answer_on_every_route()
    {
        var mismatches = new List<string>();
        foreach (var row in Matrix)
        {
            var method = row.Key[..row.Key.IndexOf(' ', StringComparison.Ordinal)] is var m && m == "*" ? "GET" : m;
            var url = portal.Fill(row.Url);
            var actual = new StringBuilder();
            foreach (var caller in Enum.GetValues<Caller>())
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method == "POST" && url.StartsWith("/api/", StringComparison.Ordinal))
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await portal.Clients[caller].SendAsync(request);
                actual.Append(Classify(response));
                if (caller is not (Caller.TeacherX or Caller.Admin) && (await response.Content.ReadAsStringAsync()).Contains(Portal.Secret, StringComparison.Ordinal))
                {
                    mismatches.Add($"{row.Key} ({url}): {caller} was shown teacher X's dataset");
                }
            }

            if (actual.ToString() != row.Expected)
            {
                mismatches.Add($"{row.Key} ({url}): expected {row.Expected}, got {actual}");
            }
        }

        // The leak check can see a leak: teacher X's own answers do carry the file name.
        Assert.Contains(Portal.Secret, await portal.Clients[Caller.TeacherX].GetStringAsync(portal.Fill("/api/datasets/{dataset}")), StringComparison.Ordinal);
        Assert.True(mismatches.Count == 0, "Columns: anonymous, student A, student B, teacher X, teacher Y, admin.\n" + string.Join("\n", mismatches));
    }

    [Fact]
    public async Task Bearer_tokens_get_the_same_answers_as_cookies_on_the_api()
    {
        // Scripts come with tokens: the student-scoped API answers them by the same rule.
        foreach (var (caller, expected) in new[] { (Caller.StudentA, HttpStatusCode.OK), (Caller.StudentB, HttpStatusCode.Forbidden), (Caller.TeacherX, HttpStatusCode.OK), (Caller.TeacherY, HttpStatusCode.Forbidden), (Caller.Admin, HttpStatusCode.OK) })
        {
            var client = await portal.BearerClientAsync(caller);
            Assert.Equal(expected, (await client.GetAsync(portal.Fill("/api/v1/recommendations/stats/user/{studentA}"))).StatusCode);
        }
    }

    /// <summary>One portal with the six callers signed in by cookie, and teacher X's dataset holding students A and B.</summary>
    public sealed class Portal : IAsyncLifetime
    {
        private const string StudentA = "S00001";
        private const string StudentB = "S00002";
        private readonly Dictionary<Caller, (string Email, string Password)> accounts = [];
        private string studentAUser = "";
        private long dataset;
        private long resource;

        /// <summary>The file name of teacher X's upload: no page or API answer for anyone but X and admins may contain it.</summary>
        public const string Secret = "generated-31.csv";

        public PortalFactory Factory { get; } = new() { Settings = { ["Resources:SeedStarterCatalog"] = "true" } };

        public Dictionary<Caller, HttpClient> Clients { get; } = [];

        public string Fill(string url) => url.Replace("{dataset}", dataset.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{studentAUser}", studentAUser, StringComparison.Ordinal)
            .Replace("{studentA}", StudentA, StringComparison.Ordinal)
            .Replace("{resource}", resource.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        public async Task InitializeAsync()
        {
            Clients[Caller.Anonymous] = Factory.CreateBrowserlessClient();
            foreach (var (caller, role, student) in new[]
            {
                (Caller.StudentA, Roles.Student, StudentA), (Caller.StudentB, Roles.Student, StudentB),
                (Caller.TeacherX, Roles.Teacher, null), (Caller.TeacherY, Roles.Teacher, null), (Caller.Admin, Roles.Admin, null),
            })
            {
                var account = await Factory.CreateUserAsync(role, student);
                accounts[caller] = account;
                var client = Factory.CreateBrowserlessClient();
                var login = await PortalFactory.PostFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = account.Email, ["Input.Password"] = account.Password });
                Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
                Clients[caller] = client;
            }

            await using (var scope = Factory.Services.CreateAsyncScope())
            {
                studentAUser = (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(accounts[Caller.StudentA].Email))!.Id;
                resource = scope.ServiceProvider.GetRequiredService<Core.Data.StudyRecsDbContext>().Set<Core.Resources.LearningResource>().Min(r => r.Id);
            }

            var uploader = await BearerClientAsync(Caller.TeacherX);
            var upload = await uploader.PostAsync("/api/datasets", PortalFactory.GeneratedUpload(students: 20, seed: 31));
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
            using var body = JsonDocument.Parse(await upload.Content.ReadAsStringAsync());
            dataset = body.RootElement.GetProperty("id").GetInt64();
        }

        public Task<HttpClient> BearerClientAsync(Caller caller) => Factory.BearerClientForAsync(accounts[caller].Email, accounts[caller].Password);

        public Task DisposeAsync()
        {
            Factory.Dispose();
            return Task.CompletedTask;
        }
    }
}
