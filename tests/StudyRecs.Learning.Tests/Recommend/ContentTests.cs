using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class ContentTests
{
    private static readonly ContentRecommender Model = ContentRecommender.Fit(
    [
        new ItemText("Limits of functions", "An introduction to limits", "Calculus", "Limits", "math"),
        new ItemText("Limits of functions", "An introduction to limits", "Calculus", "Limits", "math"),
        new ItemText("Derivatives of functions", "Rules for derivatives", "Calculus", "Derivatives", "math"),
        new ItemText("Sonnets", "Reading Shakespeare's poems", "Literature", "Poetry", "verse"),
        null,
    ]);

    [Fact]
    public void Identical_texts_have_cosine_one_and_disjoint_texts_zero()
    {
        Assert.Equal(1f, Model.Similarity(0, 1), 5);
        Assert.Equal(0f, Model.Similarity(0, 3), 5);
        Assert.Equal(0f, Model.Similarity(0, 4), 5);
    }

    [Fact]
    public void Texts_sharing_subject_and_words_are_in_between()
    {
        var s = Model.Similarity(0, 2);
        Assert.InRange(s, 0.05f, 0.95f);
        Assert.Equal(s, Model.Similarity(2, 0), 6);
    }

    [Fact]
    public void Similar_items_exclude_the_item_itself_and_rank_by_cosine()
    {
        var similar = Model.Similar(0, 3);
        Assert.Equal([1, 2], similar.Select(s => s.Item).Take(2));
        Assert.DoesNotContain(similar, s => s.Item == 0);
        Assert.Equal(1, Model.MostSimilarInHistory([3, 1], 0));
        Assert.Equal(-1, Model.MostSimilarInHistory([3], 0));
    }

    [Fact]
    public void A_profile_scores_with_the_cosine_of_the_weighted_history()
    {
        var scores = new float[5];
        Model.Score([3], [2f], scores);
        Assert.Equal(1f, scores[3], 5);
        Assert.Equal(0f, scores[0], 5);
        Model.Score([], [], scores);
        Assert.All(scores, s => Assert.Equal(0f, s));
    }

    [Fact]
    public void Scoring_chosen_items_gives_what_scoring_the_catalog_gives_them()
    {
        var model = ContentRecommender.Fit(RecommendTestData.CommunityTexts());
        var all = new float[model.ItemCount];
        model.Score([1, 12, 25], [2f, 1f, 0.5f], all);
        int[] chosen = [0, 12, 29, 5, 20];
        var picked = new float[chosen.Length];

        model.ScoreItems([1, 12, 25], [2f, 1f, 0.5f], chosen, picked);

        Assert.Equal(chosen.Select(i => all[i]), picked);
        Assert.Contains(picked, p => p > 0);
    }
}
