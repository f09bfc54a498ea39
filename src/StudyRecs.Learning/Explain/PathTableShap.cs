using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning.Explain;

/// <summary>
/// Exact path-dependent TreeSHAP for one tree with per-leaf tables, computed once per model, so that explaining a
/// row costs one pass over the tree plus O(d) table look-ups per leaf instead of Algorithm 2's O(d²) path algebra
/// (the idea of Yang's "Fast TreeSHAP" v2, 2021, in a simpler form).
/// <para>
/// For a leaf with value v, unique path features P (d of them) with zero fractions z_j (products of cover ratios along
/// the path) and one fractions o_j ∈ {0, 1} (the row takes every split on j towards the leaf), the leaf adds to
/// feature i: v·(o_i − z_i)·Σ_{S ⊆ H∖{i}} W(|S|, d)·Π_{j ∈ P∖S∖{i}} z_j, with H the features whose o_j is 1 and
/// W(s, d) = s!(d−s−1)!/d!. Factoring Z = Π_P z_j out gives v·Z·(o_i − z_i)/z_i·A(H∖{i}) with
/// A(M) = Σ_{S ⊆ M} W(|S|, d)/Π_S z_j, tabulated for every subset M of P. A tree with a path of more than
/// <see cref="MaxPathFeatures"/> unique features, or a zero cover, is left to the exact recursion (<see cref="Build"/>
/// returns null).
/// </para>
/// <para>
/// A small tree goes further: its contributions depend on the row only through which way the row goes at each of its m
/// internal nodes, so for m up to <see cref="MaxDecisionNodes"/> they are computed once for each of the 2^m ways
/// (from the tables above) and explaining a row costs m comparisons and one look-up.
/// </para>
/// </summary>
internal sealed class PathTableShap
{
    /// <summary>Longest unique-feature path tabulated (2^d entries per leaf).</summary>
    public const int MaxPathFeatures = 12;

    /// <summary>Most internal nodes of a tree whose contributions are tabulated per combination of its decisions.</summary>
    public const int MaxDecisionNodes = 7;

    private readonly TreeNode[] _nodes;
    private readonly int[] _nodeBit;          // 1 << the node's feature's position in its path's unique-feature list
    private readonly bool[] _nodeRepeats;     // the feature was already tested higher on the path
    private readonly int[] _leafStart;        // into _leafTerms
    private readonly int[] _leafDepth;
    private readonly LeafTerm[] _leafTerms;
    private readonly int[] _tableStart;
    private readonly double[] _tables;
    private readonly int _depth;              // longest root-to-leaf path, in internal nodes
    private readonly int[]? _features;        // a small tree's features, in the order of _byDecisions' columns
    private readonly double[]? _byDecisions;  // per combination of decisions (bit i: node i sends the row left), the contributions

    private PathTableShap(RegressionTree tree, int[] nodeBit, bool[] nodeRepeats, int[] leafStart, int[] leafDepth, LeafTerm[] leafTerms, int[] tableStart, double[] tables)
    {
        _nodes = tree.Nodes;
        _nodeBit = nodeBit;
        _nodeRepeats = nodeRepeats;
        _leafStart = leafStart;
        _leafDepth = leafDepth;
        _leafTerms = leafTerms;
        _tableStart = tableStart;
        _tables = tables;
        _depth = tree.Depth();
        if (_nodes.Length <= MaxDecisionNodes)
        {
            (_features, _byDecisions) = TabulateDecisions();
        }
    }

