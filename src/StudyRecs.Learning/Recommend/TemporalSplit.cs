namespace StudyRecs.Learning.Recommend;

/// <summary>
/// Per-student temporal hold-out: each student's events sorted by time (ties keep log order), the first ⌈0.8·n⌉
/// train and the rest test. Test items are the distinct resources of positive test events that the student had not
/// already interacted with or dismissed in training (those are excluded from rankings, so they could never be hit).
/// </summary>
public sealed class TemporalSplit
{
    private readonly int[] _testOffsets;
    private readonly int[] _testItems;

    private TemporalSplit(InteractionLog log, Interaction[] train, InteractionMatrix trainMatrix, int[] testOffsets, int[] testItems)
    {
        Log = log;
        Train = train;
        TrainMatrix = trainMatrix;
        _testOffsets = testOffsets;
        _testItems = testItems;
        var evaluated = 0;
        for (var u = 0; u < log.Users.Count; u++)
        {
            if (testOffsets[u + 1] > testOffsets[u])
            {
                evaluated++;
            }
        }

        UsersWithTestItems = evaluated;
    }

    /// <summary>The whole log.</summary>
    public InteractionLog Log { get; }

    /// <summary>The training events (dismissals included).</summary>
    public Interaction[] Train { get; }

    /// <summary>The training events as a matrix over the whole catalog.</summary>
    public InteractionMatrix TrainMatrix { get; }

    /// <summary>How many students have at least one test item.</summary>
    public int UsersWithTestItems { get; }

    /// <summary>A student's test items in increasing index order (empty for most short histories).</summary>
    public ReadOnlySpan<int> TestItems(int user) => _testItems.AsSpan(_testOffsets[user], _testOffsets[user + 1] - _testOffsets[user]);

    /// <summary>How many of a student's <paramref name="eventCount"/> events train: ⌈0.8·n⌉, in exact integer arithmetic.</summary>
    public static int TrainCount(int eventCount) => (int)(((4L * eventCount) + 4) / 5);

    /// <summary>Splits a log.</summary>
    public static TemporalSplit Create(InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var users = log.Users.Count;
        var events = log.Interactions;

        // Group event indexes by user (counting sort keeps log order inside a user).
        var offsets = new int[users + 1];
        foreach (var e in events)
        {
            offsets[e.User + 1]++;
        }

        for (var u = 0; u < users; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        var byUser = new int[events.Length];
        var next = offsets[..^1];
        for (var i = 0; i < events.Length; i++)
        {
            byUser[next[events[i].User]++] = i;
        }

        var isTrain = new bool[events.Length];
        var times = new long[events.Length];
        for (var u = 0; u < users; u++)
        {
            var slice = byUser.AsSpan(offsets[u], offsets[u + 1] - offsets[u]);
            var keys = times.AsSpan(0, slice.Length);
            for (var i = 0; i < slice.Length; i++)
            {
                keys[i] = events[slice[i]].Timestamp;
            }

            // Stable: equal timestamps keep their log order because indexes were grouped in log order.
            Span<int> order = slice.ToArray();
            MemoryExtensions.Sort(keys, order);
            StableTies(keys, order);
            var trainCount = TrainCount(slice.Length);
            for (var i = 0; i < trainCount; i++)
            {
                isTrain[order[i]] = true;
            }
        }

        var train = new List<Interaction>(events.Length);
        for (var i = 0; i < events.Length; i++)
        {
            if (isTrain[i])
            {
                train.Add(events[i]);
            }
        }

        var trainArray = train.ToArray();
        var matrix = InteractionMatrix.Build(users, log.Items.Count, trainArray);

        var testOffsets = new int[users + 1];
        var testItems = new List<int>();
        var seen = new HashSet<int>();
        for (var u = 0; u < users; u++)
        {
            seen.Clear();
            var start = testItems.Count;
            foreach (var i in byUser.AsSpan(offsets[u], offsets[u + 1] - offsets[u]))
            {
                var e = events[i];
                if (isTrain[i] || e.Kind == InteractionKind.Dismiss || !(e.Weight > 0)
                    || matrix.UserItems(u).BinarySearch(e.Item) >= 0 || matrix.DismissedItems(u).BinarySearch(e.Item) >= 0
                    || !seen.Add(e.Item))
                {
                    continue;
                }

                testItems.Add(e.Item);
            }

            testItems.Sort(start, testItems.Count - start, null);
            testOffsets[u + 1] = testItems.Count;
        }

        return new TemporalSplit(log, trainArray, matrix, testOffsets, [.. testItems]);
    }

    // Array sorting is unstable: within runs of equal timestamps, restore increasing log order.
    private static void StableTies(ReadOnlySpan<long> keys, Span<int> order)
    {
        var start = 0;
        for (var i = 1; i <= keys.Length; i++)
        {
            if (i == keys.Length || keys[i] != keys[start])
            {
                if (i - start > 1)
                {
                    order[start..i].Sort();
                }

                start = i;
            }
        }
    }
}
