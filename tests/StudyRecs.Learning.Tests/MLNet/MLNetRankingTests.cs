using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.MLNet;
using StudyRecs.Learning.Objectives;
using StudyRecs.Learning.Recommend;
using StudyRecs.Learning.Serialization;
using StudyRecs.Learning.Tests.Recommend;

namespace StudyRecs.Learning.Tests.MLNet;

/// <summary>ML.NET's FastTree LambdaMART behind the learner interface, and as the recommender's second learned ranker.</summary>
public class MLNetRankingTests
{
    private static readonly MLNetTreeOptions Small = new() { NumberOfTrees = 30, NumberOfLeaves = 8, MinimumExampleCountPerLeaf = 5, LearningRate = 0.2 };

    private static double Ndcg(double[] scores, TrainingSet test) => QueryGroups.MeanNdcg(scores, test.Labels, QueryGroups.Bounds(test.Groups!), 5);

    [Fact]
    public void FastTree_ranks_held_out_queries_as_well_as_the_engine_and_reads_back_as_it_was_saved()
    {
        var train = SyntheticData.Ranking(200, seed: 15);
        var test = SyntheticData.Ranking(50, seed: 16);

        var model = new MLNetLearner(Small).Fit(LearningTask.Ranking, train, threads: 1);

        Assert.Equal((LearningTask.Ranking, "fasttree", 0), (model.Task, model.Algorithm, model.ClassCount));
        var scores = model.PredictBatch(test.Features);
        Assert.Equal(scores, Enumerable.Range(0, test.Rows).Select(i => model.Predict(test.Features.Row(i))), (a, b) => Math.Abs(a - b) < 1e-5);
        var engine = new GradientBoostingTrainer(new() { NumberOfTrees = 30, NumberOfLeaves = 8, MinimumExampleCountPerLeaf = 5, LearningRate = 0.2, NdcgTruncationLevel = 5 })
            .Fit(LearningTask.Ranking, train);
        var random = new Random(1);
        var chance = Ndcg([.. scores.Select(_ => random.NextDouble())], test);
        var learned = Ndcg(scores, test);
        Assert.True(learned > chance + 0.2, $"NDCG@5 {learned} vs chance {chance}");
        Assert.True(learned > Ndcg(engine.PredictBatch(test.Features), test) - 0.05, $"ML.NET NDCG@5 {learned} far below the engine's");

        using var saved = new MemoryStream();
        model.Save(saved);
        var read = MLNetModelFormat.WithEngine.Load(saved.ToArray());
        Assert.Equal(LearningTask.Ranking, read.Task);
        Assert.Equal(scores, read.PredictBatch(test.Features), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    /// <summary>
    /// Only the first query group (numbered 0 for ML.NET) carries a ranking: a trainer that took group 0 for a missing
    /// group and skipped it would learn nothing and score every row alike.
    /// </summary>
    [Fact]
    public void The_first_query_group_is_trained_on_not_skipped()
    {
        const int perGroup = 200;
        var x = new DenseMatrix(2 * perGroup, 1);
        var labels = new float[2 * perGroup];
        var groups = new int[2 * perGroup];
        for (var i = 0; i < 2 * perGroup; i++)
        {
            x[i, 0] = i % perGroup;
            labels[i] = i < perGroup && i % perGroup >= perGroup / 2 ? 1 : 0;
            groups[i] = i / perGroup;
        }

        var model = new MLNetLearner(Small with { MinimumExampleCountPerLeaf = 2 }).Fit(LearningTask.Ranking, new TrainingSet(x, labels, groups), threads: 1);

        Assert.True(model.Predict([perGroup - 1f]) > model.Predict([0f]), "the ranking of group 0 was not learned");
    }

    [Fact]
    public void Ranking_refuses_other_trainers_scattered_groups_and_fractional_relevance()
    {
        var data = SyntheticData.Ranking(5, seed: 1);
        Assert.Throws<ArgumentException>(() => new MLNetLearner(Small with { Trainer = MLNetTrainer.FastForest }).Fit(LearningTask.Ranking, data, 1));
        Assert.Throws<ArgumentException>(() => new MLNetLearner(Small with { Trainer = MLNetTrainer.LightGbm }).Fit(LearningTask.Ranking, data, 1));
        var x = new DenseMatrix([1f, 2f, 3f, 4f], 4, 1);
        Assert.Contains("not contiguous", Assert.Throws<ArgumentException>(() => new MLNetLearner(Small).Fit(LearningTask.Ranking, new TrainingSet(x, [0, 1, 0, 1], [1, 2, 1, 2]), 1)).Message);
        Assert.Throws<ArgumentException>(() => new MLNetLearner(Small).Fit(LearningTask.Ranking, new TrainingSet(x, [0, 0.5f, 0, 1], [1, 1, 2, 2]), 1));
        Assert.Throws<ArgumentException>(() => new MLNetLearner(Small).Fit(LearningTask.Ranking, new TrainingSet(x, [0, 1, 0, 1]), 1));
    }

    private static RecommenderSuite Suite(bool withFastTree) => new(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(), new RecommenderSuiteOptions
    {
        Als = new AlsOptions { Factors = 2, Iterations = 2 },
        Ranker = ModelStructureTests.Ranker,
        FastTreeRanker = withFastTree ? MLNetLearner.RankerLike(ModelStructureTests.Ranker.Boosting, 0) : null,
    })
    {
        TrainingEvents = RecommendTestData.TwoCommunitiesLog(),
    };

    [Fact]
    public void Both_rankers_learn_on_one_training_set_over_the_same_serving_models()
    {
        var suite = Suite(withFastTree: true);
        suite.PrepareToFit(RecommenderSuite.Strategies);

        var engine = (RankerRecommender)suite.Fit(RankerRecommender.EngineName).Model;
        var fastTree = (RankerRecommender)suite.Fit(RankerRecommender.FastTreeName).Model;

        Assert.Equal((RankerRecommender.EngineName, "studyrecs-trees"), (engine.Name, engine.Model.Format));
        Assert.Equal((RankerRecommender.FastTreeName, "fasttree", MLNetModelFormat.FormatName), (fastTree.Name, fastTree.Model.Algorithm, fastTree.Model.Format));
        // The serving base models are fitted once and shared (not refitted per ranker).
        Assert.Equal(engine.BaseModels, fastTree.BaseModels, ReferenceEqualityComparer.Instance);
        Assert.Equal(engine.Model.FeatureNames, fastTree.Model.FeatureNames);
        Assert.Same(suite.Fit("ease").Model, engine.BaseModels.Single(m => m.Name == "ease"));
    }

    [Fact]
    public void Without_the_learner_the_FastTree_ranker_is_unavailable_and_says_why()
    {
        var suite = Suite(withFastTree: false);
        Assert.Contains("FastTree", suite.Unavailable(RankerRecommender.FastTreeName));
        Assert.Null(suite.Unavailable(RankerRecommender.EngineName));
        Assert.Throws<InvalidOperationException>(() => suite.Fit(RankerRecommender.FastTreeName));
    }

    [Fact]
    public void A_chain_serving_the_FastTree_ranker_reads_back_with_ML_NET_formats_and_is_refused_clearly_without()
    {
        var suite = Suite(withFastTree: true);
        var ranker = suite.Fit(RankerRecommender.FastTreeName).Model;
        var chain = new FallbackRecommender(ranker, (ContentRecommender)suite.Fit("content").Model, (PopularityRecommender)suite.Fit("popularity").Model,
            [.. RecommendTestData.CommunityTexts().Select(t => t!.Subject)]);
        var bytes = RecommenderSerializer.Serialize(chain);

        var read = Assert.IsType<FallbackRecommender>(RecommenderSerializer.Deserialize(bytes, MLNetModelFormat.WithEngine));
        var restored = Assert.IsType<RankerRecommender>(read.Primary);
        Assert.Equal(RankerRecommender.FastTreeName, restored.Name);
        var (expected, actual) = (new float[ranker.ItemCount], new float[ranker.ItemCount]);
        ranker.Score([0, 1, 2], [1f, 1f, 1f], expected);
        restored.Score([0, 1, 2], [1f, 1f, 1f], actual);
        Assert.Equal(expected, actual);

        var refused = Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize(bytes, ModelFormats.Engine));
        Assert.Contains("unreadable", refused.Message, StringComparison.Ordinal);
    }
}
