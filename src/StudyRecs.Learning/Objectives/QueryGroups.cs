namespace StudyRecs.Learning.Objectives;

/// <summary>Boundaries of contiguous query groups, and NDCG over them.</summary>
internal static class QueryGroups
{
    /// <summary>Start row of each group plus a final end; rejects groups split into several runs.</summary>
    public static int[] Bounds(int[] groups)
    {
        var bounds = new List<int> { 0 };
        var seen = new HashSet<int>();
        for (var i = 0; i < groups.Length; i++)
        {
            if (i > 0 && groups[i] != groups[i - 1])
            {
                bounds.Add(i);
            }

            if ((i == 0 || groups[i] != groups[i - 1]) && !seen.Add(groups[i]))
            {
                throw new ArgumentException($"Rows of query group {groups[i]} are not contiguous; sort rows by group first.", nameof(groups));
            }
        }

        if (groups.Length > 0)
        {
            bounds.Add(groups.Length);
        }

        return [.. bounds];
    }

    /// <summary>Gain of a relevance grade: 2^label − 1.</summary>
    public static double Gain(float label) => Math.Pow(2, label) - 1;

    /// <summary>Position discount 1/log2(position + 2) for 0-based positions.</summary>
    public static double Discount(int position) => 1 / Math.Log2(position + 2);

    /// <summary>Ideal DCG@k of a group's labels.</summary>
    public static double IdealDcg(ReadOnlySpan<float> labels, int k)
    {
        var sorted = labels.ToArray();
        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        double dcg = 0;
        for (var i = 0; i < Math.Min(k, sorted.Length); i++)
        {
            dcg += Gain(sorted[i]) * Discount(i);
        }

        return dcg;
    }

    /// <summary>
    /// Mean NDCG@k over groups (groups whose ideal DCG is zero count as 1, as LightGBM does);
    /// ties in score keep row order.
    /// </summary>
    public static double MeanNdcg(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, int[] bounds, int k)
    {
        if (bounds.Length < 2)
        {
            return 0;
        }

        double total = 0;
        for (var q = 0; q + 1 < bounds.Length; q++)
        {
            var from = bounds[q];
            var count = bounds[q + 1] - from;
            var ideal = IdealDcg(labels.Slice(from, count), k);
            if (ideal <= 0)
            {
                total += 1;
                continue;
            }

            var order = RankOrder(scores.Slice(from, count));
            double dcg = 0;
            for (var i = 0; i < Math.Min(k, count); i++)
            {
                dcg += Gain(labels[from + order[i]]) * Discount(i);
            }

            total += dcg / ideal;
        }

        return total / (bounds.Length - 1);
    }

    /// <summary>Positions sorted by descending score, ties by position.</summary>
    public static int[] RankOrder(ReadOnlySpan<double> scores)
    {
        var order = new int[scores.Length];
        var keys = scores.ToArray();
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            var c = keys[b].CompareTo(keys[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        return order;
    }
}
