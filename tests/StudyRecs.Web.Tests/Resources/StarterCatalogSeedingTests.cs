using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Resources;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Resources;

public sealed class StarterCatalogSeedingTests : IDisposable
{
    private readonly PortalFactory _factory = new() { Settings = { ["Resources:SeedStarterCatalog"] = "true" } };

    [Fact]
    public async Task A_portal_that_asks_for_it_starts_with_the_starter_catalog()
    {
        var teacher = await _factory.SignInAsync(Roles.Teacher);
        Assert.Equal(HttpStatusCode.OK, (await teacher.GetAsync("/resources?subject=Calculus")).StatusCode);

        // The list loads over the live connection (the grid asks the catalog for its page).
        await using var ctx = PortalComponents.ForPortal(_factory, Roles.Teacher, "seed-teacher@test.local");
        ctx.Render<MudPopoverProvider>();
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("resources?subject=Calculus");
        var page = ctx.Render<Features.Resources.Resources>();

        var expected = StarterCatalog.Entries.Count(e => e.Subject == "Calculus");
        await page.WaitForAssertionAsync(() => Assert.Equal(expected, page.FindAll(".resource-grid tbody tr").Count), TimeSpan.FromSeconds(30));
        Assert.All(page.FindAll(".resource-grid tbody tr td:first-child a"), a => Assert.StartsWith("http", a.GetAttribute("href"), StringComparison.Ordinal));
    }

    public void Dispose() => _factory.Dispose();
}
