using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Predictions;

/// <summary>One answered forecast request, for auditing (written in batches off the request path).</summary>
public class PredictionLog
{
    public long Id { get; set; }

    /// <summary>When it was answered, UTC (a <see cref="DateTime"/> so both databases can filter on it).</summary>
    public DateTime AtUtc { get; set; }

    /// <summary>Request id given back to the caller.</summary>
    public required string RequestId { get; set; }

    /// <summary>User name (e-mail) of the caller.</summary>
    public required string UserName { get; set; }

    /// <summary>Student the forecast was about, when known (a student's own id).</summary>
    public string? StudentId { get; set; }

    public required string Subject { get; set; }

    /// <summary>Where it came from: <c>api</c>, <c>dashboard</c>, <c>what-if</c>.</summary>
    public required string Source { get; set; }

    public required string InputJson { get; set; }

    public required string OutputJson { get; set; }

    public required string RegressionVersion { get; set; }

    public required string ClassificationVersion { get; set; }

    public double PredictedMarks { get; set; }

    public required string PredictedGrade { get; set; }

    public bool AtRisk { get; set; }

    public double LatencyMs { get; set; }
}

/// <summary>The grade a student aims for in every subject (weak subjects are measured against it).</summary>
public class StudentTarget
{
    public required string StudentId { get; set; }

    public required string TargetGrade { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class PredictionLogConfiguration : IEntityTypeConfiguration<PredictionLog>
{
    public void Configure(EntityTypeBuilder<PredictionLog> builder)
    {
        builder.Property(p => p.RequestId).HasMaxLength(64);
        builder.Property(p => p.UserName).HasMaxLength(256);
        builder.Property(p => p.StudentId).HasMaxLength(GradebookColumns.MaxIdentifierLength);
        builder.Property(p => p.Subject).HasMaxLength(GradebookColumns.MaxIdentifierLength);
        builder.Property(p => p.Source).HasMaxLength(16);
        builder.Property(p => p.RegressionVersion).HasMaxLength(32);
        builder.Property(p => p.ClassificationVersion).HasMaxLength(32);
        builder.Property(p => p.PredictedGrade).HasMaxLength(GradeScale.MaxLabelLength);
        builder.HasIndex(p => p.AtUtc);
        builder.HasIndex(p => new { p.UserName, p.Id });
        builder.HasIndex(p => new { p.Subject, p.Id });
    }
}

internal sealed class StudentTargetConfiguration : IEntityTypeConfiguration<StudentTarget>
{
    public void Configure(EntityTypeBuilder<StudentTarget> builder)
    {
        builder.HasKey(t => t.StudentId);
        builder.Property(t => t.StudentId).HasMaxLength(GradebookColumns.MaxIdentifierLength);
        builder.Property(t => t.TargetGrade).HasMaxLength(GradeScale.MaxLabelLength);
    }
}
