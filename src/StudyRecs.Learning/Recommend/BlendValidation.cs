using System.Numerics.Tensors;
using StudyRecs.Learning.Metrics;

namespace StudyRecs.Learning.Recommend;

/// <summary>
/// Validation of weighted blends of fitted base models on students of a temporal split, so that blend weights are tuned
/// on validation data and never on a test split. For each student it keeps a candidate pool (the union of every model's
/// best <c>poolPerModel</c> items, history and dismissals excluded), every model's score on the pool scaled as the
/// <see cref="HybridRecommender"/> scales it (by its largest magnitude over the catalog), and the student's later items.
/// NDCG@K of any weight vector is then a pass over the pools. A one-hot vector reproduces that model's own top K exactly;
/// for other vectors an item outside every model's pool would rarely make the blend's top K, and is not counted.
/// </summary>
public sealed class BlendValidation
{
    private readonly int _models;
    private readonly int _k;
    private readonly int[][] _pools;
    private readonly float[][] _scores; // per student: pool-major, _models scores per pool item
    private readonly int[][] _relevant;

    private BlendValidation(int models, int k, int[][] pools, float[][] scores, int[][] relevant, int[] students)
    {
        _models = models;
        _k = k;
        _pools = pools;
        _scores = scores;
        _relevant = relevant;
        Students = students;
    }

    /// <summary>The students (user indexes of the split) validated on, in increasing order.</summary>
    public IReadOnlyList<int> Students { get; }

    /// <summary>The number of models blended.</summary>
    public int ModelCount => _models;

