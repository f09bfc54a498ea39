namespace StudyRecs.Learning.Recommend;

/// <summary>A resource shown to the student (an impression), or shown <paramref name="Times"/> times up to a time.</summary>
/// <param name="Item">Item index.</param>
/// <param name="Timestamp">Unix seconds (of the latest showing when <paramref name="Times"/> &gt; 1).</param>
/// <param name="Times">How many showings this entry stands for.</param>
public readonly record struct ShownItem(int Item, long Timestamp, int Times = 1);

/// <summary>
/// What is known of a student beyond the history: the time of the request, the weak subjects and expected level from
/// the grade forecasts, and what recommendation blocks already showed them. Everything is optional.
/// </summary>
public sealed record StudentContext
{
    /// <summary>No context: the history's latest time is "now", nothing forecast, nothing shown.</summary>
    public static readonly StudentContext None = new();

    /// <summary>Time of the request in Unix seconds; 0 means the latest time of the history.</summary>
    public long Now { get; init; }

    /// <summary>Subjects the forecasts flag as weak (names as in the catalog); empty when unknown.</summary>
    public IReadOnlyList<string> WeakSubjects { get; init; } = [];

    /// <summary>The difficulty the student is ready for, 0 (beginner) to 2 (advanced), from the forecasts; NaN when unknown.</summary>
    public float Level { get; init; } = float.NaN;

    /// <summary>Impressions; only those before <see cref="Now"/> count.</summary>
    public IReadOnlyList<ShownItem> Shown { get; init; } = [];
}

/// <summary>A recommender that also uses the history's timestamps and the <see cref="StudentContext"/>.</summary>
public interface IContextualRecommender : IRecommender
{
    /// <summary>Writes a score for every catalog item; <paramref name="historyTimes"/> aligns with the history (may be empty).</summary>
    void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<long> historyTimes, StudentContext context, Span<float> scores);
}
