using System.Net;
using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Accounts.Admin;
using StudyRecs.Web.Features.Dashboards;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Accounts;

/// <summary>An admin's live account pages in bUnit with the real portal services: click, confirm in the dialog, read the outcome.</summary>
internal sealed class AdminPages(BunitContext context, string adminId) : IAsyncDisposable
{
    public BunitContext Context => context;

    public string AdminId => adminId;

    public IRenderedComponent<MudDialogProvider> Dialogs { get; } = context.Render<MudDialogProvider>();

    public IRenderedComponent<MudSnackbarProvider> Snackbars { get; } = context.Render<MudSnackbarProvider>();

    /// <summary>A bUnit context signed in as a new admin of <paramref name="portal"/> (with the user id claim the pages read).</summary>
    public static async Task<AdminPages> SignInAsync(PortalFactory portal)
    {
        var (email, _) = await portal.CreateUserAsync(Roles.Admin);
        return new AdminPages(PortalComponents.ForPortal(portal, Roles.Admin, email, null, new Claim(ClaimTypes.NameIdentifier, await IdOfAsync(portal, email))), await IdOfAsync(portal, email));
    }

    public static async Task<string> IdOfAsync(PortalFactory portal, string email)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email))!.Id;
    }

    /// <summary>Opens an account's page and waits until it shows the account.</summary>
    public async Task<IRenderedComponent<UserDetail>> OpenAsync(string id)
    {
        var page = context.Render<UserDetail>(p => p.Add(x => x.Id, id));
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".card-grid")), TimeSpan.FromSeconds(30));
        return page;
    }

    /// <summary>Presses a button once the page is idle (an action still finishing disables the buttons, and reloads the account).</summary>
    public static async Task PressAsync(IRenderedComponent<UserDetail> page, string css)
    {
        await page.WaitForAssertionAsync(() => Assert.False(page.Find($"button.{css}").HasAttribute("disabled")), TimeSpan.FromSeconds(30));
        await LiveEvents.ClickAsync(() => page.Find($"button.{css}"));
    }

    public static void WaitUntilIdle(IRenderedComponent<UserDetail> page) =>
        page.WaitForAssertion(() => Assert.DoesNotContain(page.FindAll(".card button"), b => b.HasAttribute("disabled")), TimeSpan.FromSeconds(30));

    /// <summary>Confirms the open dialog with its button <paramref name="confirm"/>, typing <paramref name="reason"/> first when given.</summary>
    public async Task ConfirmAsync(string confirm, string? reason = null)
    {
        await Dialogs.WaitForAssertionAsync(() => Assert.NotEmpty(Dialogs.FindAll(".mud-dialog-actions button")), TimeSpan.FromSeconds(10));
        if (reason is not null)
        {
            await LiveEvents.InputAsync(() => Dialogs.Find(".mud-dialog textarea"), reason);
        }

        await LiveEvents.ClickAsync(() => Dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == confirm));
    }

    public string DialogText() => Dialogs.Find(".mud-dialog").TextContent;

    /// <summary>Waits for a snackbar and returns its message.</summary>
    public string Outcome()
    {
        Snackbars.WaitForAssertion(() => Assert.NotEmpty(Snackbars.FindAll(".mud-snackbar")), TimeSpan.FromSeconds(30));
        return Snackbars.FindAll(".mud-snackbar")[^1].TextContent.Trim();
    }

    public static string Alert(IRenderedComponent<UserDetail> page)
    {
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[role=alert]")), TimeSpan.FromSeconds(30));
        return page.Find("[role=alert]").TextContent;
    }

    public ValueTask DisposeAsync() => context.DisposeAsync();
}

