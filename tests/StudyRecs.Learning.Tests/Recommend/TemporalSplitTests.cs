using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class TemporalSplitTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 4)]
    [InlineData(5, 4)]
    [InlineData(6, 5)]
    [InlineData(10, 8)]
    [InlineData(11, 9)]
    public void Trains_on_the_first_ceiling_of_eighty_percent(int events, int train) =>
        Assert.Equal(train, TemporalSplit.TrainCount(events));

    [Fact]
    public void Splits_each_student_by_time_and_keeps_only_new_positive_test_items()
    {
        var users = new IdIndex(["u0", "u1"]);
        var items = new IdIndex(Enumerable.Range(0, 10).Select(i => $"i{i}"));
        Interaction[] events =
        [
            // u0: ten events given out of time order; the last two by time are items 8 and 9.
            new(0, 9, 1000, 1, InteractionKind.View),
            new(0, 8, 900, 1, InteractionKind.View),
            .. Enumerable.Range(0, 8).Select(i => new Interaction(0, i, 100 + i, 1, InteractionKind.View)),
            // u1: six events; test part (last one) re-uses a train item, so u1 has no test item.
            .. Enumerable.Range(0, 5).Select(i => new Interaction(1, i, 10 + i, 1, InteractionKind.Click)),
            new(1, 2, 99, 4, InteractionKind.Complete),
        ];
        var split = TemporalSplit.Create(new InteractionLog(users, items, events));
        Assert.Equal([8, 9], split.TestItems(0).ToArray());
        Assert.Equal(Enumerable.Range(0, 8), split.TrainMatrix.UserItems(0).ToArray());
        Assert.True(split.TestItems(1).IsEmpty);
        Assert.Equal(1, split.UsersWithTestItems);
        Assert.Equal(8 + 5, split.Train.Length);
    }

    [Fact]
    public void Equal_timestamps_keep_log_order_and_dismissals_are_never_relevant()
    {
        var users = new IdIndex(["u"]);
        var items = new IdIndex(Enumerable.Range(0, 6).Select(i => $"i{i}"));
        Interaction[] events =
        [
            .. Enumerable.Range(0, 4).Select(i => new Interaction(0, i, 50, 1, InteractionKind.View)),
            new(0, 4, 50, 1, InteractionKind.View),
            new(0, 5, 50, 0, InteractionKind.Dismiss),
        ];
        var split = TemporalSplit.Create(new InteractionLog(users, items, events));
        // Six events: five train (items 0..4 in log order), the dismissal is the test part and is not relevant.
        Assert.Equal([0, 1, 2, 3, 4], split.TrainMatrix.UserItems(0).ToArray());
        Assert.True(split.TestItems(0).IsEmpty);
    }
}