    /// <summary>The tables of <paramref name="tree"/>, or null when it must be explained by the exact recursion.</summary>
    public static PathTableShap? Build(RegressionTree tree)
    {
        var leaves = tree.LeafValues.Length;
        var nodes = tree.Nodes.Length;
        if (nodes == 0)
        {
            return null;
        }

        var nodeBit = new int[nodes];
        var nodeRepeats = new bool[nodes];
        var leafStart = new int[leaves];
        var leafDepth = new int[leaves];
        var leafTerms = new List<LeafTerm>();
        var tableStart = new int[leaves];
        var tables = new List<double>();
        var pathFeatures = new List<int>();
        var pathZero = new List<double>();
        var ok = true;

        void Visit(int node)
        {
            if (!ok)
            {
                return;
            }

            if (node < 0)
            {
                var leaf = ~node;
                var d = pathFeatures.Count;
                if (d > MaxPathFeatures)
                {
                    ok = false;
                    return;
                }

                leafStart[leaf] = leafTerms.Count;
                leafDepth[leaf] = d;
                double z = 1;
                foreach (var zj in pathZero)
                {
                    z *= zj;
                }

                // The leaf adds v·Z·(o_i − z_i)/z_i·A(H∖{i}) to feature i: the factor before A, for o_i = 1 and o_i = 0.
                var scale = tree.LeafValues[leaf] * z;
                for (var i = 0; i < d; i++)
                {
                    var zi = pathZero[i];
                    leafTerms.Add(new LeafTerm(pathFeatures[i], scale * (1.0 - zi) / zi, scale * (0.0 - zi) / zi));
                }

                tableStart[leaf] = tables.Count;
                AppendTable(tables, pathZero);
                return;
            }

            var n = tree.Nodes[node];
            var cover = tree.NodeCovers[node];
            var position = pathFeatures.IndexOf(n.Feature);
            var repeats = position >= 0;
            if (!repeats)
            {
                position = pathFeatures.Count;
                pathFeatures.Add(n.Feature);
                pathZero.Add(1);
            }

            nodeBit[node] = 1 << position;
            nodeRepeats[node] = repeats;
            var before = pathZero[position];
            foreach (var child in (ReadOnlySpan<int>)[n.Left, n.Right])
            {
                var childCover = child < 0 ? tree.LeafCovers[~child] : tree.NodeCovers[child];
                if (!(cover > 0) || !(childCover > 0))
                {
                    ok = false;
                    return;
                }

                pathZero[position] = before * childCover / cover;
                Visit(child);
            }

            pathZero[position] = before;
            if (!repeats)
            {
                pathFeatures.RemoveAt(position);
                pathZero.RemoveAt(position);
            }
        }

        Visit(0);
        return ok
            ? new PathTableShap(tree, nodeBit, nodeRepeats, leafStart, leafDepth, [.. leafTerms], tableStart, [.. tables])
            : null;
    }

    /// <summary>Whether the contributions were computed for every combination of the tree's decisions (a small tree).</summary>
    public bool TabulatesDecisions => _byDecisions is not null;

    /// <summary>A small tree's features, in the order of <see cref="ByDecisions"/>' columns (empty for other trees).</summary>
    public ReadOnlySpan<int> DecisionFeatures => _features;

    /// <summary>
    /// A small tree's contributions per combination of its decisions (bit i set: internal node i sends the row left),
    /// one row of <see cref="DecisionFeatures"/>' length per combination (empty for other trees).
    /// </summary>
    public ReadOnlySpan<double> ByDecisions => _byDecisions;

    /// <summary>Adds the tree's contributions for <paramref name="row"/> to <paramref name="phi"/> (one per feature).</summary>
    public void Accumulate(ReadOnlySpan<float> row, Span<double> phi)
    {
        if (_byDecisions is not { } byDecisions)
        {
            Accumulate(row, decisions: -1, phi);
            return;
        }

        var nodes = _nodes;
        var decisions = 0;
        for (var i = 0; i < nodes.Length; i++)
        {
            var n = nodes[i];
            decisions |= n.Next(row[n.Feature]) == n.Left ? 1 << i : 0;
        }

        var features = _features!;
        var contributions = byDecisions.AsSpan(decisions * features.Length, features.Length);
        for (var j = 0; j < features.Length; j++)
        {
            phi[features[j]] += contributions[j];
        }
    }

