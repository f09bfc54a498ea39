using System.Runtime.InteropServices;
using StudyRecs.Learning.Metrics;

namespace StudyRecs.Learning.Recommend;

/// <summary>Offline quality of one recommender on a <see cref="TemporalSplit"/>.</summary>
/// <param name="Algorithm">Strategy name.</param>
/// <param name="K">Cut-off.</param>
/// <param name="PrecisionAtK">Mean precision@K over evaluated students.</param>
/// <param name="RecallAtK">Mean recall@K.</param>
/// <param name="NdcgAtK">Mean NDCG@K.</param>
/// <param name="MapAtK">Mean average precision@K.</param>
/// <param name="Coverage">Share of the catalog that appears in at least one student's top K.</param>
/// <param name="TrainSeconds">Wall-clock fitting time.</param>
/// <param name="UsersEvaluated">Students with at least one test item.</param>
public sealed record RecommenderEvaluation(string Algorithm, int K, double PrecisionAtK, double RecallAtK, double NdcgAtK, double MapAtK,
    double Coverage, double TrainSeconds, int UsersEvaluated)
{
    /// <summary>The evaluated students (user indexes of the split's log), in increasing order.</summary>
    public IReadOnlyList<int> Students { get; init; } = [];

    /// <summary>Each evaluated student's NDCG@K, in the order of <see cref="Students"/> (for paired comparisons).</summary>
    public IReadOnlyList<double> NdcgPerStudent { get; init; } = [];
}

/// <summary>Ranks the catalog for every student with test items, excluding their training items and dismissals.</summary>
public static class RecommenderEvaluator
{
    /// <summary>
    /// Evaluates a model fitted on <paramref name="split"/>'s training part. Results do not depend on the thread count.
    /// A <see cref="IContextualRecommender"/> also gets the training events' timestamps and <paramref name="contexts"/>
    /// (by user index; null: none known), "now" being the student's last training event.
    /// </summary>
    public static RecommenderEvaluation Evaluate(IRecommender model, TemporalSplit split, int k, double trainSeconds, int maxDegreeOfParallelism = 0,
        Func<int, StudentContext?>? contexts = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var train = split.TrainMatrix;
        var users = Enumerable.Range(0, train.UserCount).Where(u => !split.TestItems(u).IsEmpty).ToArray();
        var perUser = new RankingMetrics[users.Length];
        var recommended = new bool[model.ItemCount];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : -1 };
        Parallel.For(0, users.Length, parallel,
            () => (Scores: new float[model.ItemCount], Top: new int[Math.Min(k, model.ItemCount)], Exclude: new List<int>()),
            (index, _, local) =>
            {
                var u = users[index];
                local.Exclude.Clear();
                foreach (var i in train.UserItems(u))
                {
                    local.Exclude.Add(i);
                }

                foreach (var i in train.DismissedItems(u))
                {
                    local.Exclude.Add(i);
                }

                int n;
                if (model is IContextualRecommender contextual)
                {
                    contextual.Score(train.UserItems(u), train.UserWeights(u), train.UserTimestamps(u), contexts?.Invoke(u) ?? StudentContext.None, local.Scores);
                    foreach (var i in local.Exclude)
                    {
                        local.Scores[i] = float.NegativeInfinity;
                    }

                    n = TopK.Select(local.Scores, local.Top);
                }
                else
                {
                    n = model.Recommend(train.UserItems(u), train.UserWeights(u), CollectionsMarshal.AsSpan(local.Exclude), local.Scores, local.Top);
                }

                var top = local.Top.AsSpan(0, n);
                foreach (var i in top)
                {
                    recommended[i] = true;
                }

                perUser[index] = RankingMetrics.Compute(top, split.TestItems(u), k);
                return local;
            }, _ => { });

        double precision = 0, recall = 0, ndcg = 0, map = 0;
        foreach (var m in perUser)
        {
            precision += m.Precision;
            recall += m.Recall;
            ndcg += m.Ndcg;
            map += m.AveragePrecision;
        }

        var count = Math.Max(users.Length, 1);
        var covered = recommended.Count(r => r);
        return new RecommenderEvaluation(model.Name, k, precision / count, recall / count, ndcg / count, map / count,
            model.ItemCount == 0 ? 0 : covered / (double)model.ItemCount, trainSeconds, users.Length)
        {
            Students = users,
            NdcgPerStudent = [.. perUser.Select(m => m.Ndcg)],
        };
    }
}
