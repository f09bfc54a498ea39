using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Tests.Data;

namespace StudyRecs.Core.Tests.Accounts;

public sealed class StudentDataAccessTests : IAsyncLifetime
{
    private const string TeacherX = "teacher-x";
    private const string TeacherY = "teacher-y";

    private ProviderDatabase database = default!;

    public async Task InitializeAsync()
    {
        database = await ProviderDatabase.CreateAsync(DatabaseProvider.Sqlite, "access", s => s.AddScoped<StudentDataAccess>());
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        foreach (var id in new[] { TeacherX, TeacherY })
        {
            db.Add(new ApplicationUser { Id = id, UserName = id, Email = id + "@test.local" });
        }

        // Teacher X uploaded S1 and S2; teacher Y uploaded S2 and S3; nobody's accepted upload holds S4.
        await db.SaveChangesAsync();
        await AddDatasetAsync(db, TeacherX, "S1", "S2");
        await AddDatasetAsync(db, TeacherY, "S2", "S3");
        await AddDatasetAsync(db, null, "S4");
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    private static async Task AddDatasetAsync(StudyRecsDbContext db, string? uploader, params string[] students)
    {
        var dataset = new UploadedDataset { UploaderId = uploader, FileName = "grades.csv", Sha256 = Guid.NewGuid().ToString("N"), Status = DatasetStatus.Accepted };
        db.Add(dataset);
        await db.SaveChangesAsync();
        var row = 1;
        foreach (var student in students)
        {
            db.Add(new DatasetRow { DatasetId = dataset.Id, RowNumber = ++row, StudentId = student, Semester = 1, Subject = "Calculus" });
        }

        await db.SaveChangesAsync();
    }

    private async Task<T> WithAccess<T>(Func<StudentDataAccess, Task<T>> use)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<StudentDataAccess>());
    }

    private Task<bool> CanRead(ClaimsPrincipal user, string? studentId) => WithAccess(a => a.CanReadAsync(user, studentId, CancellationToken.None));

    private Task<StudentScope> Resolve(ClaimsPrincipal user, string? studentId) => WithAccess(a => a.ResolveAsync(user, studentId, CancellationToken.None));

    private static ClaimsPrincipal User(string? role, string? studentId = null, bool authenticated = true, string? userId = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, "someone") };
        if (userId is not null)
        {
            claims.Add(new Claim(ClaimTypes.NameIdentifier, userId));
        }

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
    public async Task Student_reads_only_their_own_student_id()
    {
        var student = User(Roles.Student, "S1");

        Assert.True(await CanRead(student, "S1"));
        Assert.True(await CanRead(student, " S1 "));
        Assert.False(await CanRead(student, "S2"));
        Assert.False(await CanRead(student, "s1"));
        Assert.False(await CanRead(student, ""));
    }

    [Fact]
    public async Task Teacher_reads_only_students_of_datasets_they_uploaded()
    {
        var x = User(Roles.Teacher, userId: TeacherX);
        var y = User(Roles.Teacher, userId: TeacherY);

        Assert.True(await CanRead(x, "S1"));
        Assert.True(await CanRead(x, "S2"));
        Assert.False(await CanRead(x, "S3"));
        Assert.False(await CanRead(x, "S4"));
        Assert.False(await CanRead(y, "S1"));
        Assert.True(await CanRead(y, "S3"));
        Assert.False(await CanRead(User(Roles.Teacher), "S1"));
    }

    [Fact]
    public async Task Admin_reads_any_student()
    {
        Assert.True(await CanRead(User(Roles.Admin), "S4"));
        Assert.True(await CanRead(User(Roles.Admin), "S-unknown"));
    }

    [Fact]
    public async Task Anonymous_and_unlinked_users_read_nothing()
    {
        Assert.False(await CanRead(User(Roles.Admin, authenticated: false), "S1"));
        Assert.False(await CanRead(User(Roles.Student), "S1"));
        Assert.False(await CanRead(User(null, "S1"), "S1"));
    }

    [Fact]
    public void A_student_id_claim_without_the_student_role_grants_nothing()
    {
        var teacherWithStrayClaim = User(Roles.Teacher, "S1");

        Assert.Null(StudentDataAccess.OwnStudentId(teacherWithStrayClaim));
    }

    [Fact]
    public async Task Resolve_gives_students_their_own_scope_and_refuses_others()
    {
        var student = User(Roles.Student, "S1");

        Assert.Equal(StudentScope.For("S1"), await Resolve(student, null));
        Assert.Equal(StudentScope.For("S1"), StudentDataAccess.Own(student));
        Assert.Equal(StudentScope.For("S1"), await Resolve(student, "S1"));
        Assert.Equal(StudentScopeKind.Forbidden, (await Resolve(student, "S2")).Kind);
        Assert.Equal(StudentScopeKind.Unlinked, (await Resolve(User(Roles.Student), null)).Kind);
    }

    [Fact]
    public async Task Resolve_lets_staff_name_students_they_may_read_or_none()
    {
        var teacher = User(Roles.Teacher, userId: TeacherX);

        Assert.Equal(StudentScope.For("S2"), await Resolve(teacher, "S2"));
        Assert.Equal(StudentScopeKind.Forbidden, (await Resolve(teacher, "S3")).Kind);
        Assert.Equal(StudentScopeKind.None, (await Resolve(teacher, null)).Kind);
        Assert.Equal(StudentScope.For("S3"), await Resolve(User(Roles.Admin), "S3"));
        Assert.Equal(StudentScopeKind.Forbidden, (await Resolve(User(Roles.Admin, authenticated: false), "S9")).Kind);
    }
}
