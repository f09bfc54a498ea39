using System.Net;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Components;

/// <summary>The light/dark choice in the app bar: a form post that works on every page, remembered in a cookie.</summary>
public class ThemePreferenceTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static async Task<HttpResponseMessage> ChooseAsync(HttpClient client, string page, string theme, string returnUrl)
    {
        var document = await Html.GetAsync(client, page);
        var form = document.QuerySelector("form[action='preferences/theme']")!;
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        return await client.PostAsync("/preferences/theme", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["theme"] = theme,
            ["returnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = token,
        }));
    }

    [Fact]
    public async Task Choosing_dark_is_remembered_and_the_app_bar_then_offers_light()
    {
        var teacher = await portal.Factory.SignInAsync(Roles.Teacher);
        var before = await Html.GetAsync(teacher, "/teacher");
        Assert.Equal("dark", before.QuerySelector("form[action='preferences/theme'] input[name=theme]")!.GetAttribute("value"));

        var response = await ChooseAsync(teacher, "/teacher", "dark", "/datasets?status=Accepted");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/datasets?status=Accepted", response.Headers.Location!.OriginalString);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("studyrecs.theme=dark", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        var after = await Html.GetAsync(teacher, "/teacher");
        Assert.Equal("light", after.QuerySelector("form[action='preferences/theme'] input[name=theme]")!.GetAttribute("value"));
        Assert.Contains("Switch to the light theme", after.QuerySelector("form[action='preferences/theme'] button")!.GetAttribute("aria-label"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task The_return_address_never_leaves_the_portal(string returnUrl)
    {
        var anonymous = portal.Factory.CreateBrowserlessClient();

        var response = await ChooseAsync(anonymous, "/account/login", "dark", returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_unknown_theme_or_a_missing_token_is_refused_and_sets_nothing()
    {
        var anonymous = portal.Factory.CreateBrowserlessClient();

        var unknown = await ChooseAsync(anonymous, "/account/login", "pink", "/");
        var forged = await anonymous.PostAsync("/preferences/theme", new FormUrlEncodedContent(new Dictionary<string, string> { ["theme"] = "dark" }));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Choose light or dark", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(unknown.Headers.Contains("Set-Cookie") && unknown.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("studyrecs.theme", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }
}
