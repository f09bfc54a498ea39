using System.Collections.Concurrent;
using System.Numerics.Tensors;

namespace StudyRecs.Learning.Recommend;

/// <summary>Options of <see cref="HnswIndex"/>.</summary>
public sealed record HnswOptions
{
    /// <summary>Neighbours kept per node on the upper layers (twice as many on the bottom layer).</summary>
    public int Links { get; init; } = 16;

    /// <summary>Candidates examined while inserting a node; more gives a better graph and a slower build.</summary>
    public int BuildCandidates { get; init; } = 100;

    /// <summary>Candidates examined per query (at least the number asked for); more gives higher recall and slower queries.</summary>
    public int SearchCandidates { get; init; } = 200;

    /// <summary>Seed of the layer draws; the graph is identical for a seed.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// Approximate maximum-inner-product search over item embeddings with a hierarchical navigable small-world graph
/// (Malkov &amp; Yashunin, IEEE TPAMI 2020): greedy descent through sparse upper layers, then a best-first search with
/// <see cref="HnswOptions.SearchCandidates"/> candidates on the bottom layer; neighbours chosen with the paper's
/// diversity heuristic. Vectors of different lengths (ALS factors) are searched by inner product through one extra
/// coordinate √(M² − ‖x‖²) that gives every vector the same length M (Bachrach et al., RecSys 2014), so the largest
/// inner product is also the nearest neighbour; unit vectors (two-tower) get a zero there. Built once, then safe to
/// query from many threads.
/// </summary>
public sealed class HnswIndex
{
    private readonly float[] _vectors;
    private readonly int _dimensions;
    private readonly int _links;
    private readonly int _bottomLinks;
    private readonly int[] _bottom;
    private readonly int[] _bottomCount;
    private readonly int[][][] _upper;
    private readonly int _entry;
    private readonly int _topLayer;
    private readonly int _searchCandidates;
    private readonly ConcurrentBag<SearchScratch> _scratch = [];

    private HnswIndex(float[] vectors, int dimensions, HnswOptions options)
    {
        _vectors = vectors;
        _dimensions = dimensions;
        Count = vectors.Length / dimensions;
        _links = options.Links;
        _bottomLinks = 2 * options.Links;
        _searchCandidates = options.SearchCandidates;
        _bottom = new int[Count * _bottomLinks];
        _bottomCount = new int[Count];
        _upper = new int[Count][][];
        var random = new Random(options.Seed);
        var levelScale = 1 / Math.Log(options.Links);
        _entry = -1;
        _topLayer = -1;
        var scratch = new SearchScratch(Count);
        for (var node = 0; node < Count; node++)
        {
            var level = (int)(-Math.Log(1 - random.NextDouble()) * levelScale);
            _upper[node] = new int[level][];
            for (var l = 0; l < level; l++)
            {
                _upper[node][l] = [];
            }

            if (_entry < 0)
            {
                _entry = node;
                _topLayer = level;
                continue;
            }

            var query = Vector(node);
            var nearest = _entry;
            for (var layer = _topLayer; layer > level; layer--)
            {
                nearest = Greedy(query, nearest, layer);
            }

            for (var layer = Math.Min(level, _topLayer); layer >= 0; layer--)
            {
                var found = SearchLayer(query, nearest, options.BuildCandidates, layer, scratch);
                var chosen = SelectNeighbours(found, layer == 0 ? _bottomLinks : _links);
                SetNeighbours(node, layer, chosen);
                foreach (var neighbour in chosen)
                {
                    Connect(neighbour, node, layer);
                }

                nearest = found[0].Item;
            }

            if (level > _topLayer)
            {
                _topLayer = level;
                _entry = node;
            }
        }
    }

    /// <summary>Indexed vectors.</summary>
    public int Count { get; }

    /// <summary>
    /// Builds the index over <paramref name="vectors"/>, item-major (<paramref name="count"/> rows of
    /// <paramref name="dimensions"/> values); row i is item i.
    /// </summary>
    public static HnswIndex Build(ReadOnlySpan<float> vectors, int count, int dimensions, HnswOptions? options = null) =>
        Build(vectors, count, dimensions, equalLengths: true, options);

