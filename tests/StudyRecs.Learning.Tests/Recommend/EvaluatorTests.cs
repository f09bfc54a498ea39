using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class EvaluatorTests
{
    [Fact]
    public void Evaluates_students_with_test_items_and_excludes_their_training_items()
    {
        // Three students with five events each: four train, the fifth tests. Popularity (no decay) ranks
        // item 0 (used by all three) first, then 1, 2 ... Item 0 is excluded for everyone since it is in training.
        var users = new IdIndex(["a", "b", "c"]);
        var items = new IdIndex(Enumerable.Range(0, 8).Select(i => $"i{i}"));
        Interaction[] events =
        [
            new(0, 0, 1, 1, InteractionKind.View), new(0, 1, 2, 1, InteractionKind.View), new(0, 2, 3, 1, InteractionKind.View), new(0, 3, 4, 1, InteractionKind.View),
            new(0, 4, 5, 1, InteractionKind.Complete),
            new(1, 0, 1, 1, InteractionKind.View), new(1, 1, 2, 1, InteractionKind.View), new(1, 2, 3, 1, InteractionKind.View), new(1, 5, 4, 1, InteractionKind.View),
            new(1, 3, 5, 1, InteractionKind.Complete),
            new(2, 0, 1, 1, InteractionKind.View), new(2, 6, 2, 1, InteractionKind.View),
        ];
        var split = TemporalSplit.Create(new InteractionLog(users, items, events));
        var model = PopularityRecommender.Fit(split.TrainMatrix, new PopularityOptions { HalfLifeDays = 0 });
        var result = RecommenderEvaluator.Evaluate(model, split, 2, 0.5);

        // a: train {0,1,2,3}, ranking of the rest by popularity: 5 and 6 tie at 1 user -> [5, 6]; test {4}: miss.
        // b: train {0,1,2,5}, ranking [3, 6]; test {3}: hit at rank 1.
        Assert.Equal(2, result.UsersEvaluated);
        Assert.Equal((0 + 0.5) / 2, result.PrecisionAtK, 12);
        Assert.Equal((0 + 1.0) / 2, result.RecallAtK, 12);
        Assert.Equal((0 + 1.0) / 2, result.NdcgAtK, 12);
        Assert.Equal((0 + 1.0) / 2, result.MapAtK, 12);
        Assert.Equal(3 / 8.0, result.Coverage, 12);
        Assert.Equal(0.5, result.TrainSeconds);
        Assert.Equal("popularity", result.Algorithm);
    }
}
