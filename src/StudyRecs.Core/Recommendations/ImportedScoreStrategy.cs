using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;
using StudyRecs.Core.Resources;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// An imported score set as one of the served strategies (<c>imported:LABEL</c>), so the pin, the online choice, the
/// A/B tests and the strategy lists treat it like the trained models. Its scores are per student, not a function of
/// the history, so <see cref="RecommendationService"/> reads them with <see cref="ScoreAsync"/>; the history-only
/// <see cref="Score"/> of <see cref="IRecommender"/> has no student to score and refuses.
/// </summary>
public sealed class ImportedScoreStrategy(string label, int itemCount) : IRecommender
{
    public string Label { get; } = label;

    public string Name => ImportedScoreSet.StrategyName(Label);

    public int ItemCount { get; } = itemCount;

    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores) =>
        throw new NotSupportedException($"{Name} scores students, not histories: serve it through RecommendationService.");

    /// <summary>
    /// Writes the student's imported scores into <paramref name="scores"/> (every other item negative infinity), leaving
    /// out retired resources, <paramref name="used"/> ones (completed or dismissed) and resources the served catalog does
    /// not have. The set is found by its label in the same query, so a re-import committed meanwhile is read whole.
    /// </summary>
    /// <returns>How many scores the set has for the student, and how many of them can be recommended.</returns>
    internal async Task<(int Scored, int Usable)> ScoreAsync(StudyRecsDbContext db, RecommendationModel model, string studentId, IEnumerable<long> used, float[] scores,
        CancellationToken cancellationToken)
    {
        var rows = await (
            from set in db.Set<ImportedScoreSet>().AsNoTracking()
            where set.Label == Label
            join score in db.Set<ImportedScore>().AsNoTracking() on set.Id equals score.SetId
            where score.StudentId == studentId
            join resource in db.Set<LearningResource>().AsNoTracking() on score.ResourceId equals resource.Id
            select new { score.ResourceId, score.Score, resource.IsRetired }).ToListAsync(cancellationToken);
        var excluded = used.ToHashSet();
        Array.Fill(scores, float.NegativeInfinity);
        var usable = 0;
        foreach (var row in rows)
        {
            if (!row.IsRetired && !excluded.Contains(row.ResourceId) && model.TryGetIndex(row.ResourceId, out var item))
            {
                scores[item] = row.Score;
                usable++;
            }
        }

        return (rows.Count, usable);
    }
}
