using System.Numerics.Tensors;

namespace StudyRecs.Learning.Recommend;

/// <summary>Options of <see cref="AlsRecommender"/>.</summary>
public sealed record AlsOptions
{
    /// <summary>Latent dimension.</summary>
    public int Factors { get; init; } = 64;

    /// <summary>Full iterations (a user half and an item half each).</summary>
    public int Iterations { get; init; } = 15;

    /// <summary>L2 regularisation λ on every factor.</summary>
    public float Regularization { get; init; } = 30f;

    /// <summary>Confidence slope α: an interaction of weight w counts with confidence 1 + α·w.</summary>
    public float Alpha { get; init; } = 1f;

    /// <summary>Conjugate-gradient steps per user or item and half-iteration.</summary>
    public int ConjugateGradientSteps { get; init; } = 3;

    /// <summary>Seed of the initial factors; results are identical for a seed whatever the thread count.</summary>
    public int Seed { get; init; }

    /// <summary>Upper bound on worker threads; 0 uses all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; }
}

/// <summary>
/// Implicit-feedback matrix factorisation (Hu, Koren &amp; Volinsky, ICDM 2008) fitted by alternating least squares,
/// each least-squares problem solved approximately by warm-started conjugate gradient (Takács, Pilászy &amp; Tikk,
/// RecSys 2011). YᵀY is computed once per half-iteration; users (then items) are solved in parallel and
/// independently, so the result does not depend on the thread count. Scoring folds the history in: the student's
/// factor is solved against the item factors, so new and changed histories are served without refitting.
/// </summary>
public sealed class AlsRecommender : IEmbeddingRecommender
{
    private readonly float[] _itemFactors;
    private readonly float[] _gram;
    private readonly float _alpha;

    private AlsRecommender(int items, int factors, float alpha, float regularization, float[] itemFactors)
    {
        ItemCount = items;
        Factors = factors;
        _alpha = alpha;
        Regularization = regularization;
        _itemFactors = itemFactors;
        _gram = new float[factors * factors];
        Gram(itemFactors, factors, regularization, _gram, 1);
    }

    /// <inheritdoc />
    public string Name => "als";

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <summary>Latent dimension.</summary>
    public int Factors { get; }

    /// <summary>The λ the model was fitted with (also used when folding in a history).</summary>
    public float Regularization { get; }

    /// <summary>Every item's latent factor, item-major (<see cref="ItemCount"/> × <see cref="Factors"/>).</summary>
    public ReadOnlyMemory<float> ItemFactorMatrix => _itemFactors;

    /// <summary>An item's latent factor.</summary>
    public ReadOnlySpan<float> ItemFactors(int item) => _itemFactors.AsSpan(item * Factors, Factors);

