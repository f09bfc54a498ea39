using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// An A/B test between two strategies (or a strategy and the fallback chain): from <see cref="StartUtc"/> to
/// <see cref="EndUtc"/> (or until stopped) every established student gets the strategy of their group, and the group
/// is a stable hash of the student id with the test's own <see cref="Salt"/>, so a student stays in one group for the
/// whole test and the next test splits the students afresh.
/// </summary>
public class RecommendationExperiment
{
    public const int MaxNameLength = 100;

    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The strategy of group A.</summary>
    public required string StrategyA { get; set; }

    /// <summary>The strategy of group B.</summary>
    public required string StrategyB { get; set; }

    /// <summary>Random text mixed into the hash of the student id (hex, 32 characters).</summary>
    public required string Salt { get; set; }

    public DateTime StartUtc { get; set; }

    public DateTime EndUtc { get; set; }

    public DateTime? StoppedAtUtc { get; set; }

    public string? StoppedBy { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    /// <summary>When the test stops serving: its end, or earlier when an administrator stopped it.</summary>
    public DateTime EffectiveEndUtc => StoppedAtUtc is { } stopped && stopped < EndUtc ? stopped : EndUtc;

    public ExperimentStatus StatusAt(DateTime nowUtc) =>
        StoppedAtUtc is { } stopped && stopped < EndUtc ? (stopped <= StartUtc ? ExperimentStatus.Cancelled : ExperimentStatus.Stopped)
        : nowUtc < StartUtc ? ExperimentStatus.Scheduled
        : nowUtc < EndUtc ? ExperimentStatus.Running
        : ExperimentStatus.Ended;

    /// <summary>The strategy of a group.</summary>
    public string StrategyOf(ExperimentArm arm) => arm == ExperimentArm.A ? StrategyA : StrategyB;
}

public enum ExperimentStatus
{
    Scheduled,
    Running,
    Ended,
    Stopped,
    Cancelled,
}

public enum ExperimentArm
{
    A,
    B,
}

/// <summary>
/// One list served to a student under an A/B test (the exposure log): the events that carry its request id are the
/// group's impressions, clicks and completions.
/// </summary>
public class RecommendationExposure
{
    public required string RequestId { get; set; }

    public long ExperimentId { get; set; }

    public ExperimentArm Arm { get; set; }

    public required string StudentId { get; set; }

    public DateTime AtUtc { get; set; }
}

/// <summary>The split of students into the two groups of a test.</summary>
public static class ExperimentSplit
{
    /// <summary>
    /// The group of <paramref name="studentId"/> in the test salted with <paramref name="salt"/>: the lowest bit of a
    /// SHA-256 of both (stable across processes, machines and versions, unlike <see cref="string.GetHashCode()"/>).
    /// </summary>
    public static ExperimentArm ArmOf(string salt, string studentId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(salt + "\n" + studentId), hash);
        return (hash[0] & 1) == 0 ? ExperimentArm.A : ExperimentArm.B;
    }

    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}

internal sealed class RecommendationExperimentEntityTypeConfiguration : IEntityTypeConfiguration<RecommendationExperiment>
{
    public void Configure(EntityTypeBuilder<RecommendationExperiment> builder)
    {
        builder.ToTable("RecommendationExperiments");
        builder.Property(x => x.Name).HasMaxLength(RecommendationExperiment.MaxNameLength);
        builder.Property(x => x.StrategyA).HasMaxLength(RecommendationEvent.MaxStrategyLength);
        builder.Property(x => x.StrategyB).HasMaxLength(RecommendationEvent.MaxStrategyLength);
        builder.Property(x => x.Salt).HasMaxLength(64);
        builder.Property(x => x.CreatedBy).HasMaxLength(256);
        builder.Property(x => x.StoppedBy).HasMaxLength(256);
        builder.Ignore(x => x.EffectiveEndUtc);
        builder.HasIndex(x => x.StartUtc);
    }
}

internal sealed class RecommendationExposureEntityTypeConfiguration : IEntityTypeConfiguration<RecommendationExposure>
{
    public void Configure(EntityTypeBuilder<RecommendationExposure> builder)
    {
        builder.ToTable("RecommendationExposures");
        builder.HasKey(x => x.RequestId);
        builder.Property(x => x.RequestId).HasMaxLength(RecommendationEvent.MaxRequestIdLength);
        builder.Property(x => x.StudentId).HasMaxLength(GradebookColumns.MaxIdentifierLength);
        builder.Property(x => x.Arm).HasConversion<string>().HasMaxLength(1);
        builder.HasOne<RecommendationExperiment>().WithMany().HasForeignKey(x => x.ExperimentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(x => new { x.ExperimentId, x.Arm, x.StudentId });
    }
}
