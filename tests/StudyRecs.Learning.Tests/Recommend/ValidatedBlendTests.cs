using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

/// <summary>
/// The hybrid's weights and the ranker's choice are made on an inner split's students (never on a test split): the
/// tuned blend is never worse there than any model alone, and a re-ranker that loses on its held-out students serves
/// the better blend instead.
/// </summary>
public class ValidatedBlendTests
{
    private static readonly InteractionLog Log = RecommendTestData.TwoCommunitiesLog();

    private static readonly RecommenderSuiteOptions Options = new()
    {
        Als = new AlsOptions { Factors = 4, Iterations = 2 },
        Ranker = ModelStructureTests.Ranker with { ValidationShare = 0.2 },
    };

    [Fact]
    public void A_model_alone_scores_exactly_as_the_evaluator_scores_it_even_with_pools_smaller_than_the_catalog()
    {
        var split = TemporalSplit.Create(Log);
        IRecommender[] models = [ItemKnnRecommender.Fit(split.TrainMatrix), PopularityRecommender.Fit(split.TrainMatrix)];
        var validation = BlendValidation.Build(models, split, Enumerable.Range(0, split.TrainMatrix.UserCount), k: 10, poolPerModel: 10);

        Assert.Equal(split.UsersWithTestItems, validation.Students.Count);
        for (var j = 0; j < models.Length; j++)
        {
            var oneHot = new float[models.Length];
            oneHot[j] = 1;
            var expected = RecommenderEvaluator.Evaluate(models[j], split, 10, 0).NdcgAtK;
            Assert.Equal(expected, validation.Ndcg(oneHot), 9);
        }
    }

    [Fact]
    public void Tuning_never_ends_below_the_best_model_alone_even_from_a_start_that_favours_the_worst()
    {
        var split = TemporalSplit.Create(Log);
        IRecommender[] models = [PopularityRecommender.Fit(split.TrainMatrix), ItemKnnRecommender.Fit(split.TrainMatrix)];
        var validation = BlendValidation.Build(models, split, Enumerable.Range(0, split.TrainMatrix.UserCount));
        var popularity = validation.Ndcg([1f, 0f]);
        var itemKnn = validation.Ndcg([0f, 1f]);
        Assert.True(itemKnn > popularity, $"item-kNN {itemKnn} should beat popularity {popularity} on two communities");

        var (weights, ndcg) = validation.Tune([1f, 0f]);

        Assert.True(ndcg >= itemKnn, $"tuned {ndcg} < best single {itemKnn}");
        Assert.Equal(ndcg, validation.Ndcg(weights), 12);
        Assert.Equal(1f, weights.Sum(), 5);
        Assert.All(weights, w => Assert.True(w >= 0));
        Assert.Throws<ArgumentException>(() => validation.Tune([0f, 0f]));
        Assert.Throws<ArgumentException>(() => validation.Ndcg([1f]));
    }

    [Fact]
    public void A_re_ranker_that_loses_on_its_held_out_students_serves_the_blend_and_says_so_after_a_round_trip()
    {
        var suite = new RecommenderSuite(InteractionMatrix.Build(Log), RecommendTestData.CommunityTexts(),
            Options with { Ranker = ModelStructureTests.Ranker with { ValidationShare = 0.5, Learner = new ContraryLearner() } })
        {
            TrainingEvents = Log,
        };

        var ranker = Assert.IsType<RankerRecommender>(suite.Fit("ranker").Model);

        var v = Assert.IsType<RankerValidation>(ranker.Validation);
        Assert.True(v.Students > 0);
        Assert.False(v.ReRanks, $"a ranker trained to put unused items first re-ranked: {v.Describe([.. ranker.BaseModels.Select(b => b.Name)])}");
        Assert.False(ranker.ReRanks);
        Assert.True(v.RankerNdcg < Math.Max(v.BlendNdcg, v.BestSingleNdcg));
        Assert.StartsWith("serves ", v.Describe([.. ranker.BaseModels.Select(b => b.Name)]), StringComparison.Ordinal);

        // It scores as the blend of its own base models with the chosen weights, before and after a round trip.
        var blend = new HybridRecommender(ranker.BaseModels.Zip(v.BlendWeights, (b, w) => new WeightedRecommender(b, w)));
        Assert.Equal(Score(blend), Score(ranker));
        var restored = Assert.IsType<RankerRecommender>(RecommenderSerializer.Deserialize(RecommenderSerializer.Serialize(ranker)));
        var read = Assert.IsType<RankerValidation>(restored.Validation);
        Assert.Equal(v, read with { BlendWeights = v.BlendWeights });
        Assert.Equal(v.BlendWeights, read.BlendWeights);
        Assert.Equal(Score(ranker), Score(restored));

        // The hybrid of the same suite takes the same weights (chosen once, on the same inner split).
        var hybrid = Assert.IsType<HybridRecommender>(suite.Fit("hybrid").Model);
        Assert.Equal(v.BlendWeights, hybrid.Components.Select(c => c.Weight));
        Assert.Same(v, suite.HybridValidation);
    }

