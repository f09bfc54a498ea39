using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

/// <summary>Every model must recover the planted communities far better than chance (1/3 of a random top 4).</summary>
public class ModelStructureTests
{
    private static readonly InteractionMatrix Data = RecommendTestData.TwoCommunities();

    /// <summary>A small LambdaMART for tiny data; it always re-ranks (no held-out students to judge it on, see ValidatedBlendTests).</summary>
    internal static readonly RankerOptions Ranker = new()
    {
        ValidationShare = 0,
        Candidates = 20,
        Boosting = new StudyRecs.Learning.Boosting.GradientBoostingOptions { NumberOfTrees = 20, NumberOfLeaves = 4, MinimumExampleCountPerLeaf = 5, NdcgTruncationLevel = 5 },
    };

    public static TheoryData<string> Models => ["itemknn", "ease", "als", "content", "hybrid", "ranker", "ranker-fasttree"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Recommends_the_students_own_community(string name)
    {
        var suite = new RecommenderSuite(Data, RecommendTestData.CommunityTexts(),
            new RecommenderSuiteOptions
            {
                Ease = new EaseOptions { Regularization = 5 },
                Als = new AlsOptions { Factors = 2, Regularization = 1f, Alpha = 2 },
                Ranker = Ranker,
                FastTreeRanker = StudyRecs.Learning.MLNet.MLNetLearner.RankerLike(Ranker.Boosting, 0),
            })
        {
            TrainingEvents = RecommendTestData.TwoCommunitiesLog(),
        };
        var model = suite.Fit(name).Model;
        foreach (var (history, from) in new[] { (new[] { 0, 1, 2 }, 0), (new[] { 10, 11, 12 }, 10) })
        {
            var top = model.Recommend(history, [1f, 1f, 1f], 4, history);
            Assert.Equal(4, top.Length);
            Assert.Equal(4, RecommendTestData.CountIn(top, from, from + 10));
        }
    }

    [Fact]
    public void Popularity_ranks_used_items_above_unused_ones()
    {
        var model = PopularityRecommender.Fit(Data, new PopularityOptions { HalfLifeDays = 0 });
        var top = model.Recommend([], [], 20, []);
        Assert.Equal(20, RecommendTestData.CountIn(top, 0, 20));
        Assert.Equal(1f, model.ItemScores.ToArray().Max());
        Assert.Equal(0f, model.ItemScores[25]);
    }

    [Fact]
    public void Popularity_decay_prefers_recent_interactions()
    {
        Interaction[] events =
        [
            new(0, 0, 0, 1, InteractionKind.View),
            new(1, 0, 0, 1, InteractionKind.View),
            new(2, 1, 90 * 86_400, 1, InteractionKind.View),
        ];
        var data = InteractionMatrix.Build(3, 2, events);
        Assert.Equal(0, PopularityRecommender.Fit(data, new PopularityOptions { HalfLifeDays = 0 }).Recommend([], [], 1, [])[0].Item);
        Assert.Equal(1, PopularityRecommender.Fit(data, new PopularityOptions { HalfLifeDays = 30 }).Recommend([], [], 1, [])[0].Item);
    }

    [Fact]
    public void Item_knn_keeps_the_most_similar_neighbours_and_names_the_strongest_contributor()
    {
        var model = ItemKnnRecommender.Fit(Data, new ItemKnnOptions { Neighbors = 5 });
        Assert.Equal(5, model.Neighbors(0).Length);
        Assert.All(model.Neighbors(0).ToArray(), j => Assert.InRange(j, 1, 19));
        Assert.True(model.Similarities(0)[0] >= model.Similarities(0)[4]);
        var wide = ItemKnnRecommender.Fit(Data, new ItemKnnOptions { Neighbors = 29 });
        Assert.Equal(-1, wide.StrongestContributor([25], 0));
        Assert.InRange(wide.StrongestContributor([1, 2, 15], 0), 1, 2);
    }

    [Fact]
    public void Fallback_serves_short_histories_from_popularity_and_content_with_focus_subjects()
    {
        var texts = RecommendTestData.CommunityTexts();
        var popularity = PopularityRecommender.Fit(Data);
        var content = ContentRecommender.Fit(texts);
        var chain = new FallbackRecommender(EaseRecommender.Fit(Data, new EaseOptions { Regularization = 5 }), content, popularity,
            [.. texts.Select(t => t!.Subject)], new FallbackOptions { MinimumHistory = 3, FocusSubjectBoost = 5 });
        Assert.Equal(FallbackStage.Popularity, chain.StageFor(0));
        Assert.Equal(FallbackStage.ContentAndPopularity, chain.StageFor(2));
        Assert.Equal(FallbackStage.Primary, chain.StageFor(3));

        var scores = new float[30];
        chain.Score([], [], ["Chemistry"], scores);
        var top = Enumerable.Range(0, 30).OrderByDescending(i => scores[i]).Take(10);
        Assert.All(top, i => Assert.InRange(i, 20, 29));
        Assert.Equal("Chemistry", chain.SubjectOf(25));

        chain.Score([12], [1f], [], scores);
        Assert.InRange(Enumerable.Range(0, 30).Where(i => i != 12).MaxBy(i => scores[i]), 10, 19);
    }

    [Fact]
    public void An_empty_catalog_is_scored_without_error_and_recommends_nothing()
    {
        var empty = InteractionMatrix.Build(0, 0, ReadOnlySpan<Interaction>.Empty);
        var popularity = PopularityRecommender.Fit(empty);
        var content = ContentRecommender.Fit([]);
        var chain = new FallbackRecommender(new HybridRecommender([new(popularity, 1f), new(content, 1f)]), content, popularity, []);

        Assert.Equal(0, chain.ItemCount);
        Assert.Empty(chain.Recommend([], [], 10, []));
        chain.Score([], [], ["Calculus"], Span<float>.Empty);
    }

    [Fact]
    public void Hybrid_blends_components_by_their_weights()
    {
        var popularity = PopularityRecommender.Fit(Data);
        var content = ContentRecommender.Fit(RecommendTestData.CommunityTexts());
        var onlyContent = new HybridRecommender([new(popularity, 0f), new(content, 1f)]);
        var a = new float[30];
        var b = new float[30];
        onlyContent.Score([21], [1f], a);
        content.Score([21], [1f], b);
        var max = b.Max();
        Assert.Equal(b.Select(x => x / max), a);
        Assert.Throws<ArgumentException>(() => new HybridRecommender([new(popularity, -1f)]));
    }
}
