using System.Security.Claims;

namespace StudyRecs.Core.Accounts;

/// <summary>
/// The one place that decides whose student data a signed-in user may see.
/// Staff (teachers, admins) may see any student; a student only ever their own linked student id.
/// Every page, endpoint and query that returns per-student data goes through here.
/// </summary>
public static class StudentDataAccess
{
    public static bool IsStaff(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Teacher);

    /// <summary>The student id the user is linked to, or null for staff and unlinked accounts.</summary>
    public static string? OwnStudentId(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Student) ? NullIfBlank(user.FindFirstValue(StudyRecsClaimTypes.StudentId)) : null;

    /// <summary>True when <paramref name="user"/> may read data of <paramref name="studentId"/>.</summary>
    public static bool CanRead(ClaimsPrincipal user, string? studentId)
    {
        if (string.IsNullOrWhiteSpace(studentId) || user.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        if (IsStaff(user))
        {
            return true;
        }

        var own = OwnStudentId(user);
        return own is not null && string.Equals(own, studentId.Trim(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Resolves which student a request is about: staff name one explicitly; a student always gets their
    /// own id, and asking for another student is refused (returns <see cref="StudentScope.Forbidden"/>).
    /// </summary>
    public static StudentScope Resolve(ClaimsPrincipal user, string? requestedStudentId)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return StudentScope.Forbidden;
        }

        var requested = NullIfBlank(requestedStudentId);
        if (IsStaff(user))
        {
            return requested is null ? StudentScope.None : StudentScope.For(requested);
        }

        var own = OwnStudentId(user);
        if (own is null)
        {
            return StudentScope.Unlinked;
        }

        return requested is null || string.Equals(requested, own, StringComparison.Ordinal)
            ? StudentScope.For(own)
            : StudentScope.Forbidden;
    }

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Outcome of <see cref="StudentDataAccess.Resolve"/>.</summary>
public readonly record struct StudentScope(StudentScopeKind Kind, string? StudentId)
{
    public static StudentScope Forbidden => new(StudentScopeKind.Forbidden, null);
    public static StudentScope Unlinked => new(StudentScopeKind.Unlinked, null);
    public static StudentScope None => new(StudentScopeKind.None, null);
    public static StudentScope For(string studentId) => new(StudentScopeKind.Student, studentId);

    public bool IsAllowed => Kind == StudentScopeKind.Student;
}

public enum StudentScopeKind
{
    /// <summary>The user may see this student's data.</summary>
    Student,

    /// <summary>Staff did not name a student.</summary>
    None,

    /// <summary>A student account that no admin has linked to a student id yet.</summary>
    Unlinked,

    /// <summary>The user may not see the requested student's data.</summary>
    Forbidden,
}