    /// <summary>Fits the factors; <paramref name="iterationCompleted"/>, when given, receives each iteration's training loss (costs one extra pass).</summary>
    public static AlsRecommender Fit(InteractionMatrix data, AlsOptions? options = null, Action<int, double>? iterationCompleted = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new AlsOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Factors, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Iterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Regularization);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Alpha);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ConjugateGradientSteps, 1);
        var k = options.Factors;
        var random = new Random(options.Seed);
        var users = Initial(random, data.UserCount, k);
        var items = Initial(random, data.ItemCount, k);
        var gram = new float[k * k];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : -1 };
        for (var it = 0; it < options.Iterations; it++)
        {
            Gram(items, k, options.Regularization, gram, options.MaxDegreeOfParallelism);
            SolveSide(users, items, gram, k, data.UserCount, data.UserItems, data.UserWeights, options, parallel);
            Gram(users, k, options.Regularization, gram, options.MaxDegreeOfParallelism);
            SolveSide(items, users, gram, k, data.ItemCount, data.ItemUsers, data.ItemWeights, options, parallel);
            iterationCompleted?.Invoke(it + 1, Loss(data, users, items, k, options));
        }

        return new AlsRecommender(data.ItemCount, k, options.Alpha, options.Regularization, items);
    }

    /// <summary>Solves the student's factor for a history against the fitted item factors.</summary>
    public void FoldIn(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> destination)
    {
        var k = Factors;
        var x = destination[..k];
        x.Clear();
        if (historyItems.IsEmpty)
        {
            return;
        }

        Span<float> buffer = k <= 256 ? stackalloc float[4 * k] : new float[4 * k];
        var system = new ConfidenceSystem(_gram, _itemFactors, k, historyItems, historyWeights, _alpha);
        var b = buffer[..k];
        system.RightHandSide(b);
        ConjugateGradient.Solve(ref system, b, x, Math.Min(k, 32), buffer[k..]);
    }

    /// <inheritdoc />
    int IEmbeddingRecommender.Dimensions => Factors;

    /// <inheritdoc />
    ReadOnlyMemory<float> IEmbeddingRecommender.ItemEmbeddings => _itemFactors;

    /// <inheritdoc />
    void IEmbeddingRecommender.UserEmbedding(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> destination) =>
        FoldIn(historyItems, historyWeights, destination);

    /// <inheritdoc />
    public void ScoreItems(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<int> items, Span<float> scores)
    {
        var k = Factors;
        Span<float> user = k <= 256 ? stackalloc float[k] : new float[k];
        FoldIn(historyItems, historyWeights, user);
        ReadOnlySpan<float> factors = _itemFactors;
        for (var i = 0; i < items.Length; i++)
        {
            scores[i] = TensorPrimitives.Dot(factors.Slice(items[i] * k, k), user);
        }
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        var k = Factors;
        Span<float> user = k <= 256 ? stackalloc float[k] : new float[k];
        FoldIn(historyItems, historyWeights, user);
        scores = scores[..ItemCount];
        ReadOnlySpan<float> factors = _itemFactors;
        for (var j = 0; j < scores.Length; j++)
        {
            scores[j] = TensorPrimitives.Dot(factors.Slice(j * k, k), user);
        }
    }

    private static float[] Initial(Random random, int rows, int k)
    {
        var values = new float[rows * k];
        var scale = 0.1 / Math.Sqrt(k);
        for (var i = 0; i < values.Length; i++)
        {
            // Box-Muller: normal draws from the seeded generator.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(scale * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return values;
    }

    // FᵀF + λI; each task owns a band of rows, so the sums are the same for any thread count.
    private static void Gram(float[] factors, int k, float regularization, float[] gram, int maxDegreeOfParallelism)
    {
        var rows = factors.Length / k;
        const int band = 8;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : -1 };
        Parallel.For(0, (k + band - 1) / band, parallel, g =>
        {
            var a0 = g * band;
            var a1 = Math.Min(a0 + band, k);
            var target = gram.AsSpan(a0 * k, (a1 - a0) * k);
            target.Clear();
            ReadOnlySpan<float> all = factors;
            for (var r = 0; r < rows; r++)
            {
                var f = all.Slice(r * k, k);
                for (var a = a0; a < a1; a++)
                {
                    var row = target.Slice((a - a0) * k, k);
                    TensorPrimitives.MultiplyAdd(f, f[a], row, row);
                }
            }

            for (var a = a0; a < a1; a++)
            {
                gram[(a * k) + a] += regularization;
            }
        });
    }

    private delegate ReadOnlySpan<int> Indices(int row);

    private delegate ReadOnlySpan<float> Weights(int row);

    private static void SolveSide(float[] solved, float[] fixedFactors, float[] gram, int k, int count, Indices indices, Weights weights,
        AlsOptions options, ParallelOptions parallel)
    {
        Parallel.For(0, count, parallel, () => new float[4 * k], (row, _, scratch) =>
        {
            var x = solved.AsSpan(row * k, k);
            var idx = indices(row);
            if (idx.IsEmpty)
            {
                x.Clear();
                return scratch;
            }

            var system = new ConfidenceSystem(gram, fixedFactors, k, idx, weights(row), options.Alpha);
            var b = scratch.AsSpan(0, k);
            system.RightHandSide(b);
            ConjugateGradient.Solve(ref system, b, x, options.ConjugateGradientSteps, scratch.AsSpan(k));
            return scratch;
        }, _ => { });
    }

    // Σ over all pairs of c·(p − xᵀy)² + λ(‖X‖² + ‖Y‖²), using Σ_all (xᵀy)² = Σᵤ xᵤᵀ(YᵀY)xᵤ.
    private static double Loss(InteractionMatrix data, float[] users, float[] items, int k, AlsOptions options)
    {
        var itemGram = new float[k * k];
        Gram(items, k, 0f, itemGram, options.MaxDegreeOfParallelism);
        var temp = new float[k];
        double loss = 0;
        for (var u = 0; u < data.UserCount; u++)
        {
            var x = users.AsSpan(u * k, k);
            for (var a = 0; a < k; a++)
            {
                temp[a] = TensorPrimitives.Dot(itemGram.AsSpan(a * k, k), x);
            }

            loss += TensorPrimitives.Dot(temp, x);
            var its = data.UserItems(u);
            var ws = data.UserWeights(u);
            for (var t = 0; t < its.Length; t++)
            {
                double s = TensorPrimitives.Dot(items.AsSpan(its[t] * k, k), x);
                var c = 1.0 + (options.Alpha * ws[t]);
                loss += (c * (1 - s) * (1 - s)) - (s * s);
            }
        }

        return loss + (options.Regularization * (TensorPrimitives.SumOfSquares(users) + (double)TensorPrimitives.SumOfSquares(items)));
    }

    internal void WritePayload(BinaryWriter writer)
    {
        writer.Write(ItemCount);
        writer.Write(Factors);
        writer.Write(_alpha);
        writer.Write(Regularization);
        ModelBinary.WriteFloats(writer, _itemFactors);
    }

    internal static AlsRecommender ReadPayload(BinaryReader reader)
    {
        var n = ModelBinary.ReadCount(reader, int.MaxValue);
        var k = ModelBinary.ReadCount(reader, 4096);
        var alpha = reader.ReadSingle();
        var regularization = reader.ReadSingle();
        var factors = ModelBinary.ReadFloats(reader);
        if (k == 0 || (long)n * k != factors.Length || !(regularization > 0) || !(alpha >= 0))
        {
            throw new InvalidDataException("The ALS model's dimensions or settings are inconsistent.");
        }

        return new AlsRecommender(n, k, alpha, regularization, factors);
    }
}
