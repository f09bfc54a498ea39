using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Recommendations;

/// <summary>What a student did with a recommended resource. Impressions count for CTR only; the rest train the recommender.</summary>
public enum RecommendationEventType
{
    Impression,
    Click,
    View,
    Complete,
    Like,
    Dismiss,
}

/// <summary>One logged recommendation event; (request id, resource, type) is unique, so a repeated event is stored once.</summary>
public class RecommendationEvent
{
    public const int MaxRequestIdLength = 64;
    public const int MaxStrategyLength = 32;

    public long Id { get; set; }

    /// <summary>The gradebook student id the event is about (recommendations are per student).</summary>
    public required string StudentId { get; set; }

    /// <summary>User name (e-mail) of the account that reported it, for audit.</summary>
    public required string UserName { get; set; }

    public long ResourceId { get; set; }

    public RecommendationEventType Type { get; set; }

    /// <summary>The strategy that produced the recommendation, when known.</summary>
    public string? Strategy { get; set; }

    /// <summary>1-based rank in the block the resource was shown in, when known.</summary>
    public int? Position { get; set; }

    /// <summary>Id of the recommendation answer the resource was part of.</summary>
    public required string RequestId { get; set; }

    /// <summary>Seconds spent on the resource; views only.</summary>
    public int? DwellSeconds { get; set; }

    /// <summary>When it happened, UTC (a <see cref="DateTime"/> so both databases can filter and group on it).</summary>
    public DateTime AtUtc { get; set; }
}

internal sealed class RecommendationEventEntityTypeConfiguration : IEntityTypeConfiguration<RecommendationEvent>
{
    public void Configure(EntityTypeBuilder<RecommendationEvent> builder)
    {
        builder.ToTable("RecommendationEvents");
        builder.Property(e => e.StudentId).HasMaxLength(GradebookColumns.MaxIdentifierLength);
        builder.Property(e => e.UserName).HasMaxLength(256);
        builder.Property(e => e.Type).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Strategy).HasMaxLength(RecommendationEvent.MaxStrategyLength);
        builder.Property(e => e.RequestId).HasMaxLength(RecommendationEvent.MaxRequestIdLength);
        builder.HasIndex(e => new { e.RequestId, e.ResourceId, e.Type }).IsUnique();
        builder.HasIndex(e => new { e.StudentId, e.AtUtc });
        builder.HasIndex(e => e.AtUtc);

        // "Trending this week": a few resources' recent events, without scanning every event of the week.
        builder.HasIndex(e => new { e.ResourceId, e.AtUtc });
    }
}
