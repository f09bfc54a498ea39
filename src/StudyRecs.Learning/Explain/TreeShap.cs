using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning.Explain;

/// <summary>
/// Exact SHAP values of one tree for one row: Lundberg, Erion &amp; Lee (2018), Algorithm 2,
/// O(L·D²) per tree. Keeps the path of unique features from the root with, for each, the
/// fraction of "zero" paths (feature unknown: cover-weighted) and "one" paths (feature known:
/// the row's own direction), and the permutation weights of every subset size.
/// </summary>
internal sealed class TreeShap
{
    private readonly int[] _feature;
    private readonly double[] _zero;
    private readonly double[] _one;
    private readonly double[] _weight;
    private RegressionTree _tree = null!;
    private float[] _row = [];

    public TreeShap(int maxDepth)
    {
        MaxDepth = maxDepth;
        // Each recursion level copies its parent's path into its own slice after the parent's.
        var size = (maxDepth + 4) * (maxDepth + 4);
        _feature = new int[size];
        _zero = new double[size];
        _one = new double[size];
        _weight = new double[size];
    }

    /// <summary>The deepest tree this workspace can explain.</summary>
    public int MaxDepth { get; }

    /// <summary>Sets the row the following <see cref="Accumulate"/> calls explain (copied into a reused buffer).</summary>
    public void Begin(ReadOnlySpan<float> row)
    {
        if (_row.Length != row.Length)
        {
            _row = new float[row.Length];
        }

        row.CopyTo(_row);
    }

    /// <summary>Adds the tree's contributions for the current row to <paramref name="phi"/> (one per feature).</summary>
    public void Accumulate(RegressionTree tree, Span<double> phi)
    {
        if (tree.Nodes.Length == 0)
        {
            return;
        }

        _tree = tree;
        Recurse(0, phi, 0, 0, 1, 1, -1);
    }

    private void Recurse(int node, Span<double> phi, int depth, int parentStart, double zeroFraction, double oneFraction, int feature)
    {
        // This level's path starts after the parent's, whose first `depth` entries it inherits.
        var start = parentStart + depth + 1;
        if (depth > 0)
        {
            Array.Copy(_feature, parentStart, _feature, start, depth);
            Array.Copy(_zero, parentStart, _zero, start, depth);
            Array.Copy(_one, parentStart, _one, start, depth);
            Array.Copy(_weight, parentStart, _weight, start, depth);
        }

        Extend(start, depth, zeroFraction, oneFraction, feature);

        if (node < 0)
        {
            var value = _tree.LeafValues[~node];
            for (var i = 1; i <= depth; i++)
            {
                var w = UnwoundSum(start, depth, i);
                phi[_feature[start + i]] += w * (_one[start + i] - _zero[start + i]) * value;
            }

            return;
        }

        var n = _tree.Nodes[node];
        var hot = n.Next(_row[n.Feature]);
        var cold = hot == n.Left ? n.Right : n.Left;
        var cover = _tree.NodeCovers[node];
        var hotZero = Cover(hot) / cover;
        var coldZero = Cover(cold) / cover;
        double incomingZero = 1, incomingOne = 1;
        var uniqueDepth = depth;
        for (var i = 0; i <= depth; i++)
        {
            if (_feature[start + i] == n.Feature)
            {
                incomingZero = _zero[start + i];
                incomingOne = _one[start + i];
                Unwind(start, depth, i);
                uniqueDepth--;
                break;
            }
        }

        Recurse(hot, phi, uniqueDepth + 1, start, hotZero * incomingZero, incomingOne, n.Feature);
        Recurse(cold, phi, uniqueDepth + 1, start, coldZero * incomingZero, 0, n.Feature);
    }

    private double Cover(int child) => child < 0 ? _tree.LeafCovers[~child] : _tree.NodeCovers[child];

    private void Extend(int start, int depth, double zeroFraction, double oneFraction, int feature)
    {
        _feature[start + depth] = feature;
        _zero[start + depth] = zeroFraction;
        _one[start + depth] = oneFraction;
        _weight[start + depth] = depth == 0 ? 1 : 0;
        for (var i = depth - 1; i >= 0; i--)
        {
            _weight[start + i + 1] += oneFraction * _weight[start + i] * (i + 1) / (depth + 1);
            _weight[start + i] = zeroFraction * _weight[start + i] * (depth - i) / (depth + 1);
        }
    }

    private void Unwind(int start, int depth, int index)
    {
        var one = _one[start + index];
        var zero = _zero[start + index];
        var next = _weight[start + depth];
        for (var i = depth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var tmp = _weight[start + i];
                _weight[start + i] = next * (depth + 1) / ((i + 1) * one);
                next = tmp - (_weight[start + i] * zero * (depth - i) / (depth + 1));
            }
            else
            {
                _weight[start + i] = _weight[start + i] * (depth + 1) / (zero * (depth - i));
            }
        }

        for (var i = index; i < depth; i++)
        {
            _feature[start + i] = _feature[start + i + 1];
            _zero[start + i] = _zero[start + i + 1];
            _one[start + i] = _one[start + i + 1];
        }
    }

    private double UnwoundSum(int start, int depth, int index)
    {
        var one = _one[start + index];
        var zero = _zero[start + index];
        var next = _weight[start + depth];
        double total = 0;
        for (var i = depth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var tmp = next * (depth + 1) / ((i + 1) * one);
                total += tmp;
                next = _weight[start + i] - (tmp * zero * (depth - i) / (depth + 1));
            }
            else if (zero != 0)
            {
                total += _weight[start + i] / zero / ((double)(depth - i) / (depth + 1));
            }
        }

        return total;
    }
}
