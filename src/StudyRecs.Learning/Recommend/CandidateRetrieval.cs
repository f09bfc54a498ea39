using System.Numerics.Tensors;

namespace StudyRecs.Learning.Recommend;

/// <summary>
/// How the learned ranker finds its candidates in a catalog larger than <see cref="RankerOptions.ExactScanLimit"/>:
/// an HNSW index over the item embeddings of one base model (the two-tower model when it is a base, else ALS) is
/// searched with the student's embedding, instead of scoring every item with every base model. A student with no
/// embedding (nothing in the history is known) takes the list an empty history gets from the blend, computed once.
/// Every base model then scores the candidates only (<see cref="IItemScorer"/>). Built once per set of base models.
/// </summary>
internal sealed class CandidateRetrieval
{
    private CandidateRetrieval(int baseModel, EmbeddingRetriever retriever, float[] coldBlend, int[] coldCandidates)
    {
        BaseModel = baseModel;
        Retriever = retriever;
        ColdBlend = coldBlend;
        ColdCandidates = coldCandidates;
    }

    /// <summary>Index among the base models of the model whose embeddings are indexed.</summary>
    public int BaseModel { get; }

    /// <summary>The index over that model's item embeddings.</summary>
    public EmbeddingRetriever Retriever { get; }

    /// <summary>The blend of the base models for an empty history over the whole catalog (scaled as the exact scan scales).</summary>
    public float[] ColdBlend { get; }

    /// <summary>The best items of <see cref="ColdBlend"/>, best first: the candidates of a student without an embedding.</summary>
    public int[] ColdCandidates { get; }

    /// <summary>
    /// The base model whose embeddings would be indexed for a catalog above <paramref name="exactScanLimit"/>, or -1 with
    /// the reason when the exact scan stays.
    /// </summary>
    public static (int BaseModel, string? Reason) Choose(IReadOnlyList<IRecommender> bases, int exactScanLimit)
    {
        var n = bases.Count == 0 ? 0 : bases[0].ItemCount;
        if (n <= exactScanLimit)
        {
            return (-1, null);
        }

        if (bases.FirstOrDefault(b => b is not IItemScorer) is { } costly)
        {
            return (-1, $"{costly.Name} cannot score single items");
        }

        var chosen = Enumerable.Range(0, bases.Count).Where(m => bases[m] is IEmbeddingRecommender)
            .OrderBy(m => bases[m] is TwoTowerRecommender ? 0 : 1).ThenBy(m => m).FirstOrDefault(-1);
        return chosen < 0 ? (-1, "no base model has item embeddings (ALS or two-tower)") : (chosen, null);
    }

    /// <summary>Builds the retrieval for <paramref name="bases"/>, or returns null when the exact scan serves (see <see cref="Choose"/>).</summary>
    public static CandidateRetrieval? Create(IRecommender[] bases, int exactScanLimit, int candidates)
    {
        var (chosen, _) = Choose(bases, exactScanLimit);
        if (chosen < 0)
        {
            return null;
        }

        var model = (IEmbeddingRecommender)bases[chosen];
        var n = model.ItemCount;
        var blend = new float[n];
        var part = new float[n];
        foreach (var b in bases)
        {
            if (b is IItemScorer { ScoresCandidatesOnly: true })
            {
                continue;
            }

            b.Score([], [], part);
            RankerRecommender.AddScaled(part, blend);
        }

        var cold = new int[Math.Min(candidates, n)];
        var count = TopK.Select(blend, cold);
        return new CandidateRetrieval(chosen, new EmbeddingRetriever(model.ItemEmbeddings, model.Dimensions, exactScanLimit: 0), blend, cold[..count]);
    }

    /// <summary>
    /// Writes up to <paramref name="destination"/>'s length candidates for the history (never an item of it), in the
    /// index's order; returns how many.
    /// </summary>
    public int Retrieve(IRecommender[] bases, ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<int> destination)
    {
        var model = (IEmbeddingRecommender)bases[BaseModel];
        Span<float> user = model.Dimensions <= 512 ? stackalloc float[model.Dimensions] : new float[model.Dimensions];
        model.UserEmbedding(historyItems, historyWeights, user);
        var history = historyItems.ToArray();
        Array.Sort(history);
        if (TensorPrimitives.MaxMagnitude(user) == 0)
        {
            return Keep(ColdCandidates, history, destination);
        }

        var found = new ScoredItem[Math.Min(destination.Length + history.Length, Retriever.ItemCount)];
        var count = Retriever.Retrieve(user, found);
        var items = new int[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = found[i].Item;
        }

        return Keep(items, history, destination);
    }

    // The items not in the (sorted) history, in order, as many as fit.
    private static int Keep(ReadOnlySpan<int> items, int[] sortedHistory, Span<int> destination)
    {
        var kept = 0;
        foreach (var item in items)
        {
            if (kept == destination.Length)
            {
                break;
            }

            if (Array.BinarySearch(sortedHistory, item) < 0)
            {
                destination[kept++] = item;
            }
        }

        return kept;
    }
}
