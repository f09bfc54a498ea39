using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// One student's nightly list: the top resources in order, with their scores, reasons and the strategy that ranked
/// them, written by <see cref="PrecomputeRecommendationsJob"/> for the model version then active.
/// </summary>
public class PrecomputedRecommendationList
{
    public required string StudentId { get; set; }

    public required string Strategy { get; set; }

    public required string StrategyReason { get; set; }

    /// <summary>The recommendation version that scored the list (null for the fallback chain before any training).</summary>
    public string? ModelVersion { get; set; }

    public DateTime ComputedAtUtc { get; set; }

    /// <summary>The items as JSON (<see cref="PrecomputedItem"/>), best first.</summary>
    public required string ItemsJson { get; set; }
}

/// <summary>A resource of a nightly list.</summary>
public sealed record PrecomputedItem([property: JsonPropertyName("r")] long ResourceId, [property: JsonPropertyName("s")] double Score, [property: JsonPropertyName("why")] string Reason);

/// <summary>What a nightly run did.</summary>
public sealed record PrecomputeOutcome(int Students, int Lists, int Removed, string? ModelVersion, TimeSpan Duration)
{
    public string Message => Students == 0
        ? "No student had recommendation activity in the window: no list was written."
        : $"{Lists} of {Students} active students' lists written in {Duration.TotalSeconds:0.0} s for version {ModelVersion ?? "none (fallback chain)"}; {Removed} old list(s) removed.";
}

/// <summary>
/// The precomputed recommendations: the nightly job scores every active student (a recommendation event in the last
/// <see cref="RecommendationOptions.PrecomputeActiveDays"/> days) and keeps their top
/// <see cref="RecommendationOptions.PrecomputedCount"/>; serving reads a list while it is fresh (younger than
/// <see cref="RecommendationOptions.PrecomputedMaxAgeHours"/> and of the active version) and scores live otherwise.
/// </summary>
public sealed class PrecomputedRecommendations(
    IDbContextFactory<StudyRecsDbContext> dbs,
    RecommendationService recommendations,
    StudentForecasts forecasts,
    ActiveRecommender active,
    IOptions<RecommendationOptions> options,
    TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private const int WriteBatch = 200;

    internal const int MaxReasonLength = 512;

    /// <summary>Scores every active student now and replaces their lists; lists of students no longer active are removed.</summary>
    public async Task<PrecomputeOutcome> RunAsync(IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var now = time.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-options.Value.PrecomputeActiveDays);
        var model = await active.GetAsync(cancellationToken);
        List<string> students;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            students = await db.Set<RecommendationEvent>().AsNoTracking().Where(e => e.AtUtc >= since).Select(e => e.StudentId).Distinct()
                .OrderBy(s => s).ToListAsync(cancellationToken);
        }

        var written = 0;
        var batch = new List<PrecomputedRecommendationList>(WriteBatch);
        foreach (var student in students)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var overview = await forecasts.OverviewAsync(student, cancellationToken);
            var list = await recommendations.RecommendAsync(
                new RecommendationQuery(student, options.Value.PrecomputedCount, Overview: overview, Preview: true, Live: true), cancellationToken);
            batch.Add(new PrecomputedRecommendationList
            {
                StudentId = student,
                Strategy = list.Strategy,
                StrategyReason = list.StrategyReason.Length <= MaxReasonLength ? list.StrategyReason : list.StrategyReason[..(MaxReasonLength - 1)] + "…",
                ModelVersion = list.ModelVersion,
                ComputedAtUtc = now,
                ItemsJson = JsonSerializer.Serialize(list.Items.Select(i => new PrecomputedItem(i.ResourceId, i.Score, i.Reason)).ToList(), Json),
            });
            if (batch.Count == WriteBatch)
            {
                written += await WriteAsync(batch, cancellationToken);
                progress?.Report((written, students.Count));
            }
        }

        written += await WriteAsync(batch, cancellationToken);
        progress?.Report((written, students.Count));
        int removed;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            removed = await db.Set<PrecomputedRecommendationList>().Where(l => l.ComputedAtUtc < now).ExecuteDeleteAsync(cancellationToken);
        }

        return new PrecomputeOutcome(students.Count, written, removed, model.Version, watch.Elapsed);
    }

    // One transaction per batch: a student's list is replaced whole or not at all.
    private async Task<int> WriteAsync(List<PrecomputedRecommendationList> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = batch.Select(b => b.StudentId).ToList();
        await db.Set<PrecomputedRecommendationList>().Where(l => ids.Contains(l.StudentId)).ExecuteDeleteAsync(cancellationToken);
        db.AddRange(batch);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var count = batch.Count;
        batch.Clear();
        return count;
    }

    /// <summary>The student's nightly list when it is fresh for <paramref name="modelVersion"/>, or null.</summary>
    internal static async Task<(PrecomputedRecommendationList List, IReadOnlyList<PrecomputedItem> Items)?> FreshAsync(
        StudyRecsDbContext db, string studentId, string? modelVersion, DateTime nowUtc, int maxAgeHours, CancellationToken cancellationToken)
    {
        var oldest = nowUtc.AddHours(-maxAgeHours);
        var list = await db.Set<PrecomputedRecommendationList>().AsNoTracking().FirstOrDefaultAsync(l => l.StudentId == studentId, cancellationToken);
        if (list is null || list.ComputedAtUtc < oldest || list.ComputedAtUtc > nowUtc || list.ModelVersion != modelVersion)
        {
            return null;
        }

        try
        {
            return (list, JsonSerializer.Deserialize<List<PrecomputedItem>>(list.ItemsJson, Json) ?? []);
        }
        catch (JsonException)
        {
            return null; // A damaged row is scored live rather than failing the page.
        }
    }
}

internal sealed class PrecomputedRecommendationListEntityTypeConfiguration : IEntityTypeConfiguration<PrecomputedRecommendationList>
{
    public void Configure(EntityTypeBuilder<PrecomputedRecommendationList> builder)
    {
        builder.ToTable("PrecomputedRecommendations");
        builder.HasKey(l => l.StudentId);
        builder.Property(l => l.StudentId).HasMaxLength(GradebookColumns.MaxIdentifierLength);
        builder.Property(l => l.Strategy).HasMaxLength(RecommendationEvent.MaxStrategyLength);
        builder.Property(l => l.StrategyReason).HasMaxLength(PrecomputedRecommendations.MaxReasonLength);
        builder.Property(l => l.ModelVersion).HasMaxLength(14);
        builder.HasIndex(l => l.ComputedAtUtc);
    }
}
