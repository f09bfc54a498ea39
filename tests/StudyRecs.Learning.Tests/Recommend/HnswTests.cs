using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class HnswTests
{
    // Clustered vectors, like item embeddings: 20 centres, each item near one of them; lengths vary when asked.
    private static float[] Vectors(int count, int dimensions, bool unit, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, 20 * dimensions).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var values = new float[count * dimensions];
        for (var i = 0; i < count; i++)
        {
            var c = random.Next(20);
            var row = values.AsSpan(i * dimensions, dimensions);
            for (var d = 0; d < dimensions; d++)
            {
                row[d] = centres[(c * dimensions) + d] + (float)(0.3 * (random.NextDouble() - 0.5));
            }

            var norm = System.Numerics.Tensors.TensorPrimitives.Norm(row);
            var length = unit ? 1f : 0.2f + (float)random.NextDouble();
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, length / norm, row);
        }

        return values;
    }

    // Share of the exact top-k the retriever finds over the queries (each k long, best first: checked too).
    private static double Recall(EmbeddingRetriever retriever, ReadOnlySpan<float> items, int dimensions, IEnumerable<float[]> queries, int k)
    {
        int found = 0, asked = 0;
        var approximate = new ScoredItem[k];
        var exact = new ScoredItem[k];
        foreach (var query in queries)
        {
            Assert.Equal(k, retriever.Retrieve(query, approximate));
            Assert.Equal(k, EmbeddingRetriever.Scan(items, dimensions, query, exact));
            var truth = exact.Select(s => s.Item).ToHashSet();
            found += approximate.Count(s => truth.Contains(s.Item));
            asked += k;
            for (var i = 1; i < k; i++)
            {
                Assert.True(approximate[i - 1].Score >= approximate[i].Score, "results must come best first");
            }
        }

        return found / (double)asked;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Recall_against_the_exact_scan_is_at_least_95_percent(bool unit)
    {
        const int count = 3_000, dimensions = 16, k = 20;
        // Queries are later draws of the same mixture, as students' embeddings live where the items they use do.
        var all = Vectors(count + 100, dimensions, unit, seed: 5);
        var items = all[..(count * dimensions)];
        var queries = all[(count * dimensions)..];
        var retriever = new EmbeddingRetriever(items, dimensions, exactScanLimit: 1_000, new HnswOptions { Links = 12, BuildCandidates = 80, SearchCandidates = 80 });
        Assert.True(retriever.UsesIndex);
        var recall = Recall(retriever, items, dimensions, queries.Chunk(dimensions), k);
        Assert.True(recall >= 0.95, $"recall@{k} {recall:F3}");
    }

    [Fact]
    public void Recall_on_trained_ALS_factors_with_many_rarely_used_items_is_at_least_95_percent()
    {
        // Students in 10 interest groups pick items of their group, popular ones far more often (Zipf): most of the
        // 10,000 items are used once or twice, so their ALS factors are short and nearly alike, as in a real catalog.
        var random = new Random(11);
        const int students = 3_000, items = 10_000, k = 50;
        var events = new List<Interaction>();
        for (var u = 0; u < students; u++)
        {
            var group = u % 10;
            for (var e = 0; e < 12; e++)
            {
                var rank = (int)Math.Min(items / 10 - 1, Math.Floor(Math.Pow(random.NextDouble(), 3) * (items / 10)));
                events.Add(new Interaction(u, (rank * 10) + group, e, 1, InteractionKind.View));
            }
        }

        var log = new InteractionLog(new IdIndex(Enumerable.Range(0, students).Select(u => $"u{u}")), new IdIndex(Enumerable.Range(0, items).Select(i => $"i{i}")), [.. events]);
        var data = InteractionMatrix.Build(log);
        var als = AlsRecommender.Fit(data, new AlsOptions { Factors = 32, Iterations = 5 });
        var retriever = EmbeddingRetriever.For(als, exactScanLimit: 100, new HnswOptions { Links = 16, BuildCandidates = 100, SearchCandidates = 100 });
        var users = Enumerable.Range(0, 100).Select(q =>
        {
            var user = new float[als.Factors];
            als.FoldIn(data.UserItems(q * 13), data.UserWeights(q * 13), user);
            return user;
        });
        var recall = Recall(retriever, als.ItemFactorMatrix.Span, als.Factors, users, k);
        Assert.True(recall >= 0.95, $"recall@{k} {recall:F3}");
    }

    [Fact]
    public void Recall_over_embeddings_of_widely_different_lengths_is_at_least_95_percent()
    {
        // Random directions with lengths spread over orders of magnitude (log-normal), queries random directions: the
        // length-equalising coordinate alone puts nearly every item close to one point far from every query.
        var random = new Random(3);
        const int count = 5_000, dimensions = 32, k = 50;
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        var items = new float[count * dimensions];
        for (var i = 0; i < count; i++)
        {
            var row = items.AsSpan(i * dimensions, dimensions);
            for (var d = 0; d < dimensions; d++)
            {
                row[d] = Normal();
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(row, MathF.Exp(1.5f * Normal()) / System.Numerics.Tensors.TensorPrimitives.Norm(row), row);
        }

        var retriever = new EmbeddingRetriever(items, dimensions, exactScanLimit: 100, new HnswOptions { Links = 16, BuildCandidates = 100, SearchCandidates = 100 });
        var queries = Enumerable.Range(0, 100).Select(_ => Enumerable.Range(0, dimensions).Select(_ => Normal()).ToArray()).ToList();
        var recall = Recall(retriever, items, dimensions, queries, k);
        Assert.True(recall >= 0.95, $"recall@{k} {recall:F3}");
    }

    [Fact]
    public void A_catalog_up_to_the_limit_is_scanned_exactly()
    {
        var items = Vectors(500, 8, unit: true, seed: 1);
        var retriever = new EmbeddingRetriever(items, 8, exactScanLimit: 500);
        Assert.False(retriever.UsesIndex);
        var query = items.AsSpan(7 * 8, 8);
        var top = new ScoredItem[5];
        var expected = new ScoredItem[5];
        retriever.Retrieve(query, top);
        EmbeddingRetriever.Scan(items, 8, query, expected);
        Assert.Equal(expected, top);
        Assert.Equal(7, top[0].Item);
    }

    [Fact]
    public void The_same_seed_builds_the_same_graph_and_answers_alike()
    {
        var items = Vectors(1_500, 8, unit: false, seed: 2);
        var a = HnswIndex.Build(items, 1_500, 8, new HnswOptions { Seed = 3 });
        var b = HnswIndex.Build(items, 1_500, 8, new HnswOptions { Seed = 3 });
        var first = new ScoredItem[10];
        var second = new ScoredItem[10];
        for (var q = 0; q < 20; q++)
        {
            a.Search(items.AsSpan(q * 8, 8), first);
            b.Search(items.AsSpan(q * 8, 8), second);
            Assert.Equal(first, second);
        }
    }

    [Fact]
    public void Empty_catalogs_and_wrong_query_widths_are_handled()
    {
        var empty = HnswIndex.Build([], 0, 4);
        Assert.Equal(0, empty.Search(new float[4], new ScoredItem[3]));
        var index = HnswIndex.Build(Vectors(10, 4, unit: true, seed: 1), 10, 4);
        Assert.Throws<ArgumentException>(() => index.Search(new float[5], new ScoredItem[3]));
        Assert.Throws<ArgumentException>(() => HnswIndex.Build(new float[7], 2, 4));
        Assert.Equal(10, index.Search(new float[4] { 1, 0, 0, 0 }, new ScoredItem[30]));
    }

    [Fact]
    public void Retrieves_from_a_fitted_two_tower_model_above_the_limit()
    {
        var model = TwoTowerRecommender.Fit(RecommendTestData.TwoCommunities(), RecommendTestData.CommunityTexts(), new TwoTowerOptions { MaxEpochs = 1 });
        var retriever = EmbeddingRetriever.For(model, exactScanLimit: 10);
        Assert.True(retriever.UsesIndex);
        var user = new float[model.Dimensions];
        model.UserEmbedding([0, 1, 2], [1f, 1f, 1f], [], StudentContext.None, user);
        var top = new ScoredItem[30];
        Assert.Equal(30, retriever.Retrieve(user, top));
        var scores = new float[model.ItemCount];
        model.Score([0, 1, 2], [1f, 1f, 1f], scores);
        Assert.Equal(Enumerable.Range(0, 30).OrderByDescending(i => scores[i]).Take(5), top.Take(5).Select(s => s.Item));
    }
}
