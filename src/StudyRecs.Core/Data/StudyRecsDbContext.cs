using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Accounts;

namespace StudyRecs.Core.Data;

/// <summary>
/// The application's database: Identity tables plus every feature's tables. Each feature keeps its
/// entity configuration beside its entities (<c>IEntityTypeConfiguration</c>), picked up from this assembly.
/// The portal's data-protection keys live here too, so every node of a deployment signs and reads the same cookies
/// and tokens, and keys survive restarts and redeployments.
/// </summary>
public class StudyRecsDbContext(DbContextOptions<StudyRecsDbContext> options)
    : IdentityDbContext<ApplicationUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(StudyRecsDbContext).Assembly);
        if (Database.IsSqlServer())
        {
            SqlServerModel.Apply(builder);
        }
    }
}
