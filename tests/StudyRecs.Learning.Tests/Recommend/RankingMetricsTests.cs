using StudyRecs.Learning.Metrics;

namespace StudyRecs.Learning.Tests.Recommend;

public class RankingMetricsTests
{
    [Fact]
    public void Matches_hand_computed_values()
    {
        // Ranked 7,3,9,1,5 against relevant {1,3,4}: hits at ranks 2 and 4.
        var m = RankingMetrics.Compute([7, 3, 9, 1, 5], [1, 3, 4], 5);
        Assert.Equal(2 / 5.0, m.Precision, 12);
        Assert.Equal(2 / 3.0, m.Recall, 12);
        var dcg = (1 / Math.Log2(3)) + (1 / Math.Log2(5));
        var idcg = 1 + (1 / Math.Log2(3)) + (1 / Math.Log2(4));
        Assert.Equal(dcg / idcg, m.Ndcg, 12);
        Assert.Equal(((1 / 2.0) + (2 / 4.0)) / 3, m.AveragePrecision, 12);
    }

    [Fact]
    public void Ideal_dcg_is_over_min_of_relevant_count_and_k()
    {
        // Five relevant items, K = 2, both top items relevant: perfect.
        var m = RankingMetrics.Compute([4, 2, 8], [1, 2, 3, 4, 5], 2);
        Assert.Equal(1.0, m.Ndcg, 12);
        Assert.Equal(1.0, m.AveragePrecision, 12);
        Assert.Equal(1.0, m.Precision, 12);
        Assert.Equal(0.4, m.Recall, 12);
    }

    [Fact]
    public void A_short_list_counts_missing_ranks_as_misses()
    {
        var m = RankingMetrics.Compute([3], [3], 10);
        Assert.Equal(0.1, m.Precision, 12);
        Assert.Equal(1.0, m.Ndcg, 12);
    }

    [Fact]
    public void Refuses_an_empty_relevant_set() =>
        Assert.Throws<ArgumentException>(() => RankingMetrics.Compute([1, 2], [], 2));
}
