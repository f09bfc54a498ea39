namespace StudyRecs.Learning.Metrics;

/// <summary>
/// Top-K ranking quality of one ranked list against a set of relevant items, with binary relevance:
/// precision@K = hits/K, recall@K = hits/|relevant|, NDCG@K = DCG/IDCG with the ideal over min(|relevant|, K)
/// positions, AP@K = Σ over hits of precision at the hit's rank, divided by min(|relevant|, K).
/// </summary>
/// <param name="Precision">Precision at K.</param>
/// <param name="Recall">Recall at K.</param>
/// <param name="Ndcg">Normalised discounted cumulative gain at K.</param>
/// <param name="AveragePrecision">Average precision at K (its mean over queries is MAP@K).</param>
public readonly record struct RankingMetrics(double Precision, double Recall, double Ndcg, double AveragePrecision)
{
    /// <summary>Scores the first <paramref name="k"/> entries of <paramref name="ranked"/> (a shorter list counts missing ranks as misses).</summary>
    /// <param name="ranked">Item ids, best first, without duplicates.</param>
    /// <param name="relevantSorted">The relevant item ids in increasing order, without duplicates; at least one.</param>
    /// <param name="k">Cut-off, at least 1.</param>
    public static RankingMetrics Compute(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevantSorted, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (relevantSorted.IsEmpty)
        {
            throw new ArgumentException("Ranking metrics need at least one relevant item.", nameof(relevantSorted));
        }

        var depth = Math.Min(k, ranked.Length);
        var hits = 0;
        double dcg = 0, precisionSum = 0;
        for (var r = 0; r < depth; r++)
        {
            if (relevantSorted.BinarySearch(ranked[r]) >= 0)
            {
                hits++;
                dcg += 1.0 / Math.Log2(r + 2);
                precisionSum += hits / (double)(r + 1);
            }
        }

        var idealDepth = Math.Min(relevantSorted.Length, k);
        double idcg = 0;
        for (var r = 0; r < idealDepth; r++)
        {
            idcg += 1.0 / Math.Log2(r + 2);
        }

        return new RankingMetrics(hits / (double)k, hits / (double)relevantSorted.Length, dcg / idcg, precisionSum / idealDepth);
    }
}
