using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class TopKTests
{
    [Fact]
    public void Selects_largest_scores_best_first_with_ties_to_the_lower_index()
    {
        float[] scores = [0.1f, 5f, 3f, 5f, -2f, 4f, 3f];
        var top = new int[4];
        var n = TopK.Select(scores, top);
        Assert.Equal(4, n);
        Assert.Equal([1, 3, 5, 2], top);
    }

    [Fact]
    public void Never_selects_negative_infinity_or_nan_and_reports_a_short_list()
    {
        float[] scores = [float.NegativeInfinity, 2f, float.NaN, 1f];
        var top = new int[3];
        Assert.Equal(2, TopK.Select(scores, top));
        Assert.Equal([1, 3], top[..2]);
    }

    [Fact]
    public void Matches_a_full_sort_on_random_scores()
    {
        var random = new Random(3);
        var scores = Enumerable.Range(0, 1000).Select(_ => (float)random.Next(200)).ToArray();
        var top = new int[25];
        TopK.Select(scores, top);
        var expected = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(25).ToArray();
        Assert.Equal(expected, top);
    }

    [Fact]
    public void Recommend_never_returns_excluded_items()
    {
        var model = PopularityRecommender.Fit(RecommendTestData.TwoCommunities());
        var everyOther = Enumerable.Range(0, 30).Where(i => i % 2 == 0).ToArray();
        var top = model.Recommend([], [], 30, everyOther);
        Assert.NotEmpty(top);
        Assert.All(top, s => Assert.True(s.Item % 2 == 1));
        Assert.Equal(15, top.Length);
    }
}