    /// <summary>
    /// Builds the index; with <paramref name="equalLengths"/> false the graph links and searches by the raw inner
    /// product instead of through the length-equalising coordinate ("ip-NSW", Morozov &amp; Babenko, NeurIPS 2018), which
    /// finds different items when lengths differ widely (see <see cref="EmbeddingRetriever"/>).
    /// </summary>
    public static HnswIndex Build(ReadOnlySpan<float> vectors, int count, int dimensions, bool equalLengths, HnswOptions? options = null)
    {
        options ??= new HnswOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Links, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BuildCandidates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SearchCandidates, 1);
        if (vectors.Length != (long)count * dimensions)
        {
            throw new ArgumentException($"Expected {count} × {dimensions} values, got {vectors.Length}.", nameof(vectors));
        }

        // One extra coordinate equalises the lengths (see the class remarks).
        var width = dimensions + 1;
        var augmented = new float[count * width];
        double longest = 0;
        for (var i = 0; i < count; i++)
        {
            longest = Math.Max(longest, TensorPrimitives.SumOfSquares(vectors.Slice(i * dimensions, dimensions)));
        }

        for (var i = 0; i < count; i++)
        {
            var row = vectors.Slice(i * dimensions, dimensions);
            row.CopyTo(augmented.AsSpan(i * width, dimensions));
            augmented[(i * width) + dimensions] = equalLengths ? (float)Math.Sqrt(Math.Max(0, longest - TensorPrimitives.SumOfSquares(row))) : 0f;
        }

        return new HnswIndex(augmented, width, options);
    }

    /// <summary>
    /// Writes the items with (approximately) the largest inner product with <paramref name="query"/> into
    /// <paramref name="destination"/>, best first; returns how many were written.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, Span<ScoredItem> destination, int? searchCandidates = null)
    {
        if (query.Length != _dimensions - 1)
        {
            throw new ArgumentException($"The query needs {_dimensions - 1} values.", nameof(query));
        }

        if (Count == 0 || destination.IsEmpty)
        {
            return 0;
        }

        Span<float> augmented = _dimensions <= 1024 ? stackalloc float[_dimensions] : new float[_dimensions];
        query.CopyTo(augmented);
        augmented[^1] = 0f;
        var nearest = _entry;
        for (var layer = _topLayer; layer > 0; layer--)
        {
            nearest = Greedy(augmented, nearest, layer);
        }

        if (!_scratch.TryTake(out var scratch))
        {
            scratch = new SearchScratch(Count);
        }

        try
        {
            var found = SearchLayer(augmented, nearest, Math.Max(searchCandidates ?? _searchCandidates, destination.Length), 0, scratch);
            var n = Math.Min(found.Count, destination.Length);
            for (var i = 0; i < n; i++)
            {
                destination[i] = found[i];
            }

            return n;
        }
        finally
        {
            _scratch.Add(scratch);
        }
    }

    private ReadOnlySpan<float> Vector(int node) => _vectors.AsSpan(node * _dimensions, _dimensions);

    private float Similarity(ReadOnlySpan<float> query, int node) => TensorPrimitives.Dot(query, Vector(node));

    private ReadOnlySpan<int> Neighbours(int node, int layer) =>
        layer == 0 ? _bottom.AsSpan(node * _bottomLinks, _bottomCount[node]) : _upper[node][layer - 1];

    private int Greedy(ReadOnlySpan<float> query, int start, int layer)
    {
        var best = start;
        var bestScore = Similarity(query, start);
        for (var improved = true; improved;)
        {
            improved = false;
            foreach (var next in Neighbours(best, layer))
            {
                var score = Similarity(query, next);
                if (score > bestScore)
                {
                    bestScore = score;
                    best = next;
                    improved = true;
                }
            }
        }

        return best;
    }

