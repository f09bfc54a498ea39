using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Monitoring;

internal sealed class ModelTrainingProfileEntityTypeConfiguration : IEntityTypeConfiguration<ModelTrainingProfile>
{
    public void Configure(EntityTypeBuilder<ModelTrainingProfile> builder)
    {
        builder.ToTable("ModelTrainingProfiles");

        // A table of its own rather than a column of TrainedModels, so listings of versions never carry the bins.
        builder.HasOne(p => p.Model).WithMany().HasForeignKey(p => p.TrainedModelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => p.TrainedModelId).IsUnique();
    }
}

internal sealed class ForecastSnapshotEntityTypeConfiguration : IEntityTypeConfiguration<ForecastSnapshot>
{
    public void Configure(EntityTypeBuilder<ForecastSnapshot> builder)
    {
        builder.ToTable("ForecastSnapshots");
        builder.Property(s => s.StudentId).HasMaxLength(64);
        builder.Property(s => s.Subject).HasMaxLength(256);
        builder.Property(s => s.RegressionVersion).HasMaxLength(14);
        builder.Property(s => s.ClassificationVersion).HasMaxLength(14);
        builder.Property(s => s.PredictedGrade).HasMaxLength(16);
        builder.Property(s => s.Source).HasMaxLength(16);

        // One snapshot per student, semester, subject and serving pair: the first forecast shown is the one judged.
        builder.HasIndex(s => new { s.StudentId, s.Semester, s.Subject, s.RegressionVersion, s.ClassificationVersion }).IsUnique();
        builder.HasIndex(s => s.AtUtc);
    }
}

internal sealed class MonitoringAlertEntityTypeConfiguration : IEntityTypeConfiguration<MonitoringAlert>
{
    public void Configure(EntityTypeBuilder<MonitoringAlert> builder)
    {
        builder.ToTable("MonitoringAlerts");
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Task).HasConversion<string>().HasMaxLength(32);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.ModelVersion).HasMaxLength(14);
        builder.Property(a => a.Subject).HasMaxLength(256);
        builder.Property(a => a.Message).HasMaxLength(2000);
        builder.Property(a => a.AcknowledgedBy).HasMaxLength(256);
        builder.Property(a => a.ResolvedByVersion).HasMaxLength(14);
        builder.HasOne<TrainingRun>().WithMany().HasForeignKey(a => a.TrainingRunId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(a => new { a.State, a.Task });
        builder.HasIndex(a => new { a.Kind, a.Task, a.ModelVersion, a.Subject });
    }
}

internal sealed class DriftMeasurementEntityTypeConfiguration : IEntityTypeConfiguration<DriftMeasurement>
{
    public void Configure(EntityTypeBuilder<DriftMeasurement> builder)
    {
        builder.ToTable("DriftMeasurements");
        builder.Property(m => m.Task).HasConversion<string>().HasMaxLength(32);
        builder.Property(m => m.ModelVersion).HasMaxLength(14);
        builder.Property(m => m.Feature).HasMaxLength(256);
        builder.HasIndex(m => new { m.ModelVersion, m.Feature, m.AtUtc });
    }
}
