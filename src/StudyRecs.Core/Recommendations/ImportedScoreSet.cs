using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// Scores a model trained outside StudyRecs gave (student, resource) pairs, imported from
/// <c>user_id,resource_id,score</c> and served as the strategy <c>imported:LABEL</c>. A label has one set at a time:
/// importing it again replaces the set in one transaction.
/// </summary>
public class ImportedScoreSet
{
    /// <summary>What the strategy name puts before the label.</summary>
    public const string StrategyPrefix = "imported:";

    /// <summary>The longest label whose strategy name still fits <see cref="RecommendationEvent.MaxStrategyLength"/>.</summary>
    public const int MaxLabelLength = RecommendationEvent.MaxStrategyLength - 9; // 9: the prefix's length (a string's length is not a constant)

    public const int MaxFileNameLength = 256;

    public long Id { get; set; }

    /// <summary>The name the strategy is served under (see <see cref="IsLabel"/>).</summary>
    public required string Label { get; set; }

    /// <summary>The imported file's name (no folder), for the operator.</summary>
    public required string FileName { get; set; }

    public long Rows { get; set; }

    public int Students { get; set; }

    public int Resources { get; set; }

    public DateTimeOffset ImportedAt { get; set; }

    public required string ImportedBy { get; set; }

    /// <summary>The strategy an imported set is served, logged and analysed as.</summary>
    public static string StrategyName(string label) => StrategyPrefix + label;

    /// <summary>
    /// 1 to <see cref="MaxLabelLength"/> lower-case letters, digits, '-' or '_', starting with a letter or digit: the
    /// strategy name then fits the events' strategy column and is safe in addresses, CSV and markup.
    /// </summary>
    public static bool IsLabel(string? text) =>
        text is { Length: > 0 and <= MaxLabelLength } && (char.IsAsciiLetterLower(text[0]) || char.IsAsciiDigit(text[0]))
        && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    /// <summary>The label of an imported strategy's name (<c>imported:LABEL</c> with a valid label).</summary>
    public static bool TryGetLabel(string? strategy, out string label)
    {
        label = strategy is not null && strategy.StartsWith(StrategyPrefix, StringComparison.Ordinal) ? strategy[StrategyPrefix.Length..] : "";
        return IsLabel(label);
    }

    /// <summary>What a rejected label is told.</summary>
    public static string LabelRule => $"1 to {MaxLabelLength} lower-case letters, digits, '-' or '_', starting with a letter or digit (e.g. spring-2027)";
}

/// <summary>One imported score: higher is a better recommendation for the student.</summary>
public class ImportedScore
{
    public long SetId { get; set; }

    /// <summary>The gradebook student id.</summary>
    public required string StudentId { get; set; }

    public long ResourceId { get; set; }

    public float Score { get; set; }
}

internal sealed class ImportedScoreSetEntityTypeConfiguration : IEntityTypeConfiguration<ImportedScoreSet>
{
    public void Configure(EntityTypeBuilder<ImportedScoreSet> builder)
    {
        builder.ToTable("ImportedScoreSets");
        builder.Property(s => s.Label).HasMaxLength(ImportedScoreSet.MaxLabelLength);
        builder.Property(s => s.FileName).HasMaxLength(ImportedScoreSet.MaxFileNameLength);
        builder.Property(s => s.ImportedBy).HasMaxLength(256);

        // One set per label, so the strategy name finds one set; a re-import deletes the old set first, in its transaction.
        builder.HasIndex(s => s.Label).IsUnique();
    }
}

internal sealed class ImportedScoreEntityTypeConfiguration : IEntityTypeConfiguration<ImportedScore>
{
    public void Configure(EntityTypeBuilder<ImportedScore> builder)
    {
        builder.ToTable("ImportedScores");

        // The key is the serving lookup (one set, one student) and refuses a pair scored twice. No surrogate id: a
        // million rows are bulk-copied and never addressed one by one. No foreign key to the catalog either: a resource
        // deleted later just drops out of the served list, as it does for the trained models.
        builder.HasKey(s => new { s.SetId, s.StudentId, s.ResourceId });
        builder.Property(s => s.StudentId).HasMaxLength(GradebookColumns.MaxIdentifierLength);
        builder.HasOne<ImportedScoreSet>().WithMany().HasForeignKey(s => s.SetId).OnDelete(DeleteBehavior.Cascade);
    }
}
