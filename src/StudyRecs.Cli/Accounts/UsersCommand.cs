using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Cli.Hosting;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Cli.Accounts;

internal static class UsersCommand
{
    public static Command Create()
    {
        var email = new Option<string>("--email") { Description = "E-mail address (also the sign-in name)", Required = true };
        var password = new Option<string?>("--password") { Description = "Initial password; generated and printed once when omitted" };
        var name = new Option<string?>("--name") { Description = "Display name" };

        var createAdmin = new Command("create-admin", "Create an administrator account (the first admin of a new installation)") { email, password, name };
        createAdmin.SetAction((pr, ct) => CreateAsync(pr.GetValue(email), pr.GetValue(password), Roles.Admin, null, pr.GetValue(name), ct));

        var role = new Option<string>("--role") { Description = "Admin, Teacher or Student", Required = true };
        var studentId = new Option<string?>("--student-id") { Description = "Student id used in gradebook datasets (Student accounts only)" };
        var create = new Command("create", "Create an account with a role") { email, password, role, studentId, name };
        create.SetAction((pr, ct) => CreateAsync(pr.GetValue(email), pr.GetValue(password), pr.GetValue(role), pr.GetValue(studentId), pr.GetValue(name), ct));

        var newPassword = new Option<string?>("--password") { Description = "New password; generated and printed once when omitted" };
        var resetPassword = new Command("reset-password", "Set a new password for an account (for a lost password, the demo accounts' included); open sessions of the account end") { email, newPassword };
        resetPassword.SetAction((pr, ct) => CliDatabase.GuardAsync(() => ResetPasswordAsync(pr.GetValue(email), pr.GetValue(newPassword), ct)));

        return new Command("users", "Manage portal accounts") { createAdmin, create, resetPassword };
    }

    private static async Task<int> ResetPasswordAsync(string? email, string? password, CancellationToken ct)
    {
        await using var sp = CliServices.Build();
        await CliDatabase.MigrateAsync(sp, ct);
        await using var scope = sp.CreateAsyncScope();
        var (result, newPassword) = await scope.ServiceProvider.GetRequiredService<UserAdministration>().ResetPasswordByEmailAsync(email, password);
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync("Password not changed:");
            foreach (var e in result.Errors)
            {
                await Console.Error.WriteLineAsync($"  {e}");
            }

            return ExitCodes.Failed;
        }

        Console.WriteLine($"Set a new password for {result.User!.Email}.");
        if (string.IsNullOrEmpty(password))
        {
            Console.WriteLine($"Password (shown once): {newPassword}");
        }

        return ExitCodes.Ok;
    }

    private static Task<int> CreateAsync(string? email, string? password, string? role, string? studentId, string? name, CancellationToken ct) =>
        CliDatabase.GuardAsync(() => CreateOnDatabaseAsync(email, password, role, studentId, name, ct));

    private static async Task<int> CreateOnDatabaseAsync(string? email, string? password, string? role, string? studentId, string? name, CancellationToken ct)
    {
        await using var sp = CliServices.Build();
        await CliDatabase.MigrateAsync(sp, ct);
        await using var scope = sp.CreateAsyncScope();
        var generated = string.IsNullOrEmpty(password);
        var pw = generated ? UserAdministration.GeneratePassword() : password!;
        var result = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .CreateAsync(new NewAccount(email, pw, role, studentId, name));
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync("Account not created:");
            foreach (var e in result.Errors)
            {
                await Console.Error.WriteLineAsync($"  {e}");
            }

            return ExitCodes.Failed;
        }

        Console.WriteLine($"Created {Roles.Normalize(role)} account {result.User!.Email}{(result.User.StudentId is { } s ? $" linked to student id {s}" : "")}.");
        if (generated)
        {
            Console.WriteLine($"Password (shown once): {pw}");
        }

        return ExitCodes.Ok;
    }
}