    // Best-first search keeping the `width` most similar nodes found; returns them best first.
    private List<ScoredItem> SearchLayer(ReadOnlySpan<float> query, int start, int width, int layer, SearchScratch scratch)
    {
        scratch.NextQuery();
        var frontier = scratch.Frontier;
        var kept = scratch.Kept;
        frontier.Clear();
        kept.Clear();
        var startScore = Similarity(query, start);
        scratch.Visit(start);
        frontier.Enqueue(start, -startScore);
        kept.Enqueue(start, startScore);
        while (frontier.TryDequeue(out var node, out var negative))
        {
            kept.TryPeek(out _, out var worst);
            if (-negative < worst && kept.Count >= width)
            {
                break;
            }

            foreach (var next in Neighbours(node, layer))
            {
                if (!scratch.Visit(next))
                {
                    continue;
                }

                var score = Similarity(query, next);
                if (kept.Count < width || score > worst)
                {
                    frontier.Enqueue(next, -score);
                    kept.Enqueue(next, score);
                    if (kept.Count > width)
                    {
                        kept.Dequeue();
                    }

                    kept.TryPeek(out _, out worst);
                }
            }
        }

        var result = new List<ScoredItem>(kept.Count);
        while (kept.TryDequeue(out var node, out var score))
        {
            result.Add(new ScoredItem(node, score));
        }

        result.Reverse();
        return result;
    }

    // The paper's heuristic: take candidates best first, keeping one only when it is more similar to the new node than
    // to every neighbour already kept, so links spread in several directions instead of one dense cluster. Free slots
    // are then filled with the best candidates it passed over (the paper's "keep pruned connections"): where many
    // vectors nearly coincide (ALS factors of rarely used items, all close to one point after the length-equalising
    // coordinate) the heuristic alone keeps a link or two per node and leaves the graph in pieces.
    private List<int> SelectNeighbours(List<ScoredItem> candidates, int limit)
    {
        var chosen = new List<int>(limit);
        List<int>? passed = null;
        foreach (var candidate in candidates)
        {
            if (chosen.Count == limit)
            {
                break;
            }

            var vector = Vector(candidate.Item);
            var diverse = true;
            foreach (var kept in chosen)
            {
                if (Similarity(vector, kept) > candidate.Score)
                {
                    diverse = false;
                    break;
                }
            }

            if (diverse)
            {
                chosen.Add(candidate.Item);
            }
            else
            {
                (passed ??= []).Add(candidate.Item);
            }
        }

        for (var i = 0; passed is not null && i < passed.Count && chosen.Count < limit; i++)
        {
            chosen.Add(passed[i]);
        }

        return chosen;
    }

    private void SetNeighbours(int node, int layer, List<int> neighbours)
    {
        if (layer == 0)
        {
            neighbours.CopyTo(_bottom.AsSpan(node * _bottomLinks));
            _bottomCount[node] = neighbours.Count;
        }
        else
        {
            _upper[node][layer - 1] = [.. neighbours];
        }
    }

    // Adds the back link; a full neighbour list is re-selected with the heuristic among its links and the new node.
    private void Connect(int node, int added, int layer)
    {
        var limit = layer == 0 ? _bottomLinks : _links;
        var current = Neighbours(node, layer);
        if (current.Length < limit)
        {
            if (layer == 0)
            {
                _bottom[(node * _bottomLinks) + _bottomCount[node]++] = added;
            }
            else
            {
                _upper[node][layer - 1] = [.. current, added];
            }

            return;
        }

        var vector = Vector(node);
        var candidates = new List<ScoredItem>(current.Length + 1);
        foreach (var link in current)
        {
            candidates.Add(new ScoredItem(link, Similarity(vector, link)));
        }

        candidates.Add(new ScoredItem(added, Similarity(vector, added)));
        candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
        SetNeighbours(node, layer, SelectNeighbours(candidates, limit));
    }

    // Visited marks by query stamp (no clearing between queries) and the two heaps, reused per thread.
    private sealed class SearchScratch(int count)
    {
        private readonly int[] _visited = new int[count];
        private int _stamp;

        public PriorityQueue<int, float> Frontier { get; } = new();

        public PriorityQueue<int, float> Kept { get; } = new();

        public void NextQuery()
        {
            if (++_stamp == int.MaxValue)
            {
                Array.Clear(_visited);
                _stamp = 1;
            }
        }

        public bool Visit(int node)
        {
            if (_visited[node] == _stamp)
            {
                return false;
            }

            _visited[node] = _stamp;
            return true;
        }
    }
}
