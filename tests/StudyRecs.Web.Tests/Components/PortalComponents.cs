using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace StudyRecs.Web.Tests.Components;

/// <summary>
/// bUnit contexts for the portal's components: MudBlazor's services and a loose JS runtime (MudBlazor calls into its
/// script for popovers and sizes; the browser tests cover the real script). Use with <c>await using</c>: MudBlazor
/// registers services that are only asynchronously disposable.
/// </summary>
internal static class PortalComponents
{
    public static BunitContext Create(Action<IServiceCollection>? configure = null)
    {
        var context = new BunitContext();
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        configure?.Invoke(context.Services);
        return context;
    }
}
