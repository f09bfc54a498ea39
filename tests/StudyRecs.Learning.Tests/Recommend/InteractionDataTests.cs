using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class InteractionDataTests
{
    [Fact]
    public void Merges_events_of_a_pair_and_keeps_dismissals_apart()
    {
        Interaction[] events =
        [
            new(0, 2, 100, 1, InteractionKind.View),
            new(0, 2, 300, 4, InteractionKind.Complete),
            new(0, 1, 200, 2, InteractionKind.Click),
            new(1, 2, 50, 3, InteractionKind.Like),
            new(1, 0, 60, 0, InteractionKind.Dismiss),
        ];
        var m = InteractionMatrix.Build(2, 3, events);
        Assert.Equal([1, 2], m.UserItems(0).ToArray());
        Assert.Equal([2f, 5f], m.UserWeights(0).ToArray());
        Assert.Equal([200L, 300L], m.UserTimestamps(0).ToArray());
        Assert.Equal([0, 1], m.ItemUsers(2).ToArray());
        Assert.Equal([5f, 3f], m.ItemWeights(2).ToArray());
        Assert.True(m.ItemUsers(0).IsEmpty);
        Assert.Equal([0], m.DismissedItems(1).ToArray());
        Assert.Equal(300, m.MaxTimestamp);
    }

    [Fact]
    public void Confidence_orders_complete_over_like_over_click_over_view()
    {
        Assert.True(InteractionKinds.DefaultWeight(InteractionKind.Complete) > InteractionKinds.DefaultWeight(InteractionKind.Like));
        Assert.True(InteractionKinds.DefaultWeight(InteractionKind.Like) > InteractionKinds.DefaultWeight(InteractionKind.Click));
        Assert.True(InteractionKinds.DefaultWeight(InteractionKind.Click) > InteractionKinds.DefaultWeight(InteractionKind.View));
        Assert.Equal(0f, InteractionKinds.DefaultWeight(InteractionKind.Dismiss));
        Assert.True(InteractionKinds.TryParse("Completed", out var kind));
        Assert.Equal(InteractionKind.Complete, kind);
        Assert.False(InteractionKinds.TryParse("purchase", out _));
    }

    [Fact]
    public void Id_index_maps_ids_in_first_seen_order_from_strings_and_spans()
    {
        var index = new IdIndex();
        Assert.Equal(0, index.GetOrAdd("b"));
        Assert.Equal(1, index.GetOrAdd("a".AsSpan()));
        Assert.Equal(0, index.GetOrAdd("b".AsSpan()));
        Assert.Equal("a", index[1]);
        Assert.False(index.TryGetIndex("c", out _));
        Assert.Throws<ArgumentException>(() => new IdIndex(["x", "x"]));
    }
}
