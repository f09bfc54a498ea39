using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StudyRecs.Core.Datasets;

internal sealed class UploadedDatasetEntityTypeConfiguration : IEntityTypeConfiguration<UploadedDataset>
{
    public void Configure(EntityTypeBuilder<UploadedDataset> builder)
    {
        builder.ToTable("UploadedDatasets");
        builder.Property(d => d.Label).HasMaxLength(200);
        builder.Property(d => d.FileName).HasMaxLength(260);
        builder.Property(d => d.Sha256).HasMaxLength(64).IsFixedLength();
        builder.Property(d => d.Format).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Sheet).HasMaxLength(100);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(d => d.ErrorText).HasMaxLength(2000);
        builder.Property(d => d.ImportWorker).HasMaxLength(256);
        builder.Property(d => d.StoredFilePath).HasMaxLength(400);
        builder.Property(d => d.ArchivedBy).HasMaxLength(256);
        builder.HasOne(d => d.Uploader).WithMany().HasForeignKey(d => d.UploaderId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<UploadedDataset>().WithMany().HasForeignKey(d => d.DuplicateOfId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(d => d.Sha256);
        builder.HasIndex(d => d.Status);
        builder.HasIndex(d => new { d.UploaderId, d.Id });
    }
}

internal sealed class UploadedDatasetFileEntityTypeConfiguration : IEntityTypeConfiguration<UploadedDatasetFile>
{
    public void Configure(EntityTypeBuilder<UploadedDatasetFile> builder)
    {
        builder.ToTable("UploadedDatasetFiles");
        builder.HasKey(f => f.DatasetId);
        builder.HasOne<UploadedDataset>().WithOne().HasForeignKey<UploadedDatasetFile>(f => f.DatasetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DatasetRowEntityTypeConfiguration : IEntityTypeConfiguration<DatasetRow>
{
    public void Configure(EntityTypeBuilder<DatasetRow> builder)
    {
        builder.ToTable("DatasetRows");
        builder.Property(r => r.StudentId).HasMaxLength(GradebookColumns.MaxIdentifierLength);
        builder.Property(r => r.Subject).HasMaxLength(GradebookColumns.MaxIdentifierLength);
        builder.Property(r => r.FinalGrade).HasMaxLength(GradeScale.MaxLabelLength);
        builder.HasOne<UploadedDataset>().WithMany().HasForeignKey(r => r.DatasetId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.DatasetId, r.RowNumber });

        // Rows are identified by (student, semester, subject): overlap checks and the newest-row-wins rule of
        // training look rows up by it; the student id alone (a student's own rows) uses its prefix.
        builder.HasIndex(r => new { r.StudentId, r.Semester, r.Subject, r.DatasetId });
    }
}
