using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;

namespace StudyRecs.Web.Tests.Browser;

[Trait("Category", "Browser")]
public class RecommendationBrowserTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [BrowserFact]
    public async Task A_student_dismisses_a_recommendation_without_javascript_and_it_is_replaced()
    {
        await using (var scope = session.Portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StarterCatalogSeeder>().SeedAsync(CancellationToken.None);
        }

        await session.Portal.Services.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None);
        var (email, password) = await session.Portal.CreateUserAsync(Roles.Student, "BR-" + Guid.NewGuid().ToString("N")[..6]);
        var page = await session.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await BrowserSession.WithScreenshotOnFailureAsync(page, "recommended-for-you", async () =>
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recommended for you" })).ToBeVisibleAsync();
            var items = page.Locator("ol.recommendations > li");
            await Assertions.Expect(items).ToHaveCountAsync(5);
            var first = await items.First.Locator("a.recommendation-title").TextContentAsync();

            await items.First.GetByRole(AriaRole.Button, new() { Name = "Not for me" }).ClickAsync();

            // Patient: under a loaded CI machine the post, redirect and re-render can take longer than the default 5 s.
            await Assertions.Expect(page.GetByText("Dismissed; it will not be suggested again.")).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Assertions.Expect(page.Locator("ol.recommendations > li")).ToHaveCountAsync(5);
            await Assertions.Expect(page.Locator("ol.recommendations a.recommendation-title", new() { HasTextString = first! })).ToHaveCountAsync(0);
        });
    }
}
