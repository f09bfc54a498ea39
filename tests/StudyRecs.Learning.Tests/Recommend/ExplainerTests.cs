using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class ExplainerTests
{
    private static readonly List<ItemText?> Texts = RecommendTestData.CommunityTexts();

    private static readonly RecommendationExplainer Explainer = new(
        ContentRecommender.Fit(Texts), ItemKnnRecommender.Fit(RecommendTestData.TwoCommunities(), new ItemKnnOptions { Neighbors = 29 }),
        [.. Texts.Select(t => t!.Subject)]);

    [Fact]
    public void Focus_subject_comes_first()
    {
        var reason = Explainer.Explain([1, 2], 3, ["calculus"]);
        Assert.Equal(new RecommendationReason(ReasonKind.FocusSubject, -1, "Calculus"), reason);
    }

    [Fact]
    public void Co_occurring_history_item_explains_through_similar_students()
    {
        var reason = Explainer.Explain([1, 2, 25], 3, []);
        Assert.Equal(ReasonKind.SimilarStudents, reason.Kind);
        Assert.InRange(reason.RelatedItem, 1, 2);
    }

    [Fact]
    public void Unused_items_are_explained_by_text_or_as_trending()
    {
        // Items 20..29 never co-occur with anything: text similarity to a chemistry item in the history, else trending.
        Assert.Equal(new RecommendationReason(ReasonKind.SimilarContent, 21, "Chemistry"), Explainer.Explain([21], 22, []));
        Assert.Equal(new RecommendationReason(ReasonKind.Trending, -1, "Chemistry"), Explainer.Explain([0], 22, []));
    }
}
