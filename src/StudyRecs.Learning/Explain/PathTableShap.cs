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
/// </summary>
internal sealed class PathTableShap
{
    /// <summary>Longest unique-feature path tabulated (2^d entries per leaf).</summary>
    public const int MaxPathFeatures = 12;

    private readonly RegressionTree _tree;
    private readonly int[] _nodePosition;     // position of the node's feature in its path's unique-feature list
    private readonly bool[] _nodeRepeats;     // the feature was already tested higher on the path
    private readonly int[] _leafStart;        // into _leafFeatures / _leafCoefficientZ
    private readonly int[] _leafDepth;
    private readonly int[] _leafFeatures;
    private readonly double[] _leafZero;
    private readonly double[] _leafScale;     // v·Z
    private readonly int[] _tableStart;
    private readonly double[] _tables;

    private PathTableShap(RegressionTree tree, int[] nodePosition, bool[] nodeRepeats, int[] leafStart, int[] leafDepth, int[] leafFeatures, double[] leafZero, double[] leafScale, int[] tableStart, double[] tables)
    {
        _tree = tree;
        _nodePosition = nodePosition;
        _nodeRepeats = nodeRepeats;
        _leafStart = leafStart;
        _leafDepth = leafDepth;
        _leafFeatures = leafFeatures;
        _leafZero = leafZero;
        _leafScale = leafScale;
        _tableStart = tableStart;
        _tables = tables;
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

        var nodePosition = new int[nodes];
        var nodeRepeats = new bool[nodes];
        var leafStart = new int[leaves];
        var leafDepth = new int[leaves];
        var leafFeatures = new List<int>();
        var leafZero = new List<double>();
        var leafScale = new double[leaves];
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

                leafStart[leaf] = leafFeatures.Count;
                leafDepth[leaf] = d;
                leafFeatures.AddRange(pathFeatures);
                leafZero.AddRange(pathZero);
                double z = 1;
                foreach (var zj in pathZero)
                {
                    z *= zj;
                }

                leafScale[leaf] = tree.LeafValues[leaf] * z;
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

            nodePosition[node] = position;
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
            ? new PathTableShap(tree, nodePosition, nodeRepeats, leafStart, leafDepth, [.. leafFeatures], [.. leafZero], leafScale, tableStart, [.. tables])
            : null;
    }

    /// <summary>Adds the tree's contributions for <paramref name="row"/> to <paramref name="phi"/> (one per feature).</summary>
    public void Accumulate(ReadOnlySpan<float> row, Span<double> phi) => Visit(0, 0, row, phi);

    private void Visit(int node, int hotMask, ReadOnlySpan<float> row, Span<double> phi)
    {
        if (node < 0)
        {
            var leaf = ~node;
            var d = _leafDepth[leaf];
            var start = _leafStart[leaf];
            var table = _tables.AsSpan(_tableStart[leaf], 1 << d);
            var scale = _leafScale[leaf];
            for (var i = 0; i < d; i++)
            {
                var bit = 1 << i;
                var z = _leafZero[start + i];
                var one = (hotMask & bit) != 0 ? 1.0 : 0.0;
                phi[_leafFeatures[start + i]] += scale * (one - z) / z * table[hotMask & ~bit];
            }

            return;
        }

        var n = _tree.Nodes[node];
        var hot = n.Next(row[n.Feature]);
        var positionBit = 1 << _nodePosition[node];
        var hotChildMask = _nodeRepeats[node] ? hotMask : hotMask | positionBit;
        var coldChildMask = hotMask & ~positionBit;
        Visit(hot, hotChildMask, row, phi);
        Visit(hot == n.Left ? n.Right : n.Left, coldChildMask, row, phi);
    }

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
