using StudyRecs.Learning.MLNet;
using StudyRecs.Learning.Recommend;
using StudyRecs.Testing;

namespace StudyRecs.Learning.Tests.Recommend;

public class SerializationTests
{
    private static readonly InteractionMatrix Data = RecommendTestData.TwoCommunities();

    public static TheoryData<string> Strategies => [.. RecommenderSuite.Strategies];

    // Every strategy, the ranker on ML.NET's FastTree too (read back with ML.NET's model format).
    private static readonly RecommenderSuiteOptions Options = new()
    {
        Als = new AlsOptions { Factors = 4, Iterations = 2 },
        Ranker = ModelStructureTests.Ranker,
        FastTreeRanker = MLNetLearner.RankerLike(ModelStructureTests.Ranker.Boosting, 0),
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Round_trip_gives_identical_scores(string strategy)
    {
        var suite = new RecommenderSuite(Data, RecommendTestData.CommunityTexts(), Options)
        {
            TrainingEvents = RecommendTestData.TwoCommunitiesLog(),
        };
        var model = suite.Fit(strategy).Model;
        var restored = RecommenderSerializer.Deserialize(RecommenderSerializer.Serialize(model), MLNetModelFormat.WithEngine);
        Assert.Equal(model.Name, restored.Name);
        Assert.Equal(Score(model), Score(restored));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Streams_that_cannot_seek_and_return_a_few_bytes_per_read_round_trip(string strategy)
    {
        var suite = new RecommenderSuite(Data, RecommendTestData.CommunityTexts(), Options)
        {
            TrainingEvents = RecommendTestData.TwoCommunitiesLog(),
        };
        var model = suite.Fit(strategy).Model;
        var prepared = RecommenderSerializer.Prepare(model);
        var written = new MemoryStream();
        prepared.WriteTo(written);
        var bytes = RecommenderSerializer.Serialize(model);
        Assert.Equal(prepared.Length, written.Length);
        Assert.Equal(bytes, written.ToArray());

        var restored = RecommenderSerializer.Deserialize(new TrickleStream(bytes, 7), MLNetModelFormat.WithEngine);
        Assert.Equal(model.Name, restored.Name);
        Assert.Equal(Score(model), Score(restored));
    }

    [Fact]
    public void Streams_that_cannot_seek_are_refused_when_truncated_corrupt_or_too_long()
    {
        var bytes = RecommenderSerializer.Serialize(ItemKnnRecommender.Fit(Data));
        var truncated = Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize(new TrickleStream(bytes[..^3], 7)));
        Assert.Contains("truncated", truncated.Message, StringComparison.Ordinal);

        var corrupt = (byte[])bytes.Clone();
        corrupt[^5] ^= 0x40;
        var e = Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize(new TrickleStream(corrupt, 7)));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);

        var trailing = Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize(new TrickleStream([.. bytes, 0], 7)));
        Assert.Contains("trailing", trailing.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize(new TrickleStream(bytes[..3], 7)));
    }

    [Fact]
    public void Fallback_chain_round_trips_with_its_subjects()
    {
        var texts = RecommendTestData.CommunityTexts();
        var chain = new FallbackRecommender(PopularityRecommender.Fit(Data), ContentRecommender.Fit(texts), PopularityRecommender.Fit(Data),
            [.. texts.Select(t => t!.Subject)], new FallbackOptions { MinimumHistory = 4 });
        var restored = Assert.IsType<FallbackRecommender>(RecommenderSerializer.Deserialize(RecommenderSerializer.Serialize(chain)));
        Assert.Equal(4, restored.Options.MinimumHistory);
        Assert.Equal("Literature", restored.SubjectOf(12));
        Assert.Equal(Score(chain), Score(restored));
    }

    [Fact]
    public void Refuses_a_corrupted_byte_with_a_checksum_error()
    {
        var bytes = RecommenderSerializer.Serialize(ItemKnnRecommender.Fit(Data));
        bytes[^5] ^= 0x40;
        var e = Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize(bytes));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_truncated_file()
    {
        var bytes = RecommenderSerializer.Serialize(PopularityRecommender.Fit(Data));
        var e = Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize(bytes.AsSpan(0, 9)));
    }

    [Fact]
    public void Refuses_foreign_bytes_and_newer_versions()
    {
        Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize("not a model"u8));
        var bytes = RecommenderSerializer.Serialize(PopularityRecommender.Fit(Data));
        bytes[4] = 99;
        var e = Assert.Throws<InvalidDataException>(() => RecommenderSerializer.Deserialize(bytes));
        Assert.Contains("version 99", e.Message, StringComparison.Ordinal);
    }

    private static float[] Score(IRecommender model)
    {
        var scores = new float[model.ItemCount];
        model.Score([0, 3, 12], [1f, 2f, 4f], scores);
        return scores;
    }
}
