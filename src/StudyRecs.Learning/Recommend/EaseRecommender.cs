using System.Numerics.Tensors;

namespace StudyRecs.Learning.Recommend;

/// <summary>Options of <see cref="EaseRecommender"/>.</summary>
public sealed record EaseOptions
{
    /// <summary>L2 regularisation λ added to the Gram matrix's diagonal.</summary>
    public float Regularization { get; init; } = 300f;

    /// <summary>Largest catalog accepted: the model is a dense items×items float matrix (20,000 items = 1.6 GB).</summary>
    public int MaxItems { get; init; } = 20_000;

    /// <summary>Upper bound on worker threads; 0 uses all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; }
}

/// <summary>
/// EASE (Steck, WWW 2019): a closed-form item-item linear model. With G = XᵀX + λI over binary interactions and
/// P = G⁻¹, the weights are B = I − P·diag(1/diag(P)), so every item is predicted from the others and never from
/// itself (zero diagonal). A student's score is the sum of B's rows over the history.
/// </summary>
public sealed class EaseRecommender : IItemScorer
{
    private readonly float[] _weights;

    private EaseRecommender(int items, float[] weights)
    {
        ItemCount = items;
        _weights = weights;
    }

    /// <inheritdoc />
    public string Name => "ease";

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <summary>Row <paramref name="item"/> of B: how much having <paramref name="item"/> in the history adds to every item.</summary>
    public ReadOnlySpan<float> Weights(int item) => _weights.AsSpan(item * ItemCount, ItemCount);

    /// <summary>Builds the Gram matrix and inverts it in place.</summary>
    /// <exception cref="ArgumentException">The catalog exceeds <see cref="EaseOptions.MaxItems"/>.</exception>
    public static EaseRecommender Fit(InteractionMatrix data, EaseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new EaseOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Regularization);
        var n = data.ItemCount;
        if (n > options.MaxItems)
        {
            throw new ArgumentException($"EASE needs a dense {n}×{n} matrix; the catalog exceeds the configured limit of {options.MaxItems} items.", nameof(data));
        }

        var matrix = GC.AllocateUninitializedArray<float>(n * n, pinned: true);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : -1 };

        // Upper triangle of XᵀX + λI, one item row per task so no two tasks write the same row.
        Parallel.For(0, n, parallel, i =>
        {
            var row = matrix.AsSpan(i * n, n);
            row[i..].Clear();
            foreach (var u in data.ItemUsers(i))
            {
                var items = data.UserItems(u);
                for (var p = items.BinarySearch(i); p < items.Length; p++)
                {
                    row[items[p]] += 1f;
                }
            }

            row[i] += options.Regularization;
        });

        SymmetricInverse.InvertInPlace(matrix, n, options.MaxDegreeOfParallelism);

        var scale = new float[n];
        for (var j = 0; j < n; j++)
        {
            scale[j] = -1f / matrix[(j * n) + j];
        }

        Parallel.For(0, n, parallel, i =>
        {
            var row = matrix.AsSpan(i * n, n);
            TensorPrimitives.Multiply(row, scale, row);
            row[i] = 0f;
        });
        return new EaseRecommender(n, matrix);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        scores = scores[..ItemCount];
        scores.Clear();
        foreach (var i in historyItems)
        {
            TensorPrimitives.Add(scores, Weights(i), scores);
        }
    }

    /// <inheritdoc />
    public void ScoreItems(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<int> items, Span<float> scores)
    {
        scores = scores[..items.Length];
        scores.Clear();
        foreach (var i in historyItems)
        {
            var row = Weights(i);
            for (var c = 0; c < items.Length; c++)
            {
                scores[c] += row[items[c]];
            }
        }
    }

    internal void WritePayload(BinaryWriter writer)
    {
        writer.Write(ItemCount);
        ModelBinary.WriteFloats(writer, _weights);
    }

    internal static EaseRecommender ReadPayload(BinaryReader reader)
    {
        var n = ModelBinary.ReadCount(reader, 46_340);
        var weights = ModelBinary.ReadFloats(reader);
        if (weights.Length != n * n)
        {
            throw new InvalidDataException($"The EASE model declares {n} items but holds {weights.Length} weights.");
        }

        return new EaseRecommender(n, weights);
    }
}
