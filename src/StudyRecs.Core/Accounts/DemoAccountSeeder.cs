using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;

namespace StudyRecs.Core.Accounts;

/// <summary>
/// Development only: creates one admin, one teacher and one student (linked to <see cref="DemoStudentId"/>)
/// with random passwords, printed once. Never runs outside Development.
/// </summary>
public sealed class DemoAccountSeeder(UserAdministration accounts, UserManager<ApplicationUser> users, ILogger<DemoAccountSeeder> logger)
{
    public const string DemoStudentId = "S00001";

    public static readonly IReadOnlyList<(string Email, string Role, string? StudentId, string Name)> DemoAccounts =
    [
        ("admin@studyrecs.local", Roles.Admin, null, "Demo Admin"),
        ("teacher@studyrecs.local", Roles.Teacher, null, "Demo Teacher"),
        ("student@studyrecs.local", Roles.Student, DemoStudentId, "Demo Student"),
    ];

    /// <summary>Creates the demo accounts that do not exist yet; returns (email, password) for each one created.</summary>
    public async Task<IReadOnlyList<(string Email, string Role, string Password)>> SeedAsync()
    {
        await accounts.EnsureRolesAsync();
        var created = new List<(string, string, string)>();
        foreach (var (email, role, studentId, name) in DemoAccounts)
        {
            if (await users.FindByEmailAsync(email) is not null)
            {
                continue;
            }

            var password = UserAdministration.GeneratePassword();
            var result = await accounts.CreateAsync(new NewAccount(email, password, role, studentId, name));
            if (!result.Succeeded)
            {
                logger.LogError("Could not create demo account {Email}: {Errors}", email, string.Join(" ", result.Errors));
                continue;
            }

            created.Add((email, role, password));
        }

        return created;
    }
}
