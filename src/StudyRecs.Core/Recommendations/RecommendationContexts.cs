using StudyRecs.Core.StudyPlans;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// The student's situation as the learned ranker sees it, built the same way for training and for serving: the weak
/// subjects and the level the forecasts give, and the impressions logged so far.
/// </summary>
internal static class RecommendationContexts
{
    /// <summary>
    /// The difficulty the forecasts say the student is ready for, as the study plan chooses it per subject (at risk:
    /// beginner 0, below the target: intermediate 1, otherwise advanced 2), averaged over the forecast subjects; NaN
    /// without forecasts.
    /// </summary>
    public static float Level(IReadOnlyList<WeakSubject> weak, int subjectCount)
    {
        if (subjectCount <= 0)
        {
            return float.NaN;
        }

        var below = weak.Count(w => !w.Forecast.AtRisk);
        var fine = Math.Max(0, subjectCount - weak.Count);
        return (below + (2f * fine)) / subjectCount;
    }

    public static StudentContext Create(IReadOnlyList<WeakSubject> weak, int subjectCount, long now, IReadOnlyList<ShownItem> shown) => new()
    {
        Now = now,
        WeakSubjects = [.. weak.Select(w => w.Forecast.Subject)],
        Level = Level(weak, subjectCount),
        Shown = shown,
    };
}
