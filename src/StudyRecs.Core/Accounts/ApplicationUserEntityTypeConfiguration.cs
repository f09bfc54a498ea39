using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StudyRecs.Core.Accounts;

internal sealed class ApplicationUserEntityTypeConfiguration : IEntityTypeConfiguration<ApplicationUser>
{
    public void Configure(EntityTypeBuilder<ApplicationUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.Property(u => u.StudentId).HasMaxLength(64);
        // One account per dataset student id; unlinked accounts (null) are not constrained.
        builder.HasIndex(u => u.StudentId).IsUnique().HasFilter(null);
    }
}