    [Fact]
    public void The_engine_re_ranker_records_its_validation_and_a_held_out_share_of_zero_keeps_the_re_ranking()
    {
        var suite = new RecommenderSuite(InteractionMatrix.Build(Log), RecommendTestData.CommunityTexts(), Options) { TrainingEvents = Log };
        var ranker = Assert.IsType<RankerRecommender>(suite.Fit("ranker").Model);
        var v = Assert.IsType<RankerValidation>(ranker.Validation);
        Assert.True(v.Students > 0);
        Assert.Equal(v.ReRanks, v.RankerNdcg >= v.BlendNdcg);
        Assert.True(v.ReRanks || v.RankerNdcg < v.BlendNdcg, v.Describe([.. ranker.BaseModels.Select(b => b.Name)]));

        // The held-out students are a fixed function of student and seed, the same in every process (a per-process
        // randomised hash would change them, and every figure, from run to run).
        Assert.Equal(HeldOutCount, v.Students);
        Assert.Equal(ranker.BaseModels.Count, v.BlendWeights.Count);

        var none = new RecommenderSuite(InteractionMatrix.Build(Log), RecommendTestData.CommunityTexts(),
            Options with { Ranker = ModelStructureTests.Ranker with { ValidationShare = 0 } })
        { TrainingEvents = Log };
        var kept = Assert.IsType<RankerRecommender>(none.Fit("ranker").Model);
        Assert.Equal(0, kept.Validation!.Students);
        Assert.True(kept.ReRanks);
    }

    [Fact]
    public void The_hybrid_alone_tunes_its_weights_on_an_inner_split_and_keeps_the_given_ones_when_told_to()
    {
        var tuned = new RecommenderSuite(InteractionMatrix.Build(Log), RecommendTestData.CommunityTexts(), Options) { TrainingEvents = Log };
        var hybrid = Assert.IsType<HybridRecommender>(tuned.Fit("hybrid").Model);
        var v = Assert.IsType<RankerValidation>(tuned.HybridValidation);
        Assert.Equal(v.BlendWeights, hybrid.Components.Select(c => c.Weight));
        Assert.Equal(1f, v.BlendWeights.Sum(), 5);

        var fixedWeights = new RecommenderSuite(InteractionMatrix.Build(Log), RecommendTestData.CommunityTexts(), Options with { TuneHybridWeights = false })
        {
            TrainingEvents = Log,
        };
        var given = Assert.IsType<HybridRecommender>(fixedWeights.Fit("hybrid").Model);
        Assert.Null(fixedWeights.HybridValidation);
        Assert.Equal(given.Components.Select(c => Options.HybridWeights[c.Model.Name]), given.Components.Select(c => c.Weight));
    }

    // Students of the inner split of TwoCommunitiesLog() held out with seed 0 and a share of 0.2.
    private const int HeldOutCount = 13;

    [Fact]
    public void The_given_weights_serve_unless_another_blend_or_a_model_alone_is_clearly_better_on_the_held_out_students()
    {
        var split = TemporalSplit.Create(Log);
        var options = ModelStructureTests.Ranker with { ValidationShare = 0.5 };

        // Two copies of one model: every blend ranks alike, nothing is clearly better, the given weights stay.
        var knn = ItemKnnRecommender.Fit(split.TrainMatrix);
        var (same, _) = RankerRecommender.ValidatedBlendWeights([knn, knn], split, options with { BlendStart = [3f, 1f] });
        Assert.Equal([0.75f, 0.25f], same);

        // Popularity alone against item-kNN on two communities: item-kNN is clearly better, so the start is dropped.
        IRecommender[] models = [PopularityRecommender.Fit(split.TrainMatrix), knn];
        var (weights, v) = RankerRecommender.ValidatedBlendWeights(models, split, options with { BlendStart = [1f, 0f] });
        Assert.True(weights[1] > 0, v.DescribeBlend(["popularity", "itemknn"]));
        Assert.True(v.BlendNdcg > 0);
        Assert.Equal("itemknn", v.BestSingle);
    }

    private static float[] Score(IRecommender model)
    {
        var scores = new float[model.ItemCount];
        model.Score([0, 3, 12], [1f, 2f, 4f], scores);
        return scores;
    }

    // The engine's LambdaMART trained on inverted labels: it learns to put what students did not use first.
    private sealed class ContraryLearner : ILearner
    {
        private readonly GradientBoostingLearner _inner = new(ModelStructureTests.Ranker.Boosting);

        public string Name => "contrary";

        public string Algorithm => _inner.Algorithm;

        public string Library => _inner.Library;

        public object Settings => _inner.Settings;

        public string DescribeSettings() => "inverted labels";

        public IModel Fit(LearningTask task, TrainingSet train, int threads) =>
            _inner.Fit(task, new TrainingSet(train.Features, [.. train.Labels.Select(y => 1 - y)], train.Groups) { FeatureNames = train.FeatureNames }, threads);
    }
}
