using StudyRecs.Learning.MLNet;
using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

/// <summary>
/// Above its exact-scan limit the learned ranker takes its candidates from an HNSW index over a base model's item
/// embeddings, and every base model scores those candidates only: the per-item scores must be the catalog scores, the
/// candidates the index's nearest, and the choice must survive a save and reload.
/// </summary>
public class RankerRetrievalTests
{
    private static readonly TwoTowerOptions SmallTowers = TwoTowerTests.Small with { MaxEpochs = 5 };

    private static readonly int[][] Histories = [[0, 1, 2], [10, 11, 12, 3], [], [5, 5, 17], [29]];

    private static RecommenderSuite Suite(int exactScanLimit, IReadOnlyDictionary<string, float>? weights = null, int candidates = 12) =>
        new(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(), new RecommenderSuiteOptions
        {
            Als = new AlsOptions { Factors = 4, Iterations = 4 },
            TwoTower = SmallTowers,
            Ranker = ModelStructureTests.Ranker with { Candidates = candidates, ExactScanLimit = exactScanLimit },
            HybridWeights = weights ?? new RecommenderSuiteOptions().HybridWeights,
        })
        {
            TrainingEvents = RecommendTestData.TwoCommunitiesLog(),
        };

    [Theory]
    [InlineData("popularity")]
    [InlineData("itemknn")]
    [InlineData("ease")]
    [InlineData("als")]
    [InlineData("content")]
    [InlineData("two-tower")]
    public void Scoring_chosen_items_gives_each_the_score_of_the_catalog_scan(string strategy)
    {
        var model = Suite(10).Fit(strategy).Model;
        var scorer = Assert.IsAssignableFrom<IItemScorer>(model);
        int[] items = [29, 0, 7, 7, 15, 3, 22];
        var all = new float[model.ItemCount];
        var chosen = new float[items.Length];
        foreach (var history in Histories)
        {
            var weights = history.Select(i => 1f + (i % 3)).ToArray();
            model.Score(history, weights, all);
            scorer.ScoreItems(history, weights, items, chosen);
            Assert.Equal(items.Select(i => all[i]), chosen);
        }

        // Only content is costly over the catalog: the others take part in the ranker's blend.
        Assert.Equal(strategy == "content", scorer.ScoresCandidatesOnly);
    }

    [Fact]
    public void Above_the_limit_the_candidates_are_the_nearest_items_by_ALS_and_a_reload_keeps_them()
    {
        var ranker = (RankerRecommender)Suite(exactScanLimit: 20).Fit("ranker").Model;
        Assert.True(ranker.UsesApproximateRetrieval);
        Assert.Contains("HNSW", ranker.DescribeCandidates(), StringComparison.Ordinal);
        Assert.Contains("als", ranker.DescribeCandidates(), StringComparison.Ordinal);
        var als = (AlsRecommender)ranker.BaseModels.Single(m => m.Name == "als");
        var restored = (RankerRecommender)RecommenderSerializer.Deserialize(RecommenderSerializer.Serialize(ranker), MLNetModelFormat.WithEngine);
        Assert.True(restored.UsesApproximateRetrieval);
        Assert.Equal(20, restored.ExactScanLimit);

        var alsScores = new float[als.ItemCount];
        var scores = new float[ranker.ItemCount];
        var again = new float[ranker.ItemCount];
        foreach (var history in Histories.Where(h => h.Length > 0))
        {
            var weights = Enumerable.Repeat(1f, history.Length).ToArray();

            // A 30-item graph searched with 200 candidates is searched exhaustively: the index finds ALS's own best 12
            // outside the history (as a set: the candidates are then put in the blend's order).
            als.Score(history, weights, alsScores);
            var (candidates, rows) = ranker.Describe(history, weights, [], StudentContext.None);
            Assert.Equal(12, candidates.Length);
            Assert.DoesNotContain(candidates, history.Contains);
            if (alsScores.Any(s => s != 0))
            {
                var expected = Enumerable.Range(0, als.ItemCount).Where(i => !history.Contains(i))
                    .OrderByDescending(i => alsScores[i]).ThenBy(i => i).Take(12).Order();
                Assert.Equal(expected, candidates.Order());
            }

            // Candidates come in the order of the blend over them: each model's scores scaled by its largest among them.
            var blend = candidates.Select((_, c) => ranker.BaseModels.Select((m, j) => (m, j))
                .Where(p => p.m is not ContentRecommender).Sum(p => rows[c][p.j])).ToArray();
            Assert.All(Enumerable.Range(1, blend.Length - 1), c => Assert.True(blend[c - 1] >= blend[c] - 1e-5f));
            Assert.All(rows, row => Assert.All(ranker.BaseModels.Where(m => m is not ContentRecommender), m =>
                Assert.InRange(row[ranker.BaseModels.ToList().IndexOf(m)], -1.00001f, 1.00001f)));

            // The re-ranked candidates come first; the history last; the reloaded model scores alike.
            ranker.Score(history, weights, scores);
            restored.Score(history, weights, again);
            Assert.Equal(scores, again);
            var lowestCandidate = candidates.Min(i => scores[i]);
            Assert.All(Enumerable.Range(0, scores.Length).Where(i => !candidates.Contains(i)), i => Assert.True(scores[i] < lowestCandidate));
            Assert.All(history, i => Assert.Equal(float.NegativeInfinity, scores[i]));
        }
    }

