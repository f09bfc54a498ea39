using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Tests.Hosting;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Cli.Tests.Accounts;

/// <summary><c>studyrecs users create-admin</c> and <c>users create</c>, run as processes on a fresh SQLite database.</summary>
public sealed partial class UsersCommandTests : IDisposable
{
    private readonly CliProcess _cli = new();

    private async Task<(ApplicationUser? User, IList<string> Roles, bool PasswordWorks)> AccountAsync(string email, string password)
    {
        await using var sp = _cli.OpenDatabase();
        await using var scope = sp.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email);
        return user is null ? (null, [], false) : (user, await users.GetRolesAsync(user), await users.CheckPasswordAsync(user, password));
    }

    [GeneratedRegex(@"Password \(shown once\): (\S+)")]
    private static partial Regex PrintedPassword();

    [Fact]
    public async Task Create_admin_on_a_new_installation_makes_an_admin_and_prints_a_generated_password_once()
    {
        var (exit, output, error) = await _cli.RunAsync("users", "create-admin", "--email", "first@uni.test");

        Assert.True(exit == 0, output + error);
        Assert.Contains("Created Admin account first@uni.test.", output, StringComparison.Ordinal);
        var printed = PrintedPassword().Matches(output);
        Assert.Single(printed);
        var (user, roles, passwordWorks) = await AccountAsync("first@uni.test", printed[0].Groups[1].Value);
        Assert.NotNull(user);
        Assert.Equal([Roles.Admin], roles);
        Assert.True(passwordWorks);
    }

    [Fact]
    public async Task Create_admin_with_an_email_that_exists_exits_2_and_changes_nothing()
    {
        Assert.Equal(0, (await _cli.RunAsync("users", "create-admin", "--email", "dup@uni.test", "--password", "First-Pass-123")).Exit);

        var (exit, output, error) = await _cli.RunAsync("users", "create-admin", "--email", "dup@uni.test", "--password", "Other-Pass-456");

        Assert.Equal(2, exit);
        Assert.Contains("already exists", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Password (shown once)", output, StringComparison.Ordinal);
        Assert.True((await AccountAsync("dup@uni.test", "First-Pass-123")).PasswordWorks);
    }

    [Fact]
    public async Task Create_makes_a_student_linked_to_a_student_id_with_the_given_password()
    {
        var (exit, output, error) = await _cli.RunAsync("users", "create", "--email", "s@uni.test", "--password", "Student-Pass-1", "--role", "student", "--student-id", "S1042");

        Assert.True(exit == 0, output + error);
        Assert.Contains("Created Student account s@uni.test linked to student id S1042.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Password (shown once)", output, StringComparison.Ordinal);
        var (user, roles, passwordWorks) = await AccountAsync("s@uni.test", "Student-Pass-1");
        Assert.Equal("S1042", user!.StudentId);
        Assert.Equal([Roles.Student], roles);
        Assert.True(passwordWorks);
    }

    [Theory]
    [InlineData("Janitor", null, "is not a role")]
    [InlineData("Teacher", "S77", "only Student accounts are linked to a student id")]
    [InlineData("Teacher", null, "Passwords must be at least 10 characters", "short")]
    public async Task Create_refuses_bad_input_with_exit_2_and_creates_nothing(string role, string? studentId, string message, string password = "Valid-Pass-123")
    {
        string[] args = ["users", "create", "--email", "bad@uni.test", "--password", password, "--role", role];
        var (exit, _, error) = await _cli.RunAsync(studentId is null ? args : [.. args, "--student-id", studentId]);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Null((await AccountAsync("bad@uni.test", password)).User);
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_exits_2_with_a_message_not_a_stack_trace()
    {
        var notADatabase = Path.Combine(_cli.DataDirectory, "broken.db");
        await File.WriteAllTextAsync(notADatabase, new string('x', 4096));
        _cli.Environment["ConnectionStrings__StudyRecs"] = $"Data Source={notADatabase}";

        var (exit, output, error) = await _cli.RunAsync("users", "create-admin", "--email", "first@uni.test");

        Assert.Equal(2, exit);
        Assert.Contains("Could not use the database", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("Password (shown once)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_password_without_a_password_prints_a_generated_one_that_signs_in_and_the_old_one_stops_working()
    {
        Assert.Equal(0, (await _cli.RunAsync("users", "create", "--email", "lost@uni.test", "--password", "Forgotten-Pass-1", "--role", "Teacher")).Exit);

        var (exit, output, error) = await _cli.RunAsync("users", "reset-password", "--email", "lost@uni.test");

        Assert.True(exit == 0, output + error);
        Assert.Contains("Set a new password for lost@uni.test.", output, StringComparison.Ordinal);
        var printed = PrintedPassword().Matches(output);
        Assert.Single(printed);
        Assert.True((await AccountAsync("lost@uni.test", printed[0].Groups[1].Value)).PasswordWorks);
        Assert.False((await AccountAsync("lost@uni.test", "Forgotten-Pass-1")).PasswordWorks);
    }

    [Fact]
    public async Task Reset_password_with_a_chosen_password_sets_it_and_prints_no_password()
    {
        Assert.Equal(0, (await _cli.RunAsync("users", "create", "--email", "chosen@uni.test", "--password", "Old-Pass-1234", "--role", "Student")).Exit);

        var (exit, output, error) = await _cli.RunAsync("users", "reset-password", "--email", "CHOSEN@uni.test", "--password", "New-Pass-5678");

        Assert.True(exit == 0, output + error);
        Assert.DoesNotContain("Password (shown once)", output, StringComparison.Ordinal);
        Assert.True((await AccountAsync("chosen@uni.test", "New-Pass-5678")).PasswordWorks);
    }

    [Theory]
    [InlineData("nobody@uni.test", "Valid-Pass-123", "No account with the e-mail address 'nobody@uni.test'.")]
    [InlineData("weak@uni.test", "short", "Passwords must be at least 10 characters")]
    public async Task Reset_password_refuses_an_unknown_account_or_a_weak_password_with_exit_2_and_changes_nothing(string email, string password, string message)
    {
        Assert.Equal(0, (await _cli.RunAsync("users", "create", "--email", "weak@uni.test", "--password", "Kept-Pass-1234", "--role", "Teacher")).Exit);

        var (exit, _, error) = await _cli.RunAsync("users", "reset-password", "--email", email, "--password", password);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.True((await AccountAsync("weak@uni.test", "Kept-Pass-1234")).PasswordWorks);
    }

    public void Dispose() => _cli.Dispose();
}
