using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// What the online strategy choice knows about one strategy: how often its lists were shown to established students
/// and how often that earned a reward (a click or a completion). Kept in step with the stored events.
/// </summary>
public class RecommendationArm
{
    public required string Strategy { get; set; }

    public long Impressions { get; set; }

    public long Rewards { get; set; }

    public DateTime UpdatedAtUtc { get; set; }
}

/// <summary>A persisted recommendation setting an admin changes at run time (the pinned strategy).</summary>
public class RecommendationSetting
{
    public const string PinnedStrategy = "pinned_strategy";

    public required string Key { get; set; }

    public required string Value { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }
}

internal sealed class RecommendationArmEntityTypeConfiguration : IEntityTypeConfiguration<RecommendationArm>
{
    public void Configure(EntityTypeBuilder<RecommendationArm> builder)
    {
        builder.ToTable("RecommendationArms");
        builder.HasKey(a => a.Strategy);
        builder.Property(a => a.Strategy).HasMaxLength(RecommendationEvent.MaxStrategyLength);
    }
}

internal sealed class RecommendationSettingEntityTypeConfiguration : IEntityTypeConfiguration<RecommendationSetting>
{
    public void Configure(EntityTypeBuilder<RecommendationSetting> builder)
    {
        builder.ToTable("RecommendationSettings");
        builder.HasKey(s => s.Key);
        builder.Property(s => s.Key).HasMaxLength(64);
        builder.Property(s => s.Value).HasMaxLength(256);
        builder.Property(s => s.UpdatedBy).HasMaxLength(256);
    }
}
