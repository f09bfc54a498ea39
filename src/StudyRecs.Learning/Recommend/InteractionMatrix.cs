namespace StudyRecs.Learning.Recommend;

/// <summary>
/// Users × items implicit-feedback matrix in compressed sparse rows both ways (user → items and item → users).
/// Events of the same user and item are merged: weights add up and the latest timestamp is kept.
/// Dismissed items are kept apart: they are never positives and are excluded from recommendations.
/// </summary>
public sealed class InteractionMatrix
{
    private readonly int[] _userOffsets;
    private readonly int[] _userItems;
    private readonly float[] _userWeights;
    private readonly long[] _userTimes;
    private readonly int[] _itemOffsets;
    private readonly int[] _itemUsers;
    private readonly float[] _itemWeights;
    private readonly int[] _dismissOffsets;
    private readonly int[] _dismissItems;

    private InteractionMatrix(int users, int items, int[] userOffsets, int[] userItems, float[] userWeights, long[] userTimes, int[] dismissOffsets, int[] dismissItems)
    {
        UserCount = users;
        ItemCount = items;
        _userOffsets = userOffsets;
        _userItems = userItems;
        _userWeights = userWeights;
        _userTimes = userTimes;
        _dismissOffsets = dismissOffsets;
        _dismissItems = dismissItems;

        // Transpose by counting sort: item rows list users in increasing order.
        _itemOffsets = new int[items + 1];
        foreach (var i in userItems)
        {
            _itemOffsets[i + 1]++;
        }

        for (var i = 0; i < items; i++)
        {
            _itemOffsets[i + 1] += _itemOffsets[i];
        }

        _itemUsers = new int[userItems.Length];
        _itemWeights = new float[userItems.Length];
        var next = _itemOffsets[..^1];
        for (var u = 0; u < users; u++)
        {
            for (var p = userOffsets[u]; p < userOffsets[u + 1]; p++)
            {
                var slot = next[userItems[p]]++;
                _itemUsers[slot] = u;
                _itemWeights[slot] = userWeights[p];
            }
        }

        MaxTimestamp = userTimes.Length == 0 ? 0 : userTimes.Max();
    }

    /// <summary>Number of users (rows).</summary>
    public int UserCount { get; }

    /// <summary>Number of items (columns), the whole catalog including items nobody touched.</summary>
    public int ItemCount { get; }

    /// <summary>Number of stored (user, item) positives.</summary>
    public int NonZeroCount => _userItems.Length;

    /// <summary>Latest timestamp in the matrix (Unix seconds); 0 when empty.</summary>
    public long MaxTimestamp { get; }

    /// <summary>The items a user interacted with positively, in increasing index order.</summary>
    public ReadOnlySpan<int> UserItems(int user) => _userItems.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);

    /// <summary>The merged confidence weights aligned with <see cref="UserItems"/>.</summary>
    public ReadOnlySpan<float> UserWeights(int user) => _userWeights.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);

    /// <summary>The latest timestamps aligned with <see cref="UserItems"/>.</summary>
    public ReadOnlySpan<long> UserTimestamps(int user) => _userTimes.AsSpan(_userOffsets[user], _userOffsets[user + 1] - _userOffsets[user]);

    /// <summary>The users who interacted positively with an item, in increasing index order.</summary>
    public ReadOnlySpan<int> ItemUsers(int item) => _itemUsers.AsSpan(_itemOffsets[item], _itemOffsets[item + 1] - _itemOffsets[item]);

    /// <summary>The merged confidence weights aligned with <see cref="ItemUsers"/>.</summary>
    public ReadOnlySpan<float> ItemWeights(int item) => _itemWeights.AsSpan(_itemOffsets[item], _itemOffsets[item + 1] - _itemOffsets[item]);

    /// <summary>Items the user dismissed, in increasing index order.</summary>
    public ReadOnlySpan<int> DismissedItems(int user) => _dismissItems.AsSpan(_dismissOffsets[user], _dismissOffsets[user + 1] - _dismissOffsets[user]);

    /// <summary>Builds the matrix from events; indexes must be below <paramref name="userCount"/> and <paramref name="itemCount"/>.</summary>
    public static InteractionMatrix Build(int userCount, int itemCount, ReadOnlySpan<Interaction> interactions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        var positives = new List<long>(interactions.Length);
        var positiveIndex = new List<int>(interactions.Length);
        var dismissed = new List<long>();
        for (var e = 0; e < interactions.Length; e++)
        {
            var x = interactions[e];
            if ((uint)x.User >= (uint)userCount || (uint)x.Item >= (uint)itemCount)
            {
                throw new ArgumentException($"Interaction {e} refers to user {x.User} or item {x.Item} outside the matrix.", nameof(interactions));
            }

            var key = ((long)x.User << 32) | (uint)x.Item;
            if (x.Kind == InteractionKind.Dismiss)
            {
                dismissed.Add(key);
            }
            else if (x.Weight > 0 && float.IsFinite(x.Weight))
            {
                positives.Add(key);
                positiveIndex.Add(e);
            }
        }

        var keys = positives.ToArray();
        var order = positiveIndex.ToArray();
        Array.Sort(keys, order);

        var userOffsets = new int[userCount + 1];
        var items = new List<int>(keys.Length);
        var weights = new List<float>(keys.Length);
        var times = new List<long>(keys.Length);
        for (var p = 0; p < keys.Length;)
        {
            var key = keys[p];
            float w = 0;
            long t = long.MinValue;
            for (; p < keys.Length && keys[p] == key; p++)
            {
                var x = interactions[order[p]];
                w += x.Weight;
                t = Math.Max(t, x.Timestamp);
            }

            userOffsets[(int)(key >> 32) + 1]++;
            items.Add((int)(key & 0xFFFFFFFF));
            weights.Add(w);
            times.Add(t);
        }

        for (var u = 0; u < userCount; u++)
        {
            userOffsets[u + 1] += userOffsets[u];
        }

        var dismissKeys = dismissed.Distinct().Order().ToArray();
        var dismissOffsets = new int[userCount + 1];
        var dismissItems = new int[dismissKeys.Length];
        for (var d = 0; d < dismissKeys.Length; d++)
        {
            dismissOffsets[(int)(dismissKeys[d] >> 32) + 1]++;
            dismissItems[d] = (int)(dismissKeys[d] & 0xFFFFFFFF);
        }

        for (var u = 0; u < userCount; u++)
        {
            dismissOffsets[u + 1] += dismissOffsets[u];
        }

        return new InteractionMatrix(userCount, itemCount, userOffsets, [.. items], [.. weights], [.. times], dismissOffsets, dismissItems);
    }

    /// <summary>Builds the matrix of a whole log.</summary>
    public static InteractionMatrix Build(InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return Build(log.Users.Count, log.Items.Count, log.Interactions);
    }
}
