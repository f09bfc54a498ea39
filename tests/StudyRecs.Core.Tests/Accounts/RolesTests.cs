using StudyRecs.Core.Accounts;

namespace StudyRecs.Core.Tests.Accounts;

public class RolesTests
{
    [Theory]
    [InlineData("admin", Roles.Admin)]
    [InlineData(" Teacher ", Roles.Teacher)]
    [InlineData("STUDENT", Roles.Student)]
    [InlineData("boss", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Role_names_are_recognised_case_insensitively(string? input, string? expected) =>
        Assert.Equal(expected, Roles.Normalize(input));

    [Theory]
    [InlineData("S-001", "S-001")]
    [InlineData("  abc.9_x ", "abc.9_x")]
    [InlineData("has space", null)]
    [InlineData("=cmd()", null)]
    [InlineData("", null)]
    public void Student_ids_are_trimmed_and_restricted_to_safe_characters(string input, string? expected) =>
        Assert.Equal(expected, UserAdministration.NormalizeStudentId(input));

    [Fact]
    public void Generated_passwords_meet_the_policy()
    {
        for (var i = 0; i < 50; i++)
        {
            var p = UserAdministration.GeneratePassword();
            Assert.True(p.Length >= PasswordRules.MinimumLength);
            Assert.Contains(p, char.IsUpper);
            Assert.Contains(p, char.IsLower);
            Assert.Contains(p, char.IsDigit);
        }
    }
}
