using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Accounts;

public class AuthorizationCoverageTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public void Every_route_declares_an_explicit_policy_or_anonymous_access()
    {
        var endpoints = portal.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);

        var missing = endpoints
            .Where(e => !IsFrameworkFileFallback(e))
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Where(e => !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles)))
            .Select(e => $"{e.RoutePattern.RawText} ({e.DisplayName})")
            .ToList();

        Assert.True(missing.Count == 0, "Routes without an explicit policy: " + string.Join(", ", missing));
    }

    /// <summary>
    /// The framework's own catch-all for file-like paths (no page or API of ours). It falls under the
    /// fallback policy (signed-in users only), so it is safe without a policy of its own.
    /// </summary>
    private static bool IsFrameworkFileFallback(RouteEndpoint e) =>
        e.RoutePattern.RawText == "{**path:file}" && e.Metadata.Any(m => m.GetType().Name == "FallbackMetadata");

    [Fact]
    public void Known_pages_are_routed_with_the_expected_policy()
    {
        var endpoints = portal.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        string? PolicyOf(string route) => endpoints.Single(e => e.RoutePattern.RawText == route && e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Contains("GET") != false)
            .Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault(p => p is not null);

        Assert.Equal(Core.Accounts.Policies.Admin, PolicyOf("/admin/users"));
        Assert.Equal(Core.Accounts.Policies.Staff, PolicyOf("/teacher"));
        Assert.Equal(Core.Accounts.Policies.Student, PolicyOf("/student"));
        Assert.Equal(Core.Accounts.Policies.Staff, PolicyOf("/resources"));
        Assert.Equal(Core.Accounts.Policies.Staff, PolicyOf("/resources/{Id:long}/edit"));
        Assert.Equal(Core.Accounts.Policies.Staff, PolicyOf("/resources/export.csv"));
        Assert.Equal(Core.Accounts.Policies.Staff, PolicyOf("/recommendations/analytics"));
        Assert.Equal(Core.Accounts.Policies.Admin, PolicyOf("/admin/recommendations"));
        Assert.Equal(Core.Accounts.Policies.AdminApi, PolicyOf("/admin/recommendations/models"));
        Assert.Equal(Core.Accounts.Policies.SignedIn, PolicyOf("/recommendations/go/{requestId}/{resourceId:long}"));
        Assert.Equal(Core.Accounts.Policies.ApiUser, PolicyOf("/api/v1/recommendations/home"));
        Assert.Equal(Core.Accounts.Policies.ApiUser, PolicyOf("/api/v1/recommendations/stats/user/{id}"));
        Assert.Equal(Core.Accounts.Policies.StaffApi, PolicyOf("/api/v1/recommendations/stats/global"));
    }
}
