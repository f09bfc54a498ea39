using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Resources;

namespace StudyRecs.Web.Tests.Browser;

[Trait("Category", "Browser")]
public class RecommendationBrowserTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private async Task<List<RecommendationEvent>> EventsAsync(string studentId, RecommendationEventType type)
    {
        await using var scope = session.Portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<RecommendationEvent>().AsNoTracking()
            .Where(e => e.StudentId == studentId && e.Type == type).ToListAsync();
    }

    [BrowserFact]
    public async Task A_student_dismisses_a_recommendation_in_place_and_the_list_was_logged_once()
    {
        await using (var scope = session.Portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StarterCatalogSeeder>().SeedAsync(CancellationToken.None);
        }

        await session.Portal.Services.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None);
        var studentId = "BR-" + Guid.NewGuid().ToString("N")[..6];
        var (email, password) = await session.Portal.CreateUserAsync(Roles.Student, studentId);
        var page = await session.NewPageAsync(javaScript: true);
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await BrowserSession.WithScreenshotOnFailureAsync(page, "recommended-for-you", async () =>
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recommended for you" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await BrowserSession.WaitForLiveAsync(page);
            var items = page.Locator("ol.recommendations > li");
            await Assertions.Expect(items).ToHaveCountAsync(5);
            var requestId = await page.Locator("ol.recommendations").GetAttributeAsync("data-request-id");

            // The prerendered list is the live one: chosen once, its impressions logged once.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            List<RecommendationEvent> impressions;
            while ((impressions = await EventsAsync(studentId, RecommendationEventType.Impression)).Count < 5 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            await Task.Delay(1500);
            impressions = await EventsAsync(studentId, RecommendationEventType.Impression);
            Assert.Equal(requestId, Assert.Single(impressions.Select(e => e.RequestId).Distinct()));
            Assert.Equal(5, impressions.Count);

            var scrollBefore = await page.EvaluateAsync<double>("() => window.scrollY");
            var first = await items.First.Locator("a.recommendation-title").TextContentAsync();
            await items.First.GetByRole(AriaRole.Button, new() { Name = "Not for me" }).ClickAsync();

            await Assertions.Expect(page.GetByText("it will not be suggested again")).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Assertions.Expect(page.Locator("ol.recommendations > li")).ToHaveCountAsync(4);
            await Assertions.Expect(page.Locator("ol.recommendations a.recommendation-title", new() { HasTextString = first! })).ToHaveCountAsync(0);
            // In place: same list, no reload, the page did not jump.
            Assert.Equal(requestId, await page.Locator("ol.recommendations").GetAttributeAsync("data-request-id"));
            Assert.Equal(scrollBefore, await page.EvaluateAsync<double>("() => window.scrollY"));
            Assert.Single(await EventsAsync(studentId, RecommendationEventType.Dismiss));
            // The list changed in place: nothing was shown anew, so the feedback added no impression (the writer stores in batches).
            await Task.Delay(1500);
            Assert.Equal(5, (await EventsAsync(studentId, RecommendationEventType.Impression)).Count);
            await BrowserSession.ScreenshotAsync(page, "student-dashboard-after-feedback");
        });
    }
}