    /// <summary>
    /// The contributions of <paramref name="row"/>, or with <paramref name="decisions"/> ≥ 0 of a row that goes left at
    /// node i exactly when bit i is set, added to <paramref name="phi"/>.
    /// </summary>
    private void Accumulate(ReadOnlySpan<float> row, int decisions, Span<double> phi)
    {
        // Depth first without recursion: follow the row's (hot) branch down to a leaf, leaving the other (cold) branch
        // with its mask on a stack; a path holds at most one pending branch per internal node.
        Span<(int Node, int Mask)> pending = _depth < 64 ? stackalloc (int, int)[_depth + 1] : new (int, int)[_depth + 1];
        var top = 0;
        var node = 0;
        var hotMask = 0;
        var nodes = _nodes;
        while (true)
        {
            while (node >= 0)
            {
                var n = nodes[node];
                var hot = decisions < 0 ? n.Next(row[n.Feature]) : (decisions & (1 << node)) != 0 ? n.Left : n.Right;
                var bit = _nodeBit[node];
                pending[top++] = (hot == n.Left ? n.Right : n.Left, hotMask & ~bit);
                if (!_nodeRepeats[node])
                {
                    hotMask |= bit;
                }

                node = hot;
            }

            var leaf = ~node;
            var d = _leafDepth[leaf];
            var terms = _leafTerms.AsSpan(_leafStart[leaf], d);
            var table = _tables.AsSpan(_tableStart[leaf], 1 << d);
            for (var i = 0; i < terms.Length; i++)
            {
                var bit = 1 << i;
                ref readonly var term = ref terms[i];
                phi[term.Feature] += ((hotMask & bit) != 0 ? term.Hot : term.Cold) * table[hotMask & ~bit];
            }

            if (top == 0)
            {
                return;
            }

            (node, hotMask) = pending[--top];
        }
    }

    /// <summary>A small tree's contributions for every combination of its decisions, over the features it splits on.</summary>
    private (int[] Features, double[] ByDecisions) TabulateDecisions()
    {
        var features = _nodes.Select(n => n.Feature).Distinct().Order().ToArray();
        var phi = new double[features[^1] + 1];
        var combinations = 1 << _nodes.Length;
        var byDecisions = new double[combinations * features.Length];
        for (var decisions = 0; decisions < combinations; decisions++)
        {
            Array.Clear(phi);
            Accumulate([], decisions, phi);
            for (var j = 0; j < features.Length; j++)
            {
                byDecisions[(decisions * features.Length) + j] = phi[features[j]];
            }
        }

        return (features, byDecisions);
    }

    /// <summary>One unique feature of a leaf's path: its column and the leaf's factor before A, as the row goes its way (hot) or not (cold) on it.</summary>
    private readonly record struct LeafTerm(int Feature, double Hot, double Cold);

    /// <summary>Appends A(M) for every subset M of the path (bit j = path feature j).</summary>
    private static void AppendTable(List<double> tables, List<double> zero)
    {
        var d = zero.Count;
        var size = 1 << d;
        if (d == 0)
        {
            tables.Add(0);
            return;
        }

        // W(s, d) = s!(d-s-1)!/d! for s = 0..d-1.
        var weights = new double[d];
        for (var s = 0; s < d; s++)
        {
            double w = 1.0 / d;
            for (var k = 1; k <= s; k++)
            {
                w *= (double)k / (d - k);
            }

            weights[s] = w;
        }

        // sums[M·d + s] = Σ over S ⊆ M with |S| = s of Π_S 1/z_j, built from M without its lowest bit.
        var sums = new double[size * d];
        sums[0] = 1;
        for (var m = 1; m < size; m++)
        {
            var low = System.Numerics.BitOperations.TrailingZeroCount(m);
            var rest = m & (m - 1);
            var inverse = 1 / zero[low];
            for (var s = 0; s < d; s++)
            {
                sums[(m * d) + s] = sums[(rest * d) + s] + (s > 0 ? sums[(rest * d) + s - 1] * inverse : 0);
            }
        }

        for (var m = 0; m < size; m++)
        {
            double a = 0;
            for (var s = 0; s < d; s++)
            {
                a += weights[s] * sums[(m * d) + s];
            }

            tables.Add(a);
        }
    }
}
