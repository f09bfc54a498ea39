using System.Security.Claims;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Core.Tests.Accounts;

public class StudentDataAccessTests
{
    private static ClaimsPrincipal User(string? role, string? studentId = null, bool authenticated = true)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, "someone") };
        if (role is not null)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }

        if (studentId is not null)
        {
            claims.Add(new Claim(StudyRecsClaimTypes.StudentId, studentId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticated ? "test" : null));
    }

    [Fact]
    public void Student_reads_only_their_own_student_id()
    {
        var student = User(Roles.Student, "S1");

        Assert.True(StudentDataAccess.CanRead(student, "S1"));
        Assert.True(StudentDataAccess.CanRead(student, " S1 "));
        Assert.False(StudentDataAccess.CanRead(student, "S2"));
        Assert.False(StudentDataAccess.CanRead(student, "s1"));
        Assert.False(StudentDataAccess.CanRead(student, ""));
    }

    [Theory]
    [InlineData(Roles.Teacher)]
    [InlineData(Roles.Admin)]
    public void Staff_read_any_student(string role) => Assert.True(StudentDataAccess.CanRead(User(role), "S42"));

    [Fact]
    public void Anonymous_and_unlinked_users_read_nothing()
    {
        Assert.False(StudentDataAccess.CanRead(User(Roles.Teacher, authenticated: false), "S1"));
        Assert.False(StudentDataAccess.CanRead(User(Roles.Student), "S1"));
        Assert.False(StudentDataAccess.CanRead(User(null, "S1"), "S1"));
    }

    [Fact]
    public void A_student_id_claim_without_the_student_role_grants_nothing()
    {
        var teacherWithStrayClaim = User(Roles.Teacher, "S1");

        Assert.Null(StudentDataAccess.OwnStudentId(teacherWithStrayClaim));
    }

    [Fact]
    public void Resolve_gives_students_their_own_scope_and_refuses_others()
    {
        var student = User(Roles.Student, "S1");

        Assert.Equal(StudentScope.For("S1"), StudentDataAccess.Resolve(student, null));
        Assert.Equal(StudentScope.For("S1"), StudentDataAccess.Resolve(student, "S1"));
        Assert.Equal(StudentScopeKind.Forbidden, StudentDataAccess.Resolve(student, "S2").Kind);
        Assert.Equal(StudentScopeKind.Unlinked, StudentDataAccess.Resolve(User(Roles.Student), null).Kind);
    }

    [Fact]
    public void Resolve_lets_staff_name_any_student_or_none()
    {
        var teacher = User(Roles.Teacher);

        Assert.Equal(StudentScope.For("S9"), StudentDataAccess.Resolve(teacher, "S9"));
        Assert.Equal(StudentScopeKind.None, StudentDataAccess.Resolve(teacher, null).Kind);
        Assert.Equal(StudentScopeKind.Forbidden, StudentDataAccess.Resolve(User(Roles.Admin, authenticated: false), "S9").Kind);
    }
}
