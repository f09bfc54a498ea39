namespace StudyRecs.Learning.Recommend;

/// <summary>Options of <see cref="PopularityRecommender"/>.</summary>
public sealed record PopularityOptions
{
    /// <summary>Half-life of an interaction's contribution, in days, counted back from the latest event; 0 disables decay.</summary>
    public double HalfLifeDays { get; init; } = 180;
}

/// <summary>
/// Recommends what many students engaged with recently: each (student, resource) pair counts once, discounted by
/// an exponential decay of its age relative to the newest event in the training data. Ignores the history.
/// </summary>
public sealed class PopularityRecommender : IItemScorer
{
    private readonly float[] _scores;

    private PopularityRecommender(float[] scores) => _scores = scores;

    /// <inheritdoc />
    public string Name => "popularity";

    /// <inheritdoc />
    public int ItemCount => _scores.Length;

    /// <summary>The popularity of every item, normalised so the most popular item scores 1.</summary>
    public ReadOnlySpan<float> ItemScores => _scores;

    /// <summary>Counts the decayed interactions of every item.</summary>
    public static PopularityRecommender Fit(InteractionMatrix data, PopularityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new PopularityOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.HalfLifeDays);
        var decayPerSecond = options.HalfLifeDays > 0 ? Math.Log(2) / (options.HalfLifeDays * 86_400) : 0;
        var now = data.MaxTimestamp;
        var totals = new double[data.ItemCount];
        for (var u = 0; u < data.UserCount; u++)
        {
            var items = data.UserItems(u);
            var times = data.UserTimestamps(u);
            for (var p = 0; p < items.Length; p++)
            {
                totals[items[p]] += Math.Exp(-decayPerSecond * Math.Max(0, now - times[p]));
            }
        }

        var max = totals.Length == 0 ? 0 : totals.Max();
        var scores = new float[totals.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = max > 0 ? (float)(totals[i] / max) : 0f;
        }

        return new PopularityRecommender(scores);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores) =>
        _scores.CopyTo(scores);

    /// <inheritdoc />
    public void ScoreItems(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<int> items, Span<float> scores)
    {
        for (var i = 0; i < items.Length; i++)
        {
            scores[i] = _scores[items[i]];
        }
    }

    internal void WritePayload(BinaryWriter writer) => ModelBinary.WriteFloats(writer, _scores);

    internal static PopularityRecommender ReadPayload(BinaryReader reader) => new(ModelBinary.ReadFloats(reader));
}
