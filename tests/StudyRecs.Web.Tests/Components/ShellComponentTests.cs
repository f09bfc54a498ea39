using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Components.Layout;
using StudyRecs.Web.Components.UI;

namespace StudyRecs.Web.Tests.Components;

public class ShellComponentTests
{
    private static ClaimsPrincipal UserIn(params string[] roles) =>
        new(new ClaimsIdentity(roles.Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.Name, "x")), "test"));

    private static async Task<AngleSharp.Dom.IDocument> RenderNavAsync(ClaimsPrincipal user, string at = "student")
    {
        await using var ctx = PortalComponents.Create();
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(at);
        var nav = ctx.Render<NavMenu>(p => p.Add(m => m.User, user));
        return Infrastructure.Html.Parse($"<html><body>{nav.Markup}</body></html>");
    }

    [Fact]
    public async Task Student_navigation_has_no_teacher_or_admin_links()
    {
        var doc = await RenderNavAsync(UserIn(Roles.Student));

        var links = doc.QuerySelectorAll("nav a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("student", links);
        Assert.DoesNotContain("teacher", links);
        Assert.DoesNotContain(links, l => l!.StartsWith("admin", StringComparison.Ordinal));
        Assert.Equal("Main", doc.QuerySelector("nav")!.GetAttribute("aria-label"));
    }

    [Fact]
    public async Task Admin_navigation_has_user_management_and_the_teacher_area()
    {
        var doc = await RenderNavAsync(UserIn(Roles.Admin), "admin");

        var links = doc.QuerySelectorAll("nav a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("admin/users", links);
        Assert.Contains("teacher", links);
        Assert.DoesNotContain("student", links);
    }

    [Fact]
    public async Task Current_page_link_is_marked_active()
    {
        var doc = await RenderNavAsync(UserIn(Roles.Student));

        Assert.Equal("student", doc.QuerySelector("nav a.active")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Role_badges_show_one_badge_per_role()
    {
        await using var ctx = PortalComponents.Create();
        var badges = ctx.Render<RoleBadges>(p => p.Add(b => b.RoleNames, new[] { Roles.Admin, Roles.Teacher })).FindAll(".role-badge").Select(b => b.TextContent.Trim()).ToList();
        Assert.Equal([Roles.Admin, Roles.Teacher], badges);
    }

    [Fact]
    public async Task Empty_state_is_announced_as_a_status()
    {
        await using var ctx = PortalComponents.Create();
        var box = ctx.Render<EmptyState>(p => p.Add(e => e.Title, "Nothing here yet")).Find(".empty-state");
        Assert.Equal("status", box.GetAttribute("role"));
        Assert.Equal("Nothing here yet", box.QuerySelector(".empty-state-title")!.TextContent);
    }

    [Fact]
    public async Task Chart_ticks_near_an_edge_end_or_start_at_their_point_so_no_label_is_clipped()
    {
        await using var ctx = PortalComponents.Create();
        string[] versions = ["20261101000000", "20261102000000", "20261203124557"];
        var chart = ctx.Render<LineChart>(p => p
            .Add(c => c.Title, "RMSE of each version")
            .Add(c => c.Series, [new ChartSeries("RMSE", [new ChartPoint(0, 6.1), new ChartPoint(1, 6.0), new ChartPoint(2, 5.9)])])
            .Add(c => c.Categories, versions)
            .Add(c => c.YMinimum, 0));

        var ticks = chart.FindAll("text.tick").Where(t => versions.Contains(t.TextContent)).ToList();
        Assert.Equal(["middle", "middle", "end"], ticks.Select(t => t.GetAttribute("text-anchor")));
        Assert.Equal("start", LineChart.TickAnchor(10, "20261101000000"));
        Assert.Equal("0", chart.FindAll("text.tick")[0].TextContent); // the axis starts at zero
        Assert.Equal("middle", LineChart.TickAnchor(320, "20261203124557"));
    }

    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(1, "1 byte")]
    [InlineData(1023, "1023 bytes")]
    [InlineData(1024, "1.0 KB")]
    [InlineData(1536, "1.5 KB")]
    [InlineData(20 * 1024 * 1024, "20.0 MB")]
    public void File_sizes_read_in_the_largest_whole_unit(long bytes, string expected) => Assert.Equal(expected, FileSizes.Format(bytes));

    [Theory]
    [InlineData("/teacher", "/teacher")]
    [InlineData("/admin/users?q=a", "/admin/users?q=a")]
    [InlineData("//evil.example", "/")]
    [InlineData("https://evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    public void Redirects_stay_inside_the_portal(string? requested, string expected) =>
        Assert.Equal(expected, PageRedirect.LocalOrHome(requested));
}