    /// <summary>
    /// Scores every student of <paramref name="students"/> that has later items in <paramref name="split"/> with each of
    /// <paramref name="models"/> (fitted on the split's training part).
    /// </summary>
    public static BlendValidation Build(IReadOnlyList<IRecommender> models, TemporalSplit split, IEnumerable<int> students, int k = 10, int poolPerModel = 50,
        int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(students);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(poolPerModel, k);
        if (models.Count == 0 || models.Any(m => m.ItemCount != split.TrainMatrix.ItemCount))
        {
            throw new ArgumentException("Blend validation needs at least one model, all over the split's catalog.", nameof(models));
        }

        var train = split.TrainMatrix;
        var users = students.Where(u => !split.TestItems(u).IsEmpty).Distinct().Order().ToArray();
        var n = train.ItemCount;
        var m = models.Count;
        var pools = new int[users.Length][];
        var scores = new float[users.Length][];
        var relevant = new int[users.Length][];
        Parallel.For(0, users.Length, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : -1 },
            () => (Parts: new float[m * n], Ranked: new float[n], Top: new int[Math.Min(poolPerModel, n)], Pool: new HashSet<int>()),
            (index, _, local) =>
            {
                var u = users[index];
                local.Pool.Clear();
                for (var j = 0; j < m; j++)
                {
                    var part = local.Parts.AsSpan(j * n, n);
                    models[j].Score(train.UserItems(u), train.UserWeights(u), part);
                    var max = TensorPrimitives.MaxMagnitude(part);
                    if (max > 0 && float.IsFinite(max))
                    {
                        TensorPrimitives.Multiply(part, 1f / Math.Abs(max), part);
                    }
                    else
                    {
                        part.Clear();
                    }

                    // The pool takes each model's best items the way the evaluator ranks them (exclusions first).
                    part.CopyTo(local.Ranked);
                    Exclude(local.Ranked, train.UserItems(u), train.DismissedItems(u));
                    var count = TopK.Select(local.Ranked, local.Top);
                    foreach (var item in local.Top.AsSpan(0, count))
                    {
                        local.Pool.Add(item);
                    }
                }

                var pool = local.Pool.Order().ToArray();
                var values = new float[pool.Length * m];
                for (var p = 0; p < pool.Length; p++)
                {
                    for (var j = 0; j < m; j++)
                    {
                        values[(p * m) + j] = local.Parts[(j * n) + pool[p]];
                    }
                }

                pools[index] = pool;
                scores[index] = values;
                relevant[index] = split.TestItems(u).ToArray();
                return local;
            }, _ => { });
        return new BlendValidation(m, k, pools, scores, relevant, users);
    }

    private static void Exclude(Span<float> scores, ReadOnlySpan<int> history, ReadOnlySpan<int> dismissed)
    {
        foreach (var i in history)
        {
            scores[i] = float.NegativeInfinity;
        }

        foreach (var i in dismissed)
        {
            scores[i] = float.NegativeInfinity;
        }
    }

    /// <summary>Mean NDCG@K of the blend with <paramref name="weights"/> (one per model, non-negative) over the students.</summary>
    public double Ndcg(ReadOnlySpan<float> weights)
    {
        var perStudent = NdcgPerStudent(weights);
        return perStudent.Length == 0 ? 0 : perStudent.Average();
    }

    /// <summary>NDCG@K of the blend for each student, in the order of <see cref="Students"/>.</summary>
    public double[] NdcgPerStudent(ReadOnlySpan<float> weights)
    {
        if (weights.Length != _models)
        {
            throw new ArgumentException($"One weight per model ({_models}) is needed.", nameof(weights));
        }

        var w = weights.ToArray();
        var result = new double[_pools.Length];
        var blend = Array.Empty<float>();
        var top = new int[_k];
        for (var s = 0; s < _pools.Length; s++)
        {
            var pool = _pools[s];
            if (blend.Length < pool.Length)
            {
                blend = new float[pool.Length];
            }

            var values = _scores[s];
            for (var p = 0; p < pool.Length; p++)
            {
                float x = 0;
                for (var j = 0; j < w.Length; j++)
                {
                    x += w[j] * values[(p * _models) + j];
                }

                blend[p] = x;
            }

            var count = TopK.Select(blend.AsSpan(0, pool.Length), top);
            for (var i = 0; i < count; i++)
            {
                top[i] = pool[top[i]];
            }

            result[s] = RankingMetrics.Compute(top.AsSpan(0, count), _relevant[s], _k).Ndcg;
        }

        return result;
    }

    /// <summary>
    /// Tunes blend weights by coordinate ascent on NDCG@K, starting from the better of <paramref name="start"/> and every
    /// single model alone, so the result is never worse on these students than the best single model. Weights are
    /// returned summing to 1; ties keep the earlier candidate (the start first, then fewer changes).
    /// </summary>
    public (float[] Weights, double Ndcg) Tune(ReadOnlySpan<float> start, int passes = 4)
    {
        if (start.Length != _models)
        {
            throw new ArgumentException($"One weight per model ({_models}) is needed.", nameof(start));
        }

        var best = Normalised(start.ToArray());
        var bestNdcg = Ndcg(best);
        for (var j = 0; j < _models; j++)
        {
            var single = new float[_models];
            single[j] = 1;
            var ndcg = Ndcg(single);
            if (ndcg > bestNdcg + 1e-12)
            {
                (best, bestNdcg) = (single, ndcg);
            }
        }

        float[] factors = [0f, 0.25f, 0.5f, 2f, 4f];
        for (var pass = 0; pass < passes; pass++)
        {
            var improved = false;
            for (var j = 0; j < _models; j++)
            {
                foreach (var f in factors)
                {
                    var candidate = (float[])best.Clone();
                    candidate[j] = best[j] == 0 ? (f > 1 ? 0.1f * f : 0) : best[j] * f;
                    if (candidate.Sum() <= 0 || candidate.AsSpan().SequenceEqual(best))
                    {
                        continue;
                    }

                    candidate = Normalised(candidate);
                    var ndcg = Ndcg(candidate);
                    if (ndcg > bestNdcg + 1e-12)
                    {
                        (best, bestNdcg, improved) = (candidate, ndcg, true);
                    }
                }
            }

            if (!improved)
            {
                break;
            }
        }

        return (best, bestNdcg);
    }

    private static float[] Normalised(float[] weights)
    {
        if (weights.Any(w => !float.IsFinite(w) || w < 0))
        {
            throw new ArgumentException("Blend weights must be non-negative numbers.", nameof(weights));
        }

        var sum = weights.Sum();
        if (sum <= 0)
        {
            throw new ArgumentException("At least one blend weight must be positive.", nameof(weights));
        }

        return [.. weights.Select(w => w / sum)];
    }
}
