using Microsoft.Playwright;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Web.Tests.Browser;

[Trait("Category", "Browser")]
public class SignInBrowserTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private async Task<IPage> SignInAsync(string email, string password)
    {
        var page = await session.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        return page;
    }

    [BrowserTheory]
    [InlineData(Roles.Admin, "Admin dashboard")]
    [InlineData(Roles.Teacher, "Teacher dashboard")]
    [InlineData(Roles.Student, "My dashboard")]
    public async Task Each_role_signs_in_and_sees_its_dashboard(string role, string heading)
    {
        var (email, password) = await session.Portal.CreateUserAsync(role, role == Roles.Student ? "B-" + Guid.NewGuid().ToString("N")[..6] : null);
        var page = await SignInAsync(email, password);

        await BrowserSession.WithScreenshotOnFailureAsync(page, $"dashboard-{role}", async () =>
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(heading);
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        });
    }

    [BrowserFact]
    public async Task Student_gets_access_denied_on_teacher_and_admin_pages()
    {
        var (email, password) = await session.Portal.CreateUserAsync(Roles.Student, "B-" + Guid.NewGuid().ToString("N")[..6]);
        var page = await SignInAsync(email, password);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("My dashboard");

        foreach (var url in new[] { "/teacher", "/admin", "/admin/users" })
        {
            await page.GotoAsync(url);
            await BrowserSession.WithScreenshotOnFailureAsync(page, "denied" + url, async () =>
            {
                await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Access denied");
                await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);
            });
        }
    }

    [BrowserFact]
    public async Task Wrong_password_shows_an_error_message()
    {
        var (email, _) = await session.Portal.CreateUserAsync(Roles.Teacher);
        var page = await SignInAsync(email, "Not-The-Password-1");

        await BrowserSession.WithScreenshotOnFailureAsync(page, "wrong-password", async () =>
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong email or password");
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        });
    }

    [BrowserFact]
    public async Task Sign_out_works_without_javascript()
    {
        var (email, password) = await session.Portal.CreateUserAsync(Roles.Teacher);
        var page = await SignInAsync(email, password);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Teacher dashboard");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/teacher");

        await BrowserSession.WithScreenshotOnFailureAsync(page, "sign-out", async () =>
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in"));
    }
}
