using StudyRecs.Core.Accounts;

namespace StudyRecs.Core.Tests.Accounts;

public sealed class AdministratorLockTests
{
    [Fact]
    public void An_administrator_lock_is_recognised_also_after_a_database_kept_only_microseconds()
    {
        // PostgreSQL's timestamptz keeps microseconds: DateTimeOffset.MaxValue reads back 0.9 microseconds earlier.
        var truncated = new DateTimeOffset(DateTimeOffset.MaxValue.Ticks - DateTimeOffset.MaxValue.Ticks % 10, TimeSpan.Zero);

        Assert.True(UserAdministration.IsLockedByAdministrator(new ApplicationUser { LockoutEnd = DateTimeOffset.MaxValue }));
        Assert.True(UserAdministration.IsLockedByAdministrator(new ApplicationUser { LockoutEnd = truncated }));
        Assert.False(UserAdministration.IsLockedByAdministrator(new ApplicationUser { LockoutEnd = DateTimeOffset.UtcNow.AddMinutes(15) }));
        Assert.False(UserAdministration.IsLockedByAdministrator(new ApplicationUser { LockoutEnd = null }));
    }
}
