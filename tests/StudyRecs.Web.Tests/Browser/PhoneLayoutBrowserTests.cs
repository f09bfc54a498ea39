using Microsoft.Playwright;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Web.Tests.Browser;

/// <summary>The portal on a 375 px phone screen, JavaScript off: navigation reachable through the menu button, nothing wider than the screen.</summary>
[Trait("Category", "Browser")]
public class PhoneLayoutBrowserTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [BrowserTheory]
    [InlineData(Roles.Student, "My dashboard", new[] { "/student", "/account/change-password" })]
    [InlineData(Roles.Teacher, "Teacher dashboard", new[] { "/teacher", "/datasets", "/datasets/upload", "/resources" })]
    [InlineData(Roles.Admin, "Admin dashboard", new[] { "/admin", "/admin/users", "/admin/users/new", "/datasets", "/recommendations/external" })]
    public async Task On_a_phone_every_page_fits_the_screen_and_the_navigation_is_reachable(string role, string dashboard, string[] urls)
    {
        var (email, password) = await session.Portal.CreateUserAsync(role, role == Roles.Student ? "P-" + Guid.NewGuid().ToString("N")[..6] : null);
        var page = await session.NewPageAsync(viewport: BrowserSession.Phone);
        await page.GotoAsync("/account/login");
        await AssertFitsTheScreenAsync(page, "phone-login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(dashboard);

        foreach (var url in urls)
        {
            await page.GotoAsync(url);
            var name = $"phone-{role}{url}";
            await BrowserSession.WithScreenshotOnFailureAsync(page, name, async () =>
            {
                await AssertFitsTheScreenAsync(page, name);
                // On a phone the navigation drawer is closed until the menu button opens it.
                await OpenMenuAsync(page);
                var links = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link);
                Assert.True(await links.CountAsync() >= 2, $"{url}: the main navigation has fewer than two links");
                foreach (var link in await links.AllAsync())
                {
                    await Assertions.Expect(link).ToBeVisibleAsync();
                    var box = (await link.BoundingBoxAsync())!;
                    Assert.True(box.X >= 0 && box.X + box.Width <= BrowserSession.Phone.Width,
                        $"{url}: navigation link '{await link.TextContentAsync()}' lies outside the screen ({box.X} + {box.Width})");
                }
            });
        }

        // The navigation works on the phone: its last link (Change password, on every role) opens its page.
        await OpenMenuAsync(page);
        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await navigation.GetByRole(AriaRole.Link, new() { Name = "Change password" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/change-password$"));
    }

    private static async Task OpenMenuAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Menu" }).ClickAsync();
        await Assertions.Expect(page.Locator("#main-navigation")).ToBeVisibleAsync();
    }

    /// <summary>Fails when the page is wider than the viewport (a horizontal scrollbar), naming the widest culprits.</summary>
    private static async Task AssertFitsTheScreenAsync(IPage page, string name)
    {
        await BrowserSession.ScreenshotAsync(page, name);
        // A phone widens its layout viewport to content that does not fit (and zooms out), so compare with the screen itself.
        var viewport = BrowserSession.Phone.Width;
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var scrollWidth = Math.Max(widths[0], widths[1]);
        if (scrollWidth <= viewport)
        {
            return;
        }

        var culprits = await page.EvaluateAsync<string[]>(
            "w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap'))"
            + ".slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right))", viewport);
        Assert.Fail($"{page.Url} is {scrollWidth} px wide on a {viewport} px screen: {string.Join("; ", culprits)}");
    }
}
