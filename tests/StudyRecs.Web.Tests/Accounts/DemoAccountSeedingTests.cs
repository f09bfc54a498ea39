using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Accounts;

public class DemoAccountSeedingTests
{
    /// <summary>Every account with a demo e-mail address, read through UserManager (duplicates included).</summary>
    internal static async Task<List<(string Email, string Id, string? StudentId, IList<string> Roles)>> DemoAccountsAsync(PortalFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var found = new List<(string, string, string?, IList<string>)>();
        foreach (var (email, _, _, _) in DemoAccountSeeder.DemoAccounts)
        {
            var normalized = users.NormalizeEmail(email);
            foreach (var user in users.Users.Where(u => u.NormalizedEmail == normalized).ToList())
            {
                found.Add((email, user.Id, user.StudentId, await users.GetRolesAsync(user)));
            }
        }

        return found;
    }

    [Fact]
    public async Task Development_seeds_an_admin_a_teacher_and_a_student_linked_to_S00001_once_across_restarts()
    {
        var first = new PortalFactory { EnvironmentName = "Development" };
        PortalFactory? restarted = null;
        try
        {
            var seeded = await DemoAccountsAsync(first);

            Assert.Equal(3, seeded.Count);
            Assert.Equal([Roles.Admin], seeded.Single(a => a.Email == "admin@studyrecs.local").Roles);
            Assert.Equal([Roles.Teacher], seeded.Single(a => a.Email == "teacher@studyrecs.local").Roles);
            var student = seeded.Single(a => a.Email == "student@studyrecs.local");
            Assert.Equal([Roles.Student], student.Roles);
            Assert.Equal(DemoAccountSeeder.DemoStudentId, student.StudentId);
            Assert.Equal("S00001", student.StudentId);

            restarted = first.Restart();
            var afterRestart = await DemoAccountsAsync(restarted);

            Assert.Equal(seeded.Select(a => a.Id).Order(), afterRestart.Select(a => a.Id).Order());
        }
        finally
        {
            (restarted ?? first).Dispose();
        }
    }
}
