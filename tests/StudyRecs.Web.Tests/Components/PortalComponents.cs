using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Components;

/// <summary>
/// bUnit contexts for the portal's components: MudBlazor's services and a loose JS runtime (MudBlazor calls into its
/// script for popovers and sizes; the browser tests cover the real script). Use with <c>await using</c>: MudBlazor
/// registers services that are only asynchronously disposable.
/// </summary>
internal static class PortalComponents
{
    public static BunitContext Create(Action<IServiceCollection>? configure = null) => Build(ctx => configure?.Invoke(ctx.Services));

    /// <summary>
    /// A context whose components get the real portal's services (Core, database, options) from a scope of
    /// <paramref name="portal"/>, signed in as <paramref name="email"/> in <paramref name="role"/>: the way to test a
    /// live page's actions (clicks, dialogs, uploads over the circuit) against the real use cases.
    /// </summary>
    public static BunitContext ForPortal(PortalFactory portal, string role, string email, string? studentId = null, params Claim[] claims) =>
        ForPortal(portal, role, email, studentId, arrange: null, claims);

    /// <summary>As above; <paramref name="arrange"/> registers more services (e.g. bUnit's persistent state) before any renders.</summary>
    public static BunitContext ForPortal(PortalFactory portal, string role, string email, string? studentId, Action<BunitContext>? arrange, params Claim[] claims) => Build(context =>
    {
        var scope = portal.Services.CreateScope();
        context.Services.AddSingleton(new ScopeOwner(scope));
        context.Services.AddFallbackServiceProvider(scope.ServiceProvider);
        // bUnit answers IOptions<T> itself with defaults; components must see the portal's configuration.
        context.Services.AddSingleton(typeof(IOptions<>), typeof(PortalOptions<>));
        var auth = context.AddAuthorization();
        auth.SetAuthorized(email);
        auth.SetRoles(role);
        var extra = claims.ToList();
        if (studentId is not null)
        {
            extra.Add(new Claim(StudyRecsClaimTypes.StudentId, studentId));
        }

        if (extra.Count > 0)
        {
            auth.SetClaims([.. extra]);
        }

        arrange?.Invoke(context);
    });

    /// <summary>Services first (bUnit refuses registrations once the renderer exists), then the renderer's mode.</summary>
    private static BunitContext Build(Action<BunitContext> configure)
    {
        var context = new BunitContext();
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        configure(context);
        // Components see a live (interactive server) page, as in the browser once the circuit has started.
        context.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return context;
    }

    /// <summary>Disposes the portal scope together with the bUnit context.</summary>
    private sealed class ScopeOwner(IServiceScope scope) : IDisposable
    {
        public IServiceProvider Services => scope.ServiceProvider;

        public void Dispose() => scope.Dispose();
    }

    /// <summary>Options as the portal configured them (settings, appsettings, the test's overrides).</summary>
    private sealed class PortalOptions<T>(ScopeOwner portal) : IOptions<T>
        where T : class
    {
        public T Value => portal.Services.GetRequiredService<IOptions<T>>().Value;
    }
}
