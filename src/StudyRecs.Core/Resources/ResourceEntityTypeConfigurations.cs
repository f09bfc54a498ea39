using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StudyRecs.Core.Resources;

internal sealed class LearningResourceEntityTypeConfiguration : IEntityTypeConfiguration<LearningResource>
{
    public void Configure(EntityTypeBuilder<LearningResource> builder)
    {
        builder.ToTable("LearningResources");
        builder.Property(r => r.Title).HasMaxLength(ResourceFields.MaxTitleLength);
        builder.Property(r => r.TitleKey).HasMaxLength(ResourceFields.MaxTitleLength);
        builder.Property(r => r.Description).HasMaxLength(ResourceFields.MaxDescriptionLength);
        builder.Property(r => r.Subject).HasMaxLength(ResourceFields.MaxSubjectLength);
        builder.Property(r => r.SubjectKey).HasMaxLength(ResourceFields.MaxSubjectLength);
        builder.Property(r => r.Topic).HasMaxLength(ResourceFields.MaxTopicLength);
        builder.Property(r => r.Difficulty).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Type).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Url).HasMaxLength(ResourceFields.MaxUrlLength);
        // A primitive collection: a JSON array on SQLite, a text[] on PostgreSQL; both query it (tag search).
        builder.PrimitiveCollection(r => r.Tags);
        builder.Property(r => r.SearchText).HasMaxLength(ResourceText.MaxSearchTextLength);
        builder.Property(r => r.CreatedBy).HasMaxLength(256);
        builder.Property(r => r.UpdatedBy).HasMaxLength(256);
        // Study plans ask for one subject's active resources.
        builder.HasIndex(r => new { r.SubjectKey, r.IsRetired });
        builder.HasIndex(r => new { r.SubjectKey, r.TitleKey });
        // One entry per address, retired ones included (restore them rather than add them again).
        builder.HasIndex(r => r.Url).IsUnique();
    }
}

internal sealed class ResourceImportRecordEntityTypeConfiguration : IEntityTypeConfiguration<ResourceImportRecord>
{
    public void Configure(EntityTypeBuilder<ResourceImportRecord> builder)
    {
        builder.ToTable("ResourceImports");
        builder.Property(i => i.FileName).HasMaxLength(260);
        builder.Property(i => i.ImportedBy).HasMaxLength(256);
        builder.Property(i => i.Outcome).HasConversion<string>().HasMaxLength(16);
    }
}
