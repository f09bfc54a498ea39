namespace StudyRecs.Learning.Recommend;

/// <summary>Options of <see cref="ItemKnnRecommender"/>.</summary>
public sealed record ItemKnnOptions
{
    /// <summary>How many most similar items are kept per item.</summary>
    public int Neighbors { get; init; } = 30;

    /// <summary>Upper bound on worker threads; 0 uses all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; }
}

/// <summary>
/// Item-based nearest neighbours: cosine similarity between items' binary user vectors (co-occurrence counts over
/// the square roots of both items' user counts), truncated to the top neighbours per item. A student's score for an
/// item is the sum of its similarities to the items in the history.
/// </summary>
public sealed class ItemKnnRecommender : IItemScorer
{
    private readonly int[] _offsets;
    private readonly int[] _neighbors;
    private readonly float[] _similarities;

    private ItemKnnRecommender(int[] offsets, int[] neighbors, float[] similarities)
    {
        _offsets = offsets;
        _neighbors = neighbors;
        _similarities = similarities;
    }

    /// <inheritdoc />
    public string Name => "itemknn";

    /// <inheritdoc />
    public int ItemCount => _offsets.Length - 1;

    /// <summary>The kept neighbours of an item, most similar first.</summary>
    public ReadOnlySpan<int> Neighbors(int item) => _neighbors.AsSpan(_offsets[item], _offsets[item + 1] - _offsets[item]);

    /// <summary>The cosine similarities aligned with <see cref="Neighbors"/>.</summary>
    public ReadOnlySpan<float> Similarities(int item) => _similarities.AsSpan(_offsets[item], _offsets[item + 1] - _offsets[item]);

    /// <summary>Computes every item's top neighbours from co-occurrence, in parallel over items.</summary>
    public static ItemKnnRecommender Fit(InteractionMatrix data, ItemKnnOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ItemKnnOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Neighbors, 1);
        var n = data.ItemCount;
        var k = Math.Min(options.Neighbors, Math.Max(n - 1, 0));
        var norms = new float[n];
        for (var i = 0; i < n; i++)
        {
            norms[i] = MathF.Sqrt(data.ItemUsers(i).Length);
        }

        var counts = new int[n];
        var neighbors = new int[n * k];
        var similarities = new float[n * k];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : -1 };
        Parallel.For(0, n, parallel, () => (Row: new float[n], Top: new int[k]), (i, _, local) =>
        {
            var row = local.Row;
            row.AsSpan().Fill(float.NegativeInfinity);
            var users = data.ItemUsers(i);
            if (users.Length == 0 || k == 0)
            {
                return local;
            }

            foreach (var u in users)
            {
                foreach (var j in data.UserItems(u))
                {
                    row[j] = float.IsNegativeInfinity(row[j]) ? 1f : row[j] + 1f;
                }
            }

            row[i] = float.NegativeInfinity;
            for (var j = 0; j < n; j++)
            {
                if (!float.IsNegativeInfinity(row[j]))
                {
                    row[j] /= norms[i] * norms[j];
                }
            }

            var found = TopK.Select(row, local.Top);
            counts[i] = found;
            for (var t = 0; t < found; t++)
            {
                neighbors[(i * k) + t] = local.Top[t];
                similarities[(i * k) + t] = row[local.Top[t]];
            }

            return local;
        }, _ => { });

        // Compact the fixed-width rows into CSR.
        var offsets = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            offsets[i + 1] = offsets[i] + counts[i];
        }

        var packedNeighbors = new int[offsets[n]];
        var packedSimilarities = new float[offsets[n]];
        for (var i = 0; i < n; i++)
        {
            neighbors.AsSpan(i * k, counts[i]).CopyTo(packedNeighbors.AsSpan(offsets[i]));
            similarities.AsSpan(i * k, counts[i]).CopyTo(packedSimilarities.AsSpan(offsets[i]));
        }

        return new ItemKnnRecommender(offsets, packedNeighbors, packedSimilarities);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        scores = scores[..ItemCount];
        scores.Clear();
        foreach (var i in historyItems)
        {
            var neighbors = Neighbors(i);
            var sims = Similarities(i);
            for (var t = 0; t < neighbors.Length; t++)
            {
                scores[neighbors[t]] += sims[t];
            }
        }
    }

    /// <inheritdoc />
    public void ScoreItems(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<int> items, Span<float> scores)
    {
        // Each history item's neighbour list once, each neighbour looked up among the items (sorted positions): the
        // cost follows the history and the lists, not the catalog.
        scores = scores[..items.Length];
        scores.Clear();
        var order = new int[items.Length];
        var sorted = items.ToArray();
        for (var c = 0; c < order.Length; c++)
        {
            order[c] = c;
        }

        Array.Sort(sorted, order);
        foreach (var i in historyItems)
        {
            var neighbors = Neighbors(i);
            var sims = Similarities(i);
            for (var t = 0; t < neighbors.Length; t++)
            {
                var at = Array.BinarySearch(sorted, neighbors[t]);
                if (at < 0)
                {
                    continue;
                }

                // The same item may be asked for more than once.
                while (at > 0 && sorted[at - 1] == neighbors[t])
                {
                    at--;
                }

                for (; at < sorted.Length && sorted[at] == neighbors[t]; at++)
                {
                    scores[order[at]] += sims[t];
                }
            }
        }
    }

    /// <summary>The history item that contributes most to <paramref name="item"/>'s score, or -1 when none does.</summary>
    public int StrongestContributor(ReadOnlySpan<int> historyItems, int item)
    {
        var best = -1;
        var bestSimilarity = 0f;
        foreach (var h in historyItems)
        {
            var index = Neighbors(h).IndexOf(item);
            if (index >= 0 && Similarities(h)[index] > bestSimilarity)
            {
                bestSimilarity = Similarities(h)[index];
                best = h;
            }
        }

        return best;
    }

    internal void WritePayload(BinaryWriter writer)
    {
        ModelBinary.WriteInts(writer, _offsets);
        ModelBinary.WriteInts(writer, _neighbors);
        ModelBinary.WriteFloats(writer, _similarities);
    }

    internal static ItemKnnRecommender ReadPayload(BinaryReader reader)
    {
        var offsets = ModelBinary.ReadInts(reader);
        var neighbors = ModelBinary.ReadInts(reader);
        var similarities = ModelBinary.ReadFloats(reader);
        if (offsets.Length == 0 || offsets[^1] != neighbors.Length || neighbors.Length != similarities.Length)
        {
            throw new InvalidDataException("The item-kNN model's neighbour lists are inconsistent.");
        }

        var n = offsets.Length - 1;
        if (neighbors.Any(j => (uint)j >= (uint)n))
        {
            throw new InvalidDataException("The item-kNN model refers to an item outside its catalog.");
        }

        return new ItemKnnRecommender(offsets, neighbors, similarities);
    }
}
