using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Accounts;

/// <summary>
/// The one place that decides whose student data a signed-in user may see: admins any student; a teacher the
/// students who appear in datasets that teacher uploaded; a student only their own linked student id.
/// Every page, endpoint and query that returns per-student data goes through here. Each check that needs the
/// database opens a short-lived context of its own, so a live page may check from concurrent events.
/// </summary>
public sealed class StudentDataAccess(IDbContextFactory<StudyRecsDbContext> dbs)
{
    public static bool IsStaff(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Teacher);

    /// <summary>The student id the user is linked to, or null for staff and unlinked accounts.</summary>
    public static string? OwnStudentId(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Student) ? NullIfBlank(user.FindFirstValue(StudyRecsClaimTypes.StudentId)) : null;

    /// <summary>
    /// Whose data a request that names no student is about: a student's own (or <see cref="StudentScope.Unlinked"/>),
    /// <see cref="StudentScope.None"/> for staff. Needs no database: nobody else's data is involved.
    /// </summary>
    public static StudentScope Own(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return StudentScope.Forbidden;
        }

        if (IsStaff(user))
        {
            return StudentScope.None;
        }

        return OwnStudentId(user) is { } own ? StudentScope.For(own) : StudentScope.Unlinked;
    }

    /// <summary>True when <paramref name="user"/> may read data of <paramref name="studentId"/>.</summary>
    public async Task<bool> CanReadAsync(ClaimsPrincipal user, string? studentId, CancellationToken cancellationToken)
    {
        if (NullIfBlank(studentId) is not { } id || user.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        if (user.IsInRole(Roles.Admin))
        {
            return true;
        }

        if (user.IsInRole(Roles.Teacher))
        {
            return await AppearsInUploadsOfAsync(user, id, cancellationToken);
        }

        return string.Equals(OwnStudentId(user), id, StringComparison.Ordinal);
    }

    /// <summary>
    /// Resolves which student a request is about: staff name one explicitly (a teacher only one of their datasets'
    /// students); a student always gets their own id, and asking for another student is refused
    /// (<see cref="StudentScope.Forbidden"/>).
    /// </summary>
    public async Task<StudentScope> ResolveAsync(ClaimsPrincipal user, string? requestedStudentId, CancellationToken cancellationToken)
    {
        var own = Own(user);
        if (NullIfBlank(requestedStudentId) is not { } requested || own.Kind is StudentScopeKind.Forbidden or StudentScopeKind.Unlinked)
        {
            return own;
        }

        if (own.Kind == StudentScopeKind.Student)
        {
            return string.Equals(requested, own.StudentId, StringComparison.Ordinal) ? own : StudentScope.Forbidden;
        }

        return await CanReadAsync(user, requested, cancellationToken) ? StudentScope.For(requested) : StudentScope.Forbidden;
    }

    /// <summary>Whether the student has a row in a dataset the signed-in teacher uploaded (rejected uploads keep no rows).</summary>
    private async Task<bool> AppearsInUploadsOfAsync(ClaimsPrincipal teacher, string studentId, CancellationToken cancellationToken)
    {
        var teacherId = teacher.FindFirstValue(ClaimTypes.NameIdentifier);
        if (teacherId is null)
        {
            return false;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<DatasetRow>().AsNoTracking()
            .Where(r => r.StudentId == studentId)
            .AnyAsync(r => db.Set<UploadedDataset>().Any(d => d.Id == r.DatasetId && d.UploaderId == teacherId), cancellationToken);
    }

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Outcome of <see cref="StudentDataAccess.ResolveAsync"/>.</summary>
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