/// <summary>
/// The admin's user pages: account changes over the live connection and what they do to the account's sign-in
/// (checked through real HTTP sign-ins), the first load of the pages, and hostile addresses.
/// </summary>
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

    private async Task<(HttpClient Client, string Id, string Email)> SignedInStudentAsync(string? studentId = null)
    {
        var (email, password) = await Factory.CreateUserAsync(Roles.Student, studentId);
        var client = Factory.CreateBrowserlessClient();
        var signIn = await PortalFactory.PostFormAsync(client, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal("/", Redirects.LocalTarget(signIn));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/student")).StatusCode);
        return (client, await AdminPages.IdOfAsync(Factory, email), email);
    }

    private async Task<HttpResponseMessage> SignInAsync(string email, string password) =>
        await PortalFactory.PostFormAsync(Factory.CreateBrowserlessClient(), "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

    private async Task<(string? StudentId, IList<string> Roles, bool Locked)> AccountAsync(string id)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByIdAsync(id))!;
        return (user.StudentId, await users.GetRolesAsync(user), await users.IsLockedOutAsync(user));
    }

    private static async Task SetRolesAsync(IRenderedComponent<UserDetail> page, params string[] roles)
    {
        AdminPages.WaitUntilIdle(page);
        foreach (var box in page.FindComponents<MudCheckBox<bool>>())
        {
            var wanted = roles.Contains(box.Instance.Label);
            await page.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(wanted));
        }

        await AdminPages.PressAsync(page, "save-roles");
    }

    [Fact]
    public async Task Locking_an_account_asks_for_a_reason_and_ends_the_session_it_already_has_open()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var (student, id, email) = await SignedInStudentAsync();
        var page = await admin.OpenAsync(id);

        await AdminPages.PressAsync(page, "lock");
        Assert.Contains($"{email} cannot sign in until an administrator unlocks the account", admin.DialogText(), StringComparison.Ordinal);
        await admin.ConfirmAsync("Lock account", reason: "Shared the password with a friend");

        Assert.Contains("sessions the user has open end on their next request", admin.Outcome(), StringComparison.Ordinal);
        Assert.True((await AccountAsync(id)).Locked);
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button.unlock")));
        Assert.StartsWith("/account/login", Redirects.LocalTarget(await student.GetAsync("/student")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_the_lock_dialog_changes_nothing()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var (student, id, _) = await SignedInStudentAsync();
        var page = await admin.OpenAsync(id);

        await AdminPages.PressAsync(page, "lock");
        await admin.ConfirmAsync("Cancel");

        admin.Dialogs.WaitForAssertion(() => Assert.Empty(admin.Dialogs.FindAll(".mud-dialog")));
        Assert.False((await AccountAsync(id)).Locked);
        Assert.Empty(admin.Snackbars.FindAll(".mud-snackbar"));
        Assert.Equal(HttpStatusCode.OK, (await student.GetAsync("/student")).StatusCode);
    }

    [Fact]
    public async Task An_admin_cannot_lock_their_own_account()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);

        var page = await admin.OpenAsync(admin.AdminId);

        Assert.Empty(page.FindAll("button.lock"));
        Assert.Contains("This is your own account", page.Find(".card-grid").TextContent, StringComparison.Ordinal);
        // The rule is the use case's, not only the page's.
        await using var scope = Factory.Services.CreateAsyncScope();
        var refused = await scope.ServiceProvider.GetRequiredService<UserDirectory>().AdministerAsync(a => a.LockAsync(admin.AdminId, admin.AdminId, "test"));
        Assert.Equal(["You cannot lock your own account."], refused.Errors);
        Assert.False((await AccountAsync(admin.AdminId)).Locked);
    }

    [Fact]
    public async Task Resetting_a_password_ends_open_sessions_and_a_generated_password_is_shown_once_and_works()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var (student, id, email) = await SignedInStudentAsync();
        var page = await admin.OpenAsync(id);

        await AdminPages.PressAsync(page, "reset");
        Assert.Contains("A new password is generated and shown once", admin.DialogText(), StringComparison.Ordinal);
        await admin.ConfirmAsync("Reset password");

        Assert.Contains("Password reset; sessions the user has open end", admin.Outcome(), StringComparison.Ordinal);
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".one-time-password code")));
        var generated = page.Find(".one-time-password code").TextContent;
        Assert.Matches("^[A-Za-z0-9]{16}$", generated);
        Assert.Contains("shown only now", page.Find(".one-time-password").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("/account/login", Redirects.LocalTarget(await student.GetAsync("/student")), StringComparison.Ordinal);
        Assert.Equal("/", Redirects.LocalTarget(await SignInAsync(email, generated)));

        var again = await admin.OpenAsync(id);
        Assert.DoesNotContain(generated, again.Markup, StringComparison.Ordinal);
        var admin2 = await Factory.SignInAsync(Roles.Admin);
        Assert.DoesNotContain(generated, (await Html.GetAsync(admin2, $"/admin/users/{id}")).DocumentElement.OuterHtml, StringComparison.Ordinal);
    }

    private static async Task<IRenderedComponent<NewUser>> FillNewUserAsync(AdminPages admin, string email, string role, string? studentId, string? password)
    {
        var page = admin.Context.Render<NewUser>();
        // Awaited: a text field takes its value asynchronously, and the form must not be sent before it has.
        await LiveEvents.ChangeAsync(() => page.Find("input#email"), email);
        var select = page.FindComponent<MudSelect<string>>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(role));
        if (studentId is not null)
        {
            await LiveEvents.ChangeAsync(() => page.Find("input#sid"), studentId);
        }

        if (password is not null)
        {
            await LiveEvents.ChangeAsync(() => page.Find("input#pw"), password);
        }

        await LiveEvents.ClickAsync(() => page.Find("button.create"));
        return page;
    }

    [Fact]
    public async Task Admin_creates_a_student_linked_to_a_student_id_who_can_then_sign_in()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var email = $"new-{Guid.NewGuid():N}@uni.test";
        var sid = "S-" + Guid.NewGuid().ToString("N")[..6];

        var page = await FillNewUserAsync(admin, email, Roles.Student, sid, "Student-Pass-1");

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".created")), TimeSpan.FromSeconds(30));
        Assert.Contains($"Account {email} created.", page.Find(".created").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".created code"));
        var link = page.Find(".created a").GetAttribute("href")!;
        var detail = await admin.OpenAsync(link["admin/users/".Length..]);
        Assert.Contains(sid, detail.Find(".card-grid").TextContent, StringComparison.Ordinal);

        var student = Factory.CreateBrowserlessClient();
        var signIn = await PortalFactory.PostFormAsync(student, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = "Student-Pass-1" });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var dashboard = await Html.GetAsync(student, "/student");
        Assert.Contains($"student id {sid}", dashboard.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_generated_initial_password_is_shown_once_and_works()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var email = $"gen-{Guid.NewGuid():N}@uni.test";

        var page = await FillNewUserAsync(admin, email, Roles.Teacher, null, null);

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".created code")), TimeSpan.FromSeconds(30));
        var generated = page.Find(".created code").TextContent;
        Assert.Equal("/", Redirects.LocalTarget(await SignInAsync(email, generated)));
        await LiveEvents.ClickAsync(() => page.Find("button.another"));
        await page.WaitForAssertionAsync(() => Assert.DoesNotContain(generated, page.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal("", page.Find("input#email").GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task Creating_a_user_with_bad_input_lists_every_problem_and_creates_nothing()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var (existing, _) = await Factory.CreateUserAsync(Roles.Teacher);

        var page = await FillNewUserAsync(admin, existing.ToUpperInvariant(), Roles.Teacher, "S-1", "short");

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[role=alert]")), TimeSpan.FromSeconds(30));
        var alert = page.Find("[role=alert]").TextContent;
        Assert.Contains("only Student accounts are linked to a student id", alert, StringComparison.Ordinal);
        Assert.Contains($"an account with {existing.ToUpperInvariant()} already exists", alert, StringComparison.Ordinal);
        Assert.Contains("Passwords must be at least 10 characters", alert, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".created"));

        await using var scope = Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var normalized = existing.ToUpperInvariant();
        Assert.Single(users.Users.Where(u => u.NormalizedEmail == normalized));
    }

    [Fact]
    public async Task The_create_form_explains_a_missing_or_malformed_e_mail_in_plain_words_before_sending_anything()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);

        var empty = await FillNewUserAsync(admin, "", Roles.Teacher, null, null);
        await empty.WaitForAssertionAsync(() => Assert.Contains("Enter the user's e-mail address.", empty.Find(".new-user-form").TextContent, StringComparison.Ordinal));
        var malformed = await FillNewUserAsync(admin, "not-an-address", Roles.Teacher, null, null);
        await malformed.WaitForAssertionAsync(() => Assert.Contains("Enter an e-mail address such as name@university.edu.", malformed.Find(".new-user-form").TextContent, StringComparison.Ordinal));

        Assert.Empty(empty.FindAll(".created"));
        Assert.Empty(malformed.FindAll(".created"));
        await using var scope = Factory.Services.CreateAsyncScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("not-an-address"));
    }

    [Fact]
    public async Task Admin_links_locks_unlocks_and_resets_a_password()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var (email, _) = await Factory.CreateUserAsync(Roles.Student);
        var id = await AdminPages.IdOfAsync(Factory, email);
        var link = "LINK-" + Guid.NewGuid().ToString("N")[..6];
        var page = await admin.OpenAsync(id);

        await LiveEvents.ChangeAsync(() => page.Find("input#sid"), link);
        await AdminPages.PressAsync(page, "link");
        Assert.Equal("Student id linked.", admin.Outcome());
        await page.WaitForAssertionAsync(() => Assert.Contains($"Linked to student id {link}", page.Find(".card-grid").TextContent, StringComparison.Ordinal));

        await AdminPages.PressAsync(page, "lock");
        await admin.ConfirmAsync("Lock account", reason: "");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button.unlock")));

        AdminPages.WaitUntilIdle(page);
        await LiveEvents.ChangeAsync(() => page.Find("input#newpw"), "Reset-Pass-99");
        await AdminPages.PressAsync(page, "reset");
        await admin.ConfirmAsync("Reset password");
        await page.WaitForAssertionAsync(() => Assert.Contains(admin.Snackbars.FindAll(".mud-snackbar"), s => s.TextContent.Contains("Password reset", StringComparison.Ordinal)));
        Assert.Empty(page.FindAll(".one-time-password"));

        var lockedOut = Factory.CreateBrowserlessClient();
        var denied = await PortalFactory.PostFormAsync(lockedOut, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = "Reset-Pass-99" });
        Assert.Equal("/account/lockout?by=administrator", Redirects.LocalTarget(denied));
        var lockoutPage = (await Html.GetAsync(lockedOut, Redirects.LocalTarget(denied)!)).QuerySelector("main")!.TextContent;
        Assert.Contains("stays locked until an administrator unlocks it", lockoutPage, StringComparison.Ordinal);
        Assert.DoesNotContain("15 minutes", lockoutPage, StringComparison.Ordinal);

        await AdminPages.PressAsync(page, "unlock");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button.lock")));
        Assert.Equal("/", Redirects.LocalTarget(await SignInAsync(email, "Reset-Pass-99")));
        Assert.Equal(link, (await AccountAsync(id)).StudentId);
    }

    [Fact]
    public async Task A_student_id_can_be_linked_to_one_account_only()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var taken = "DUP-" + Guid.NewGuid().ToString("N")[..6];
        await Factory.CreateUserAsync(Roles.Student, taken);
        var (email, _) = await Factory.CreateUserAsync(Roles.Student);
        var id = await AdminPages.IdOfAsync(Factory, email);
        var page = await admin.OpenAsync(id);

        await LiveEvents.ChangeAsync(() => page.Find("input#sid"), taken);
        await AdminPages.PressAsync(page, "link");

        Assert.Contains("already linked to another account", AdminPages.Alert(page), StringComparison.Ordinal);
        Assert.Null((await AccountAsync(id)).StudentId);
    }

    [Fact]
    public async Task Unknown_user_id_answers_not_found()
    {
        var admin = await Factory.SignInAsync(Roles.Admin);

        var response = await admin.GetAsync("/admin/users/does-not-exist");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_search_filters_by_student_id_and_role_from_the_address()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var tag = "FIND-ME-" + Guid.NewGuid().ToString("N")[..6];
        await Factory.CreateUserAsync(Roles.Student, tag);
        var navigation = admin.Context.Services.GetRequiredService<NavigationManager>();

        navigation.NavigateTo($"admin/users?q={tag[..10]}");
        var page = admin.Context.Render<Users>();
        // While the grid loads its only row says so: wait for the account itself.
        await page.WaitForAssertionAsync(() => Assert.Contains(tag, Assert.Single(page.FindAll("tbody tr")).TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("1 account.", page.Markup, StringComparison.Ordinal);

        navigation.NavigateTo($"admin/users?q={tag[..10]}&role=Teacher");
        await page.WaitForAssertionAsync(() => Assert.Contains($"No Teacher account matches “{tag[..10]}”", page.Find(".empty-state").TextContent, StringComparison.Ordinal));

        navigation.NavigateTo("admin/users?role=Teacher");
        await page.WaitForAssertionAsync(() =>
        {
            var rows = page.FindAll("tbody tr a").Select(a => a.Closest("tr")!).ToList();
            Assert.NotEmpty(rows);
            Assert.All(rows, row => Assert.Contains("Teacher", row.TextContent, StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task A_role_that_does_not_exist_or_a_negative_page_in_the_address_is_ignored_with_a_message()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        admin.Context.Services.GetRequiredService<NavigationManager>().NavigateTo("admin/users?role=nope&page=-1");

        var page = admin.Context.Render<Users>();

        await page.WaitForAssertionAsync(() => Assert.NotEmpty(page.FindAll("tbody tr a")), TimeSpan.FromSeconds(30));
        Assert.Contains("“nope” is not a role; showing every role.", page.Find("[role=status]").TextContent, StringComparison.Ordinal);
        var http = await Factory.SignInAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/admin/users?role=nope&page=-1&q=" + new string('x', 500))).StatusCode);
    }

    [Fact]
    public async Task Admin_assigns_roles_and_an_unknown_role_or_no_role_is_refused()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var (email, _) = await Factory.CreateUserAsync(Roles.Teacher);
        var id = await AdminPages.IdOfAsync(Factory, email);
        var page = await admin.OpenAsync(id);

        await SetRolesAsync(page, Roles.Teacher, Roles.Admin);
        Assert.Equal("Roles saved.", admin.Outcome());
        Assert.Equal([Roles.Admin, Roles.Teacher], (await AccountAsync(id)).Roles.Order());

        await SetRolesAsync(page);
        await admin.ConfirmAsync("Save roles");
        Assert.Contains("Choose at least one role", AdminPages.Alert(page), StringComparison.Ordinal);
        // The page offers only real roles; the use case refuses any other all the same.
        await using var scope = Factory.Services.CreateAsyncScope();
        var unknown = await scope.ServiceProvider.GetRequiredService<UserDirectory>().AdministerAsync(a => a.SetRolesAsync(id, ["Janitor"]));
        Assert.Contains("'Janitor' is not a role", string.Join(" ", unknown.Errors), StringComparison.Ordinal);
        Assert.Equal([Roles.Admin, Roles.Teacher], (await AccountAsync(id)).Roles.Order());
    }

    [Fact]
    public async Task The_student_role_stays_while_a_student_id_is_linked_and_can_go_after_unlinking()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var (email, _) = await Factory.CreateUserAsync(Roles.Student, "UNLINK-" + Guid.NewGuid().ToString("N")[..6]);
        var id = await AdminPages.IdOfAsync(Factory, email);
        var page = await admin.OpenAsync(id);

        await SetRolesAsync(page, Roles.Teacher);
        Assert.Contains("loses the Student role", admin.DialogText(), StringComparison.Ordinal);
        await admin.ConfirmAsync("Save roles");
        Assert.Contains("Unlink the student id before taking the Student role away", AdminPages.Alert(page), StringComparison.Ordinal);
        Assert.Equal([Roles.Student], (await AccountAsync(id)).Roles);

        await AdminPages.PressAsync(page, "unlink");
        await admin.ConfirmAsync("Unlink");
        Assert.Equal("Student id unlinked.", admin.Outcome());
        Assert.Null((await AccountAsync(id)).StudentId);

        await SetRolesAsync(page, Roles.Teacher);
        await admin.ConfirmAsync("Save roles");
        await page.WaitForAssertionAsync(() => Assert.Contains(admin.Snackbars.FindAll(".mud-snackbar"), s => s.TextContent.Contains("Roles saved.", StringComparison.Ordinal)));
        var after = await AccountAsync(id);
        Assert.Null(after.StudentId);
        Assert.Equal([Roles.Teacher], after.Roles);
    }

    [Fact]
    public async Task The_last_administrator_cannot_lose_the_admin_role()
    {
        // A portal of its own: the shared one has many administrators.
        using var factory = new PortalFactory();
        await using var admin = await AdminPages.SignInAsync(factory);
        var page = await admin.OpenAsync(admin.AdminId);

        await SetRolesAsync(page, Roles.Teacher);
        Assert.Contains("You will no longer reach the admin pages", admin.DialogText(), StringComparison.Ordinal);
        await admin.ConfirmAsync("Save roles");

        Assert.Contains("This is the last administrator", AdminPages.Alert(page), StringComparison.Ordinal);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.Equal([Roles.Admin], await users.GetRolesAsync((await users.FindByIdAsync(admin.AdminId))!));
        }

        await factory.CreateUserAsync(Roles.Admin);
        await SetRolesAsync(page, Roles.Teacher);
        await admin.ConfirmAsync("Save roles");
        Assert.Equal("Roles saved.", admin.Outcome());
    }

    [Fact]
    public async Task Admin_dashboard_counts_accounts_and_follows_a_new_account_while_open()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var page = admin.Context.Render<AdminDashboard>();
        await page.WaitForAssertionAsync(() => Assert.Equal(4, page.FindAll(".stat-value").Count), TimeSpan.FromSeconds(30));

        int Teachers() => int.Parse(page.FindAll(".stat").Single(s => s.TextContent.Contains("Teacher accounts", StringComparison.Ordinal)).QuerySelector(".stat-value")!.TextContent, System.Globalization.CultureInfo.InvariantCulture);
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var counts = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CountAsync(CancellationToken.None);
            Assert.Equal(counts.PerRole.Single(r => r.Role == Roles.Teacher).Count, Teachers());
        }

        Assert.Contains("Accounts by role: Admin", page.Find(".role-chart").GetAttribute("aria-label"), StringComparison.Ordinal);
        var before = Teachers();
        await Factory.CreateUserAsync(Roles.Teacher);
        await page.WaitForAssertionAsync(() => Assert.True(Teachers() > before), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Admin_dashboard_says_what_needs_attention_and_follows_trainings_and_activations_while_open()
    {
        await using var admin = await AdminPages.SignInAsync(Factory);
        var page = admin.Context.Render<AdminDashboard>();
        await page.WaitForAssertionAsync(() => Assert.Contains("No grade model serves forecasts yet", page.Find(".attention").TextContent, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        Assert.Equal("datasets", page.FindAll(".attention-list li").Single(li => li.TextContent.Contains("No grade model", StringComparison.Ordinal)).QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("No model version is active yet", page.Find(".active-versions").TextContent, StringComparison.Ordinal);
        Assert.Equal(2, page.FindAll(".latest-trainings dd").Count(dd => dd.TextContent.Contains("none yet", StringComparison.Ordinal)));
        Assert.DoesNotContain("scheduler", page.Find(".attention").TextContent, StringComparison.Ordinal); // the test portal's scheduler runs

        // A training that failed elsewhere (another node, the CLI) and a version activated there show while the page is open.
        var now = DateTimeOffset.UtcNow;
        var run = new TrainingRun
        {
            Kind = TrainingRunKind.Grades,
            Status = TrainingRunStatus.Failed,
            Step = "Loading rows",
            TriggeredBy = "cli",
            StartedAt = now,
            FinishedAt = now,
            Error = "Neither task has enough labelled rows."
        };
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            db.Add(run);
            db.Add(new TrainedModel
            {
                Version = "20261203120000",
                Task = ModelTask.Regression,
                Algorithm = "gbdt",
                SettingsJson = "{}",
                MetricsJson = "{}",
                FeatureSchemaJson = "{}",
                ArtifactFormat = ArtifactFormats.EngineTrees,
                ArtifactSha256 = new string('0', 64),
                CreatedBy = "cli",
                CreatedAt = now,
                IsActive = true,
                ActivatedAt = now,
                DatasetIdsJson = "[]",
                DataHash = new string('0', 64),
                SelectionMetric = "cv_rmse",
                SelectionScore = 6.25,
            });
            await db.SaveChangesAsync();
        }

        await page.WaitForAssertionAsync(() =>
        {
            var item = page.FindAll(".attention-list li").Single(li => li.TextContent.Contains($"run #{run.Id}", StringComparison.Ordinal));
            Assert.Contains("The latest training of the grade models", item.TextContent, StringComparison.Ordinal);
            Assert.Contains("failed: Neither task has enough labelled rows.", item.TextContent, StringComparison.Ordinal);
            Assert.Equal("admin/jobs", item.QuerySelector("a")!.GetAttribute("href"));
        }, TimeSpan.FromSeconds(30));
        await page.WaitForAssertionAsync(() =>
        {
            var serving = page.Find(".active-versions");
            Assert.Equal("models/regression/20261203120000", serving.QuerySelector("a")!.GetAttribute("href"));
            Assert.Contains("CV RMSE 6.250", serving.TextContent, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30));
        Assert.Contains($"run #{run.Id}", page.Find(".latest-trainings").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(page.FindAll(".attention-list li"), li => li.TextContent.Contains("No grade model", StringComparison.Ordinal));
    }
}
