using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StudyRecs.Core.Training;

internal sealed class TrainedModelEntityTypeConfiguration : IEntityTypeConfiguration<TrainedModel>
{
    /// <summary>
    /// Filter of the one-active-model-per-task index. <c>TRUE</c> is a keyword in PostgreSQL and in SQLite (3.23+),
    /// where booleans are stored as 1, so the same text works on both providers.
    /// </summary>
    internal const string ActiveFilter = "\"IsActive\" = TRUE";

    public void Configure(EntityTypeBuilder<TrainedModel> builder)
    {
        builder.ToTable("TrainedModels");

        // SQLite's AUTOINCREMENT (ids never reused, so an artifact row never meets a later version's id). PostgreSQL ignores it.
        builder.Property(m => m.Id).UseAutoincrement();
        builder.Property(m => m.Version).HasMaxLength(14);
        builder.Property(m => m.Task).HasConversion<string>().HasMaxLength(32);
        builder.Property(m => m.Algorithm).HasMaxLength(32);
        builder.Property(m => m.ArtifactFormat).HasMaxLength(32);
        builder.Property(m => m.ArtifactSha256).HasMaxLength(64).IsFixedLength();
        builder.Property(m => m.CreatedBy).HasMaxLength(256);
        builder.Property(m => m.ActivatedBy).HasMaxLength(256);
        builder.Property(m => m.ActivationReason).HasMaxLength(2000);
        builder.Property(m => m.NotActivatedReason).HasMaxLength(2000);
        builder.Property(m => m.DataHash).HasMaxLength(64).IsFixedLength();
        builder.Property(m => m.SelectionMetric).HasMaxLength(32);
        builder.HasOne<TrainingRun>().WithMany().HasForeignKey(m => m.TrainingRunId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(m => new { m.Task, m.Version }).IsUnique();
        builder.HasIndex(m => m.Task).IsUnique().HasFilter(ActiveFilter).HasDatabaseName("IX_TrainedModels_Task_Active");
    }
}

internal sealed class ModelArtifactEntityTypeConfiguration : IEntityTypeConfiguration<ModelArtifact>
{
    public void Configure(EntityTypeBuilder<ModelArtifact> builder)
    {
        // The artifact (400 MB for a recommender with EASE at 10,000 resources) in a table of its own: SQLite rewrites a
        // whole row on any update, so flipping IsActive or recording a hash must not copy the model's bytes, and a
        // query of versions cannot load them by accident. The key is the version's id (SQLite's row id, which its
        // incremental blob I/O opens).
        builder.ToTable("TrainedModelArtifacts");
        builder.HasKey(a => a.ModelId);
        builder.Property(a => a.ModelId).HasColumnName("Id").ValueGeneratedNever();
        builder.Property(a => a.Bytes).HasColumnName("Artifact");
        builder.HasOne<TrainedModel>().WithOne().HasForeignKey<ModelArtifact>(a => a.ModelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ModelRunEntityTypeConfiguration : IEntityTypeConfiguration<ModelRun>
{
    public void Configure(EntityTypeBuilder<ModelRun> builder)
    {
        builder.ToTable("ModelRuns");
        builder.Property(r => r.Task).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.Candidate).HasMaxLength(200);
        builder.Property(r => r.Algorithm).HasMaxLength(32);
        builder.HasOne<TrainingRun>().WithMany().HasForeignKey(r => r.TrainingRunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.TrainingRunId, r.Task });
    }
}

internal sealed class TrainingRunEntityTypeConfiguration : IEntityTypeConfiguration<TrainingRun>
{
    public void Configure(EntityTypeBuilder<TrainingRun> builder)
    {
        builder.ToTable("TrainingRuns");
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.Step).HasMaxLength(200);
        builder.Property(r => r.TriggeredBy).HasMaxLength(256);
        builder.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Error).HasMaxLength(4000);
        builder.Property(r => r.ResultSummary).HasMaxLength(4000);
        builder.Property(r => r.Worker).HasMaxLength(256);
        builder.HasIndex(r => r.Status);
        builder.HasIndex(r => new { r.Kind, r.Id });
    }
}

internal sealed class ModelActivationAuditEntityTypeConfiguration : IEntityTypeConfiguration<ModelActivationAudit>
{
    public void Configure(EntityTypeBuilder<ModelActivationAudit> builder)
    {
        builder.ToTable("ModelActivationAudits");
        builder.Property(a => a.Task).HasConversion<string>().HasMaxLength(32);
        builder.Property(a => a.FromVersion).HasMaxLength(14);
        builder.Property(a => a.ToVersion).HasMaxLength(14);
        builder.Property(a => a.By).HasMaxLength(256);
        builder.Property(a => a.Reason).HasMaxLength(2000);
        builder.HasIndex(a => new { a.Task, a.Id });
    }
}

internal sealed class ModelPinEntityTypeConfiguration : IEntityTypeConfiguration<ModelPin>
{
    public void Configure(EntityTypeBuilder<ModelPin> builder)
    {
        // One pin per task at most: the task is the key, so two admins pinning at once cannot leave two pins.
        builder.ToTable("ModelPins");
        builder.HasKey(p => p.Task);
        builder.Property(p => p.Task).HasConversion<string>().HasMaxLength(32);
        builder.Property(p => p.Version).HasMaxLength(14);
        builder.Property(p => p.PinnedBy).HasMaxLength(256);
        builder.Property(p => p.Reason).HasMaxLength(2000);
    }
}
