using System.Net;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Accounts;

public class SignInTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    [Theory]
    [InlineData(Roles.Admin, "/admin", "Admin dashboard")]
    [InlineData(Roles.Teacher, "/teacher", "Teacher dashboard")]
    [InlineData(Roles.Student, "/student", "My dashboard")]
    public async Task Each_role_lands_on_its_own_dashboard(string role, string dashboard, string heading)
    {
        var client = await Factory.SignInAsync(role, role == Roles.Student ? "ST-" + Guid.NewGuid().ToString("N")[..8] : null);

        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal(dashboard, Redirects.LocalTarget(home));

        var page = await Html.GetAsync(client, dashboard);
        Assert.Equal(heading, page.QuerySelector("h1")!.TextContent.Trim());
    }

    [Theory]
    [InlineData("/admin")]
    [InlineData("/admin/users")]
    [InlineData("/teacher")]
    public async Task Student_is_denied_teacher_and_admin_pages(string url)
    {
        var client = await Factory.SignInAsync(Roles.Student);

        var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/account/access-denied", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Teacher_is_denied_admin_pages_and_the_student_dashboard()
    {
        var client = await Factory.SignInAsync(Roles.Teacher);

        foreach (var url in new[] { "/admin", "/admin/users/new", "/student" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/account/access-denied", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/admin")]
    [InlineData("/teacher")]
    [InlineData("/student")]
    [InlineData("/account/change-password")]
    public async Task Anonymous_visitors_are_sent_to_sign_in_with_a_return_url(string url)
    {
        var response = await Factory.CreateBrowserlessClient().GetAsync(url);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", response.Headers.Location!.AbsolutePath);
        Assert.Contains(Uri.EscapeDataString(url), response.Headers.Location.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_shows_an_error_and_does_not_sign_in()
    {
        var (email, _) = await Factory.CreateUserAsync(Roles.Teacher);
        var client = Factory.CreateBrowserlessClient();

        var response = await PortalFactory.PostFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = "Wrong-Password-1" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = Html.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("Wrong email or password", page.QuerySelector("main [role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/teacher")).StatusCode);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account()
    {
        var (email, password) = await Factory.CreateUserAsync(Roles.Teacher);
        var client = Factory.CreateBrowserlessClient();
        for (var i = 0; i < 5; i++)
        {
            await PortalFactory.PostFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = "Wrong-Password-1" });
        }

        var response = await PortalFactory.PostFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/lockout", Redirects.LocalTarget(response));
        var lockoutPage = (await Html.GetAsync(client, "/account/lockout")).QuerySelector("main")!.TextContent;
        Assert.Contains("Try again in 15 minutes", lockoutPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_sign_in_form_names_each_missing_field()
    {
        var client = Factory.CreateBrowserlessClient();

        var response = await PortalFactory.PostFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = "", ["Input.Password"] = "" });

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Enter your email address.", text, StringComparison.Ordinal);
        Assert.Contains("Enter your password.", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("//evil.example/phish")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task Sign_in_never_redirects_off_site(string returnUrl)
    {
        var (email, password) = await Factory.CreateUserAsync(Roles.Teacher);
        var client = Factory.CreateBrowserlessClient();

        var response = await PortalFactory.PostFormAsync(client, "/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl), "login",
            new() { ["Input.Email"] = email, ["Input.Password"] = password });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", Redirects.LocalTarget(response));
    }

    [Fact]
    public async Task Sign_out_requires_the_antiforgery_token()
    {
        var client = await Factory.SignInAsync(Roles.Teacher);

        var forged = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/teacher")).StatusCode);

        var page = Html.Parse(await client.GetStringAsync("/teacher"));
        var token = page.QuerySelector("form[action='account/logout'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var real = await client.PostAsync("/account/logout", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/teacher")).StatusCode);
    }

    [Fact]
    public async Task Change_password_checks_the_policy_and_then_works()
    {
        var (email, password) = await Factory.CreateUserAsync(Roles.Student);
        var client = Factory.CreateBrowserlessClient();
        await PortalFactory.PostFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

        var weak = await PortalFactory.PostFormAsync(client, "/account/change-password", "change-password",
            new() { ["Input.OldPassword"] = password, ["Input.NewPassword"] = "alllowercase", ["Input.ConfirmPassword"] = "alllowercase" });
        Assert.Contains("Passwords must have at least one digit", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var ok = await PortalFactory.PostFormAsync(client, "/account/change-password", "change-password",
            new() { ["Input.OldPassword"] = password, ["Input.NewPassword"] = "New-Password-77", ["Input.ConfirmPassword"] = "New-Password-77" });
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);

        var fresh = Factory.CreateBrowserlessClient();
        var signIn = await PortalFactory.PostFormAsync(fresh, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = "New-Password-77" });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
    }
}