    [Fact]
    public void A_student_without_an_embedding_gets_the_candidates_an_empty_history_gets_from_the_exact_scan()
    {
        var approximate = (RankerRecommender)Suite(exactScanLimit: 20).Fit("ranker").Model;
        var exact = (RankerRecommender)Suite(exactScanLimit: 30).Fit("ranker").Model;
        Assert.True(approximate.UsesApproximateRetrieval);
        Assert.False(exact.UsesApproximateRetrieval);
        Assert.StartsWith("the blend's best 12 of all 30 resources (exact scan", exact.DescribeCandidates(), StringComparison.Ordinal);
        var whole = (RankerRecommender)Suite(exactScanLimit: 30, candidates: 40).Fit("ranker").Model;
        Assert.StartsWith("all 30 resources, in the blend's order (exact scan", whole.DescribeCandidates(), StringComparison.Ordinal);

        // ALS folds an empty history into a zero factor: no query for the index, so the empty history's blend decides.
        var (fromIndex, _) = approximate.Describe([], [], [], StudentContext.None);
        var (fromScan, _) = exact.Describe([], [], [], StudentContext.None);
        Assert.Equal(12, fromIndex.Length);
        Assert.Equal(fromScan.Order(), fromIndex.Order());
    }

    [Fact]
    public void The_two_tower_model_is_indexed_when_it_is_a_base_and_without_embeddings_the_exact_scan_stays()
    {
        var withTowers = (RankerRecommender)Suite(20, new Dictionary<string, float> { ["two-tower"] = 0.5f, ["als"] = 0.3f, ["popularity"] = 0.2f }).Fit("ranker").Model;
        Assert.True(withTowers.UsesApproximateRetrieval);
        Assert.Contains("two-tower", withTowers.DescribeCandidates(), StringComparison.Ordinal);

        // The two-tower model embeds an empty history from the student's features: it is searched for, not a fallback.
        var towers = (TwoTowerRecommender)withTowers.BaseModels.Single(m => m.Name == "two-tower");
        var user = new float[towers.Dimensions];
        towers.UserEmbedding([], [], user);
        Assert.Contains(user, v => v != 0);
        var (candidates, _) = withTowers.Describe([], [], [], StudentContext.None);
        Assert.Equal(12, candidates.Length);

        var withoutEmbeddings = (RankerRecommender)Suite(20, new Dictionary<string, float> { ["itemknn"] = 0.7f, ["popularity"] = 0.3f }).Fit("ranker").Model;
        Assert.False(withoutEmbeddings.UsesApproximateRetrieval);
        Assert.Contains("no base model has item embeddings", withoutEmbeddings.DescribeCandidates(), StringComparison.Ordinal);
        var (scanned, _) = withoutEmbeddings.Describe([0, 1], [1f, 1f], [], StudentContext.None);
        Assert.Equal(12, scanned.Length);
    }
}
