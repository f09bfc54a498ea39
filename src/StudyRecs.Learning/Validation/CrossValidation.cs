namespace StudyRecs.Learning.Validation;

/// <summary>
/// Splitters for model evaluation: k-fold, stratified k-fold (keeps class ratios per fold),
/// group k-fold (a group, e.g. one student's rows, never sits in train and test at once),
/// temporal split (test on the latest rows), and repetitions of any of them with fresh shuffles.
/// Every splitter is deterministic for a given seed.
/// </summary>
public static class CrossValidation
{
    /// <summary>Shuffled k-fold: every row is in exactly one test fold; fold sizes differ by at most one.</summary>
    public static IReadOnlyList<DataSplit> KFold(int rows, int folds, int seed, int repeat = 0)
    {
        CheckFolds(rows, folds);
        var order = Shuffled(rows, seed);
        var assignment = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            assignment[order[i]] = i % folds;
        }

        return FromAssignment(assignment, folds, repeat);
    }

    /// <summary>
    /// Stratified k-fold for class-index labels: each class's rows are shuffled and dealt over the
    /// folds in turn, so every fold keeps the overall class ratios (within one row per class).
    /// </summary>
    public static IReadOnlyList<DataSplit> StratifiedKFold(ReadOnlySpan<float> labels, int folds, int seed, int repeat = 0)
    {
        CheckFolds(labels.Length, folds);
        var random = new Random(seed);
        var byClass = new SortedDictionary<float, List<int>>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (!byClass.TryGetValue(labels[i], out var list))
            {
                byClass[labels[i]] = list = [];
            }

            list.Add(i);
        }

        var assignment = new int[labels.Length];
        var next = 0;
        foreach (var rows in byClass.Values)
        {
            var members = rows.ToArray();
            random.Shuffle(members);
            foreach (var row in members)
            {
                assignment[row] = next;
                next = (next + 1) % folds;
            }
        }

        return FromAssignment(assignment, folds, repeat);
    }

    /// <summary>
    /// Group k-fold: whole groups go to folds, largest groups first into the fold with the fewest
    /// rows so far (ties broken by a seeded shuffle of the groups).
    /// </summary>
    public static IReadOnlyList<DataSplit> GroupKFold<TGroup>(IReadOnlyList<TGroup> groups, int folds, int seed, int repeat = 0)
        where TGroup : notnull
    {
        var rowsByGroup = new Dictionary<TGroup, List<int>>();
        var groupOrder = new List<TGroup>();
        for (var i = 0; i < groups.Count; i++)
        {
            if (!rowsByGroup.TryGetValue(groups[i], out var list))
            {
                rowsByGroup[groups[i]] = list = [];
                groupOrder.Add(groups[i]);
            }

            list.Add(i);
        }

        if (rowsByGroup.Count < folds)
        {
            throw new ArgumentException($"Group k-fold needs at least as many groups ({rowsByGroup.Count}) as folds ({folds}).");
        }

        CheckFolds(groups.Count, folds);
        var shuffled = groupOrder.ToArray();
        new Random(seed).Shuffle(shuffled);
        var ordered = shuffled.Select((g, i) => (Group: g, Index: i)).OrderByDescending(x => rowsByGroup[x.Group].Count).ThenBy(x => x.Index);
        var foldSizes = new int[folds];
        var assignment = new int[groups.Count];
        foreach (var (group, _) in ordered)
        {
            var fold = 0;
            for (var f = 1; f < folds; f++)
            {
                if (foldSizes[f] < foldSizes[fold])
                {
                    fold = f;
                }
            }

            foreach (var row in rowsByGroup[group])
            {
                assignment[row] = fold;
            }

            foldSizes[fold] += rowsByGroup[group].Count;
        }

        return FromAssignment(assignment, folds, repeat);
    }

    /// <summary>
    /// Temporal split of rows already in time order: train on the first rows, test on the last
    /// round(fraction × rows).
    /// </summary>
    public static DataSplit TemporalSplit(int rows, double testFraction)
    {
        if (testFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be between 0 and 1.");
        }

        var test = (int)Math.Round(testFraction * rows, MidpointRounding.ToEven);
        if (test < 1 || test >= rows)
        {
            throw new ArgumentException($"A test fraction of {testFraction} leaves no rows for training or testing among {rows}.");
        }

        return new DataSplit(Enumerable.Range(0, rows - test).ToArray(), Enumerable.Range(rows - test, test).ToArray());
    }

    /// <summary>
    /// Temporal split by timestamp: the latest round(fraction × rows) rows form the test set
    /// (ties in time keep row order), so no training row is later than a test row.
    /// </summary>
    public static DataSplit TemporalSplit(ReadOnlySpan<long> timestamps, double testFraction)
    {
        var split = TemporalSplit(timestamps.Length, testFraction);
        var times = timestamps.ToArray();
        var order = Enumerable.Range(0, times.Length).OrderBy(i => times[i]).ThenBy(i => i).ToArray();
        var train = order[..split.Train.Length];
        var test = order[split.Train.Length..];
        Array.Sort(train);
        Array.Sort(test);
        return new DataSplit(train, test);
    }

    /// <summary>
    /// Runs a splitter <paramref name="repeats"/> times with seeds seed, seed+1, ...; every split is
    /// tagged with its repetition.
    /// </summary>
    /// <param name="repeats">Number of repetitions.</param>
    /// <param name="seed">Seed of the first repetition.</param>
    /// <param name="splitter">Makes the folds of one repetition from (seed, repeat).</param>
    public static IReadOnlyList<DataSplit> Repeated(int repeats, int seed, Func<int, int, IReadOnlyList<DataSplit>> splitter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        var all = new List<DataSplit>();
        for (var r = 0; r < repeats; r++)
        {
            all.AddRange(splitter(seed + r, r));
        }

        return all;
    }

    private static int[] Shuffled(int rows, int seed)
    {
        var order = Enumerable.Range(0, rows).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    private static void CheckFolds(int rows, int folds)
    {
        if (folds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(folds), folds, "Cross-validation needs at least 2 folds.");
        }

        if (rows < folds)
        {
            throw new ArgumentException($"Cannot make {folds} folds from {rows} rows.");
        }
    }

    private static DataSplit[] FromAssignment(int[] assignment, int folds, int repeat)
    {
        var splits = new DataSplit[folds];
        for (var f = 0; f < folds; f++)
        {
            var train = new List<int>(assignment.Length);
            var test = new List<int>(assignment.Length / folds + 1);
            for (var i = 0; i < assignment.Length; i++)
            {
                (assignment[i] == f ? test : train).Add(i);
            }

            splits[f] = new DataSplit([.. train], [.. test], repeat, f);
        }

        return splits;
    }
}
