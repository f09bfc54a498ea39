using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Accounts;

public class UserManagementTests : IClassFixture<PortalFixture>
{
    private readonly PortalFixture portal;

    public UserManagementTests(PortalFixture portal)
    {
        this.portal = portal;
        // Check sign-in cookies against their account on every request, so "ends open sessions" is observable at once.
        portal.Factory.Settings["Accounts:SessionRevalidationSeconds"] = "0";
    }

    private PortalFactory Factory => portal.Factory;

    private async Task<string> IdOfAsync(string email)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email))!.Id;
    }

    private async Task<(HttpClient Client, string Id, string Email)> SignedInStudentAsync(string? studentId = null)
    {
        var (email, password) = await Factory.CreateUserAsync(Roles.Student, studentId);
        var client = Factory.CreateBrowserlessClient();
        var signIn = await PortalFactory.PostFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal("/", Redirects.LocalTarget(signIn));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/student")).StatusCode);
        return (client, await IdOfAsync(email), email);
    }

    private static async Task<string> StatusAfterAsync(HttpClient admin, HttpResponseMessage post)
    {
        var page = await Html.GetAsync(admin, Redirects.LocalTarget(post));
        return page.QuerySelector("main [role=status]")?.TextContent ?? page.QuerySelector("main [role=alert]")?.TextContent ?? "";
    }

    [Fact]
    public async Task Locking_an_account_ends_the_session_it_already_has_open()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        var (student, id, _) = await SignedInStudentAsync();

        var locked = await PortalFactory.PostFormAsync(admin, $"/admin/users/{id}", "lock", []);

        Assert.Contains("sessions the user has open end on their next request", await StatusAfterAsync(admin, locked), StringComparison.Ordinal);
        Assert.StartsWith("/account/login", Redirects.LocalTarget(await student.GetAsync("/student")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resetting_a_password_ends_open_sessions_and_a_generated_password_is_shown_once_and_works()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        var (student, id, email) = await SignedInStudentAsync();

        var reset = await PortalFactory.PostFormAsync(admin, $"/admin/users/{id}", "reset", new() { ["NewPasswordInput"] = "" });

        var status = await StatusAfterAsync(admin, reset);
        Assert.StartsWith("/account/login", Redirects.LocalTarget(await student.GetAsync("/student")), StringComparison.Ordinal);
        var generated = System.Text.RegularExpressions.Regex.Match(status, @"New password: (\S+) \(shown once").Groups[1].Value;
        Assert.NotEmpty(generated);
        var again = await PortalFactory.PostFormAsync(Factory.CreateBrowserlessClient(), "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = generated });
        Assert.Equal("/", Redirects.LocalTarget(again));
        Assert.DoesNotContain(generated, (await Html.GetAsync(admin, $"/admin/users/{id}")).DocumentElement.OuterHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_creates_a_student_linked_to_a_student_id_who_can_then_sign_in()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        var email = $"new-{Guid.NewGuid():N}@uni.test";

        var response = await PortalFactory.PostFormAsync(admin, "/admin/users/new", "new-user", new()
        {
            ["Input.Email"] = email,
            ["Input.Role"] = Roles.Student,
            ["Input.StudentId"] = "S-777",
            ["Input.Password"] = "Student-Pass-1",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var detail = await Html.GetAsync(admin, Redirects.LocalTarget(response));
        Assert.Contains("S-777", detail.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Contains($"Account {email} created.", detail.QuerySelector("main [role=status]")!.TextContent, StringComparison.Ordinal);

        var student = Factory.CreateBrowserlessClient();
        var signIn = await PortalFactory.PostFormAsync(student, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = "Student-Pass-1" });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var dashboard = await Html.GetAsync(student, "/student");
        Assert.Contains("student id S-777", dashboard.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_a_user_with_bad_input_lists_every_problem_and_creates_nothing()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        var (existing, _) = await Factory.CreateUserAsync(Roles.Teacher);

        var response = await PortalFactory.PostFormAsync(admin, "/admin/users/new", "new-user", new()
        {
            ["Input.Email"] = existing,
            ["Input.Role"] = Roles.Teacher,
            ["Input.StudentId"] = "S-1",
            ["Input.Password"] = "short",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var alert = Html.Parse(await response.Content.ReadAsStringAsync()).QuerySelector("main [role=alert]")!.TextContent;
        Assert.Contains("only Student accounts are linked to a student id", alert, StringComparison.Ordinal);
        Assert.Contains($"an account with {existing} already exists", alert, StringComparison.Ordinal);
        Assert.Contains("Passwords must be at least 10 characters", alert, StringComparison.Ordinal);

        await using var scope = Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Single(users.Users.Where(u => u.Email == existing));
    }

    [Fact]
    public async Task Admin_links_locks_unlocks_and_resets_a_password()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        var (email, _) = await Factory.CreateUserAsync(Roles.Student);
        string id;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            id = (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email))!.Id;
        }

        var url = $"/admin/users/{id}";
        Assert.Equal(HttpStatusCode.Redirect, (await PortalFactory.PostFormAsync(admin, url, "link", new() { ["StudentIdInput"] = "LINK-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PortalFactory.PostFormAsync(admin, url, "lock", [])).StatusCode);

        var lockedOut = Factory.CreateBrowserlessClient();
        var reset = await PortalFactory.PostFormAsync(admin, url, "reset", new() { ["NewPasswordInput"] = "Reset-Pass-99" });
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        var denied = await PortalFactory.PostFormAsync(lockedOut, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = "Reset-Pass-99" });
        Assert.Equal("/account/lockout?by=administrator", Redirects.LocalTarget(denied));
        var lockoutPage = (await Html.GetAsync(lockedOut, Redirects.LocalTarget(denied)!)).QuerySelector("main")!.TextContent;
        Assert.Contains("stays locked until an administrator unlocks it", lockoutPage, StringComparison.Ordinal);
        Assert.DoesNotContain("15 minutes", lockoutPage, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await PortalFactory.PostFormAsync(admin, url, "unlock", [])).StatusCode);
        var allowed = await PortalFactory.PostFormAsync(Factory.CreateBrowserlessClient(), "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = "Reset-Pass-99" });
        Assert.Equal("/", Redirects.LocalTarget(allowed));

        var summary = await Html.GetAsync(admin, url);
        Assert.Contains("LINK-1", summary.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_student_id_can_be_linked_to_one_account_only()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        await Factory.CreateUserAsync(Roles.Student, "DUP-1");
        var (email, _) = await Factory.CreateUserAsync(Roles.Student);
        string id;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            id = (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email))!.Id;
        }

        var response = await PortalFactory.PostFormAsync(admin, $"/admin/users/{id}", "link", new() { ["StudentIdInput"] = "DUP-1" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("already linked to another account", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_user_id_shows_a_not_found_message()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);

        var page = await Html.GetAsync(admin, "/admin/users/does-not-exist");

        Assert.Equal("User not found", page.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task User_search_filters_by_student_id()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        await Factory.CreateUserAsync(Roles.Student, "FIND-ME-42");

        var page = await Html.GetAsync(admin, "/admin/users?q=FIND-ME");

        var rows = page.QuerySelectorAll("tbody tr");
        Assert.Single(rows);
        Assert.Contains("FIND-ME-42", rows[0].TextContent, StringComparison.Ordinal);
    }

    private async Task<(string? StudentId, IList<string> Roles)> AccountAsync(string id)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByIdAsync(id))!;
        return (user.StudentId, await users.GetRolesAsync(user));
    }

    private static async Task<string> AlertOfAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Html.Parse(await response.Content.ReadAsStringAsync()).QuerySelector("main [role=alert]")?.TextContent ?? "";
    }

    [Fact]
    public async Task Admin_assigns_roles_and_an_unknown_role_or_no_role_is_refused()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        var (email, _) = await Factory.CreateUserAsync(Roles.Teacher);
        var url = $"/admin/users/{await IdOfAsync(email)}";

        var saved = await PortalFactory.PostFormValuesAsync(admin, url, "roles", ("RoleInput", Roles.Teacher), ("RoleInput", Roles.Admin));

        Assert.Equal("Roles saved.", (await StatusAfterAsync(admin, saved)).Trim());
        Assert.Equal([Roles.Admin, Roles.Teacher], (await AccountAsync(await IdOfAsync(email))).Roles.Order());

        var unknown = await PortalFactory.PostFormValuesAsync(admin, url, "roles", ("RoleInput", "Janitor"));
        Assert.Contains("'Janitor' is not a role", await AlertOfAsync(unknown), StringComparison.Ordinal);
        var none = await PortalFactory.PostFormValuesAsync(admin, url, "roles");
        Assert.Contains("Choose at least one role", await AlertOfAsync(none), StringComparison.Ordinal);
        Assert.Equal([Roles.Admin, Roles.Teacher], (await AccountAsync(await IdOfAsync(email))).Roles.Order());
    }

    [Fact]
    public async Task The_student_role_stays_while_a_student_id_is_linked_and_can_go_after_unlinking()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);
        var (email, _) = await Factory.CreateUserAsync(Roles.Student, "UNLINK-" + Guid.NewGuid().ToString("N")[..6]);
        var id = await IdOfAsync(email);
        var url = $"/admin/users/{id}";

        var refused = await PortalFactory.PostFormValuesAsync(admin, url, "roles", ("RoleInput", Roles.Teacher));
        Assert.Contains("Unlink the student id before taking the Student role away", await AlertOfAsync(refused), StringComparison.Ordinal);
        Assert.Equal([Roles.Student], (await AccountAsync(id)).Roles);

        var unlinked = await PortalFactory.PostFormAsync(admin, url, "unlink", []);
        Assert.Equal("Student id unlinked.", (await StatusAfterAsync(admin, unlinked)).Trim());
        Assert.Null((await AccountAsync(id)).StudentId);

        var changed = await PortalFactory.PostFormValuesAsync(admin, url, "roles", ("RoleInput", Roles.Teacher));
        Assert.Equal("Roles saved.", (await StatusAfterAsync(admin, changed)).Trim());
        var after = await AccountAsync(id);
        Assert.Null(after.StudentId);
        Assert.Equal([Roles.Teacher], after.Roles);
    }

    [Fact]
    public async Task The_last_administrator_cannot_lose_the_admin_role()
    {
        // A portal of its own: the shared one has many administrators.
        using var factory = new PortalFactory();
        var (email, password) = await factory.CreateUserAsync(Roles.Admin);
        var admin = factory.CreateBrowserlessClient();
        await PortalFactory.PostFormAsync(admin, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        string id;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            id = (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email))!.Id;
        }

        var refused = await PortalFactory.PostFormValuesAsync(admin, $"/admin/users/{id}", "roles", ("RoleInput", Roles.Teacher));

        Assert.Contains("This is the last administrator", await AlertOfAsync(refused), StringComparison.Ordinal);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.Equal([Roles.Admin], await users.GetRolesAsync((await users.FindByIdAsync(id))!));
        }

        await factory.CreateUserAsync(Roles.Admin);
        var demoted = await PortalFactory.PostFormValuesAsync(admin, $"/admin/users/{id}", "roles", ("RoleInput", Roles.Teacher));
        Assert.Equal(HttpStatusCode.Redirect, demoted.StatusCode);
    }
}
