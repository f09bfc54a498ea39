namespace StudyRecs.Learning.Recommend;

/// <summary>
/// A fitted recommendation model. Scoring depends only on a student's history, so a model serves students
/// who were not in its training data and history that arrived after training. Implementations are immutable
/// after fitting and safe to score from many threads at once.
/// </summary>
public interface IRecommender
{
    /// <summary>Short strategy name: popularity, itemknn, ease, als, content, hybrid.</summary>
    string Name { get; }

    /// <summary>Catalog size; item indexes are 0..ItemCount-1.</summary>
    int ItemCount { get; }

    /// <summary>Writes a score for every catalog item (higher is better) into <paramref name="scores"/>.</summary>
    /// <param name="historyItems">Item indexes the student interacted with positively.</param>
    /// <param name="historyWeights">Confidence weights aligned with <paramref name="historyItems"/>.</param>
    /// <param name="scores">Destination of length <see cref="ItemCount"/>.</param>
    void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores);
}

/// <summary>
/// A model that can score a few chosen items without scoring the whole catalog. The learned ranker scores its
/// candidates this way when they come from an approximate index, and always for a model whose scan of the catalog is
/// costly (<see cref="ScoresCandidatesOnly"/>: content similarity, a sparse dot product per item).
/// </summary>
public interface IItemScorer : IRecommender
{
    /// <summary>Writes the score <see cref="IRecommender.Score"/> would give each of <paramref name="items"/> into <paramref name="scores"/>.</summary>
    void ScoreItems(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<int> items, Span<float> scores);

    /// <summary>
    /// True when scoring the catalog costs much more than scoring a few items: the learned ranker then takes this model's
    /// scores as features of its candidates only, never into the blend that picks them.
    /// </summary>
    bool ScoresCandidatesOnly => false;
}

/// <summary>
/// A model whose score is the inner product of a student embedding with an embedding per item (ALS's factors, the
/// two-tower model's outputs): the items a student would score highest can be looked up in an approximate
/// nearest-neighbour index over <see cref="ItemEmbeddings"/> instead of a scan of the catalog.
/// </summary>
public interface IEmbeddingRecommender : IItemScorer
{
    /// <summary>Width of an embedding.</summary>
    int Dimensions { get; }

    /// <summary>All item embeddings, item-major (<see cref="IRecommender.ItemCount"/> × <see cref="Dimensions"/>).</summary>
    ReadOnlyMemory<float> ItemEmbeddings { get; }

    /// <summary>Writes the student's embedding for a history (<see cref="Dimensions"/> values; zeros when nothing in it is known).</summary>
    void UserEmbedding(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> destination);
}

/// <summary>An item index with its score.</summary>
/// <param name="Item">Item index in the model's catalog.</param>
/// <param name="Score">Model score; only the order matters across items.</param>
public readonly record struct ScoredItem(int Item, float Score);

/// <summary>Top-K recommendation on top of any <see cref="IRecommender"/>.</summary>
public static class RecommenderExtensions
{
    /// <summary>
    /// Scores the catalog and writes the best items, best first, into <paramref name="top"/>; excluded items are never returned.
    /// Allocation-free: the caller owns <paramref name="scores"/> (length <see cref="IRecommender.ItemCount"/>).
    /// </summary>
    /// <returns>How many items were written (fewer than requested when the catalog runs out).</returns>
    public static int Recommend(this IRecommender model, ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights,
        ReadOnlySpan<int> exclude, Span<float> scores, Span<int> top)
    {
        ArgumentNullException.ThrowIfNull(model);
        var all = scores[..model.ItemCount];
        model.Score(historyItems, historyWeights, all);
        foreach (var item in exclude)
        {
            if ((uint)item < (uint)all.Length)
            {
                all[item] = float.NegativeInfinity;
            }
        }

        return TopK.Select(all, top);
    }

    /// <summary>Scores the catalog and returns the best <paramref name="k"/> items not in <paramref name="exclude"/>, best first.</summary>
    public static ScoredItem[] Recommend(this IRecommender model, ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights,
        int k, ReadOnlySpan<int> exclude)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var scores = new float[model.ItemCount];
        var top = new int[Math.Min(k, model.ItemCount)];
        var n = model.Recommend(historyItems, historyWeights, exclude, scores, top);
        var result = new ScoredItem[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = new ScoredItem(top[i], scores[top[i]]);
        }

        return result;
    }
}
