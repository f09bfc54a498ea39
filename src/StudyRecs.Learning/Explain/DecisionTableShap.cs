using System.Runtime.CompilerServices;
using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning.Explain;

/// <summary>
/// The decision tables of a model's small trees (<see cref="PathTableShap.TabulatesDecisions"/>) laid out side by side
/// in a few flat arrays, so explaining a row reads each tree's tests from one contiguous block and its contributions
/// from one row of one table, with no object per tree to reach; the row's way at each test is
/// computed with arithmetic rather than a branch (those ways are data, so a branch on them would be mispredicted about
/// half the time). Adds exactly what <see cref="PathTableShap.Accumulate(ReadOnlySpan{float}, Span{double})"/> adds, in the same order.
/// </summary>
internal sealed class DecisionTableShap
{
    /// <summary>Tests kept per tree (the most a tabulated tree has).</summary>
    private const int Stride = PathTableShap.MaxDecisionNodes;

    private readonly Test[] _tests;       // tree t's tests at t × Stride
    private readonly Entry[] _entries;    // per tree; ColumnCount < 0 when the tree has no decision table
    private readonly int[] _columns;      // the features of each tree's table columns
    private readonly double[] _contributions;

    private DecisionTableShap(Test[] tests, Entry[] entries, int[] columns, double[] contributions)
    {
        _tests = tests;
        _entries = entries;
        _columns = columns;
        _contributions = contributions;
    }

    /// <summary>The tables of the trees whose <paramref name="tables"/> tabulate decisions; the others are marked as not tabulated.</summary>
    public static DecisionTableShap Build(RegressionTree[] trees, PathTableShap?[] tables)
    {
        var tests = new Test[trees.Length * Stride];
        var entries = new Entry[trees.Length];
        var columns = new List<int>();
        var contributions = new List<double>();
        for (var t = 0; t < trees.Length; t++)
        {
            if (tables[t] is not { TabulatesDecisions: true } table)
            {
                entries[t] = new Entry(0, -1, 0, 0);
                continue;
            }

            var nodes = trees[t].Nodes;
            for (var i = 0; i < nodes.Length; i++)
            {
                tests[(t * Stride) + i] = new Test(nodes[i].MissingGoesLeft ? nodes[i].Feature | int.MinValue : nodes[i].Feature, nodes[i].Threshold);
            }

            entries[t] = new Entry(nodes.Length, table.DecisionFeatures.Length, columns.Count, contributions.Count);
            columns.AddRange(table.DecisionFeatures);
            contributions.AddRange(table.ByDecisions);
        }

        return new DecisionTableShap(tests, entries, [.. columns], [.. contributions]);
    }

    /// <summary>
    /// Adds tree <paramref name="tree"/>'s contributions for <paramref name="row"/> to <paramref name="phi"/> and
    /// returns true, or returns false (adding nothing) when the tree has no decision table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe bool TryAccumulate(int tree, ReadOnlySpan<float> row, Span<double> phi)
    {
        var entry = _entries[tree];
        if (entry.ColumnCount < 0)
        {
            return false;
        }

        fixed (Test* tests = &_tests[tree * Stride])
        fixed (float* x = row)
        {
            var decisions = 0;
            for (var i = 0; i < entry.TestCount; i++)
            {
                var featureAndDirection = tests[i].FeatureAndDirection;
                var value = x[featureAndDirection & int.MaxValue];

                // Left when value <= threshold, or when the value is missing and missing values go left.
                var left = (value <= tests[i].Threshold ? 1 : 0) | ((featureAndDirection >>> 31) & (float.IsNaN(value) ? 1 : 0));
                decisions |= left << i;
            }

            var count = entry.ColumnCount;
            var contributions = _contributions.AsSpan(entry.ContributionStart + (decisions * count), count);
            var columns = _columns.AsSpan(entry.ColumnStart, count);
            for (var j = 0; j < columns.Length; j++)
            {
                phi[columns[j]] += contributions[j];
            }
        }

        return true;
    }

    /// <summary>One test of a tree: the feature (sign bit set when missing values go left) and the threshold.</summary>
    private readonly record struct Test(int FeatureAndDirection, float Threshold);

    /// <summary>A tree's number of tests, its table's width (negative: no table) and where its columns and table start.</summary>
    private readonly record struct Entry(int TestCount, int ColumnCount, int ColumnStart, int ContributionStart);
}
