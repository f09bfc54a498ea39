using StudyRecs.Core.Accounts;
using StudyRecs.Core.Resources;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Resources;

public sealed class StarterCatalogSeedingTests : IDisposable
{
    private readonly PortalFactory _factory = new() { Settings = { ["Resources:SeedStarterCatalog"] = "true" } };

    [Fact]
    public async Task A_portal_that_asks_for_it_starts_with_the_starter_catalog()
    {
        var teacher = await _factory.SignInAsync(Roles.Teacher);

        var page = await Html.GetAsync(teacher, "/resources?subject=Calculus");

        var expected = StarterCatalog.Entries.Count(e => e.Subject == "Calculus");
        Assert.Equal(expected, page.QuerySelectorAll("tbody tr").Length);
        Assert.All(page.QuerySelectorAll("tbody tr td:first-child a"), a => Assert.StartsWith("http", a.GetAttribute("href"), StringComparison.Ordinal));
    }

    public void Dispose() => _factory.Dispose();
}
