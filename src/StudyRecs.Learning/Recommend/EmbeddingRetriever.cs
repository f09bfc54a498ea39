using System.Numerics.Tensors;

namespace StudyRecs.Learning.Recommend;

/// <summary>
/// Candidate retrieval over item embeddings (two-tower outputs or ALS item factors): an exact scan of every item up to
/// a configured number of items, an <see cref="HnswIndex"/> above it, where a scan per request would cost
/// more than a ranking budget allows. The index is built once, here.
/// </summary>
public sealed class EmbeddingRetriever
{
    private readonly ReadOnlyMemory<float> _items;
    private readonly HnswIndex? _index;

    /// <summary>Prepares retrieval over <paramref name="items"/> (item-major, <paramref name="dimensions"/> values per item).</summary>
    public EmbeddingRetriever(ReadOnlyMemory<float> items, int dimensions, int exactScanLimit, HnswOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(exactScanLimit);
        if (items.Length % dimensions != 0)
        {
            throw new ArgumentException("The embeddings are not a whole number of rows.", nameof(items));
        }

        _items = items;
        Dimensions = dimensions;
        ItemCount = items.Length / dimensions;
        _index = ItemCount > exactScanLimit ? HnswIndex.Build(items.Span, ItemCount, dimensions, options) : null;
    }

    /// <summary>Retrieval over a two-tower model's item embeddings.</summary>
    public static EmbeddingRetriever For(TwoTowerRecommender model, int exactScanLimit, HnswOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new EmbeddingRetriever(model.ItemEmbeddings, model.Dimensions, exactScanLimit, options);
    }

    /// <summary>Retrieval over an ALS model's item factors.</summary>
    public static EmbeddingRetriever For(AlsRecommender model, int exactScanLimit, HnswOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new EmbeddingRetriever(model.ItemFactorMatrix, model.Factors, exactScanLimit, options);
    }

    /// <summary>Items searched.</summary>
    public int ItemCount { get; }

    /// <summary>Width of an embedding.</summary>
    public int Dimensions { get; }

    /// <summary>True when retrieval goes through the HNSW index rather than a scan.</summary>
    public bool UsesIndex => _index is not null;

    /// <summary>Writes the items with the largest inner product with <paramref name="query"/>, best first; returns how many.</summary>
    public int Retrieve(ReadOnlySpan<float> query, Span<ScoredItem> destination)
    {
        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"The query needs {Dimensions} values.", nameof(query));
        }

        return _index is { } index ? index.Search(query, destination) : Scan(_items.Span, Dimensions, query, destination);
    }

    /// <summary>The exact top items by inner product (what the index approximates).</summary>
    public static int Scan(ReadOnlySpan<float> items, int dimensions, ReadOnlySpan<float> query, Span<ScoredItem> destination)
    {
        var count = items.Length / dimensions;
        var scores = new float[count];
        for (var j = 0; j < count; j++)
        {
            scores[j] = TensorPrimitives.Dot(items.Slice(j * dimensions, dimensions), query);
        }

        var top = new int[Math.Min(destination.Length, count)];
        var n = TopK.Select(scores, top);
        for (var i = 0; i < n; i++)
        {
            destination[i] = new ScoredItem(top[i], scores[top[i]]);
        }

        return n;
    }
}
