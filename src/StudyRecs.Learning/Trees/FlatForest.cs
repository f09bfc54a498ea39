using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StudyRecs.Learning.Trees;

/// <summary>
/// Every tree of a model in one node array, for batch prediction. Each tree's leaves follow its
/// internal nodes and are nodes whose two children are themselves, so the rows of a block step
/// down a tree side by side without asking whether each row has arrived: a step picks the child
/// with arithmetic instead of a branch (no mispredictions), the rows' independent loads overlap,
/// and every row takes the tree's depth in steps (rows that arrive early stay on their leaf).
/// One row walks <see cref="RowLanes"/> trees side by side the same way, so its trees' node loads
/// overlap instead of each waiting for the previous tree's path.
/// Predictions equal <see cref="RegressionTree.Predict"/> exactly.
/// </summary>
internal sealed class FlatForest
{
    /// <summary>Rows walked through a tree together.</summary>
    public const int BlockRows = 64;

    /// <summary>Trees one row walks side by side.</summary>
    public const int RowLanes = 8;

    private readonly Node[] _nodes;
    private readonly double[] _values;
    private readonly int[] _roots;
    private readonly int[] _depths;

    /// <summary>Per run of <see cref="RowLanes"/> consecutive trees, the deepest one's depth.</summary>
    private readonly int[] _laneDepths;

    private FlatForest(Node[] nodes, double[] values, int[] roots, int[] depths)
    {
        _nodes = nodes;
        _values = values;
        _roots = roots;
        _depths = depths;
        _laneDepths = new int[roots.Length / RowLanes];
        for (var t = 0; t < _laneDepths.Length * RowLanes; t++)
        {
            _laneDepths[t / RowLanes] = Math.Max(_laneDepths[t / RowLanes], depths[t]);
        }
    }

    public static FlatForest Create(RegressionTree[] trees)
    {
        var total = 0;
        foreach (var tree in trees)
        {
            total += tree.Nodes.Length + tree.LeafCount;
        }

        var nodes = new Node[total];
        var values = new double[total];
        var roots = new int[trees.Length];
        var depths = new int[trees.Length];
        var next = 0;
        for (var t = 0; t < trees.Length; t++)
        {
            var tree = trees[t];
            var internalCount = tree.Nodes.Length;
            var firstLeaf = next + internalCount;
            int Global(int child) => child >= 0 ? next + child : firstLeaf + ~child;
            for (var i = 0; i < internalCount; i++)
            {
                var n = tree.Nodes[i];
                nodes[next + i] = new Node(n.MissingGoesLeft ? n.Feature | int.MinValue : n.Feature, n.Threshold, Global(n.Left), Global(n.Right));
            }

            for (var l = 0; l < tree.LeafCount; l++)
            {
                nodes[firstLeaf + l] = new Node(0, 0, firstLeaf + l, firstLeaf + l);
                values[firstLeaf + l] = tree.LeafValues[l];
            }

            roots[t] = internalCount > 0 ? next : firstLeaf;
            depths[t] = tree.Depth();
            next += internalCount + tree.LeafCount;
        }

        return new FlatForest(nodes, values, roots, depths);
    }

    /// <summary>
    /// Adds each tree's output to <paramref name="result"/>[row × <paramref name="outputs"/> + tree mod outputs]
    /// for up to <see cref="BlockRows"/> consecutive rows of a row-major matrix, tree after tree.
    /// </summary>
    /// <param name="values">Row-major feature values of the block's rows.</param>
    /// <param name="columns">Features per row.</param>
    /// <param name="rows">Rows in the block.</param>
    /// <param name="outputs">Outputs per row (trees cycle through them).</param>
    /// <param name="result">The block's outputs, row-major.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void AddBlock(ReadOnlySpan<float> values, int columns, int rows, int outputs, Span<double> result)
    {
        if (rows > BlockRows || values.Length < rows * columns || result.Length < rows * outputs)
        {
            throw new ArgumentException("The block does not fit.", nameof(rows));
        }

        var at = stackalloc int[BlockRows];
        fixed (Node* nodes = _nodes)
        fixed (double* leafValues = _values)
        fixed (float* x = values)
        fixed (double* output = result)
        {
            for (var t = 0; t < _roots.Length; t++)
            {
                var root = _roots[t];
                for (var i = 0; i < rows; i++)
                {
                    at[i] = root;
                }

                for (var step = _depths[t]; step > 0; step--)
                {
                    var row = x;
                    for (var i = 0; i < rows; i++, row += columns)
                    {
                        at[i] = Step(nodes, row, at[i]);
                    }
                }

                var k = t % outputs;
                for (var i = 0; i < rows; i++)
                {
                    output[(i * outputs) + k] += leafValues[at[i]];
                }
            }
        }
    }

    /// <summary>
    /// Adds every tree's output for one row to <paramref name="raw"/>[tree mod raw.Length], in tree
    /// order (with one output, the trees' sum is formed first and then added, as
    /// <see cref="TreeEnsembleModel.PredictRaw(ReadOnlySpan{float}, Span{double})"/> always did).
    /// </summary>
    /// <param name="row">The row's feature values; must hold every feature the trees test.</param>
    /// <param name="raw">Outputs, one per class.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void AddRow(ReadOnlySpan<float> row, Span<double> raw)
    {
        var outputs = raw.Length;
        double sum = 0;
        fixed (Node* nodes = _nodes)
        fixed (double* leafValues = _values)
        fixed (float* x = row)
        fixed (double* output = raw)
        fixed (int* roots = _roots)
        {
            var t = 0;
            for (var lane = 0; lane < _laneDepths.Length; lane++, t += RowLanes)
            {
                int a0 = roots[t], a1 = roots[t + 1], a2 = roots[t + 2], a3 = roots[t + 3];
                int a4 = roots[t + 4], a5 = roots[t + 5], a6 = roots[t + 6], a7 = roots[t + 7];
                for (var step = _laneDepths[lane]; step > 0; step--)
                {
                    a0 = Step(nodes, x, a0);
                    a1 = Step(nodes, x, a1);
                    a2 = Step(nodes, x, a2);
                    a3 = Step(nodes, x, a3);
                    a4 = Step(nodes, x, a4);
                    a5 = Step(nodes, x, a5);
                    a6 = Step(nodes, x, a6);
                    a7 = Step(nodes, x, a7);
                }

                if (outputs == 1)
                {
                    sum += leafValues[a0];
                    sum += leafValues[a1];
                    sum += leafValues[a2];
                    sum += leafValues[a3];
                    sum += leafValues[a4];
                    sum += leafValues[a5];
                    sum += leafValues[a6];
                    sum += leafValues[a7];
                }
                else
                {
                    output[t % outputs] += leafValues[a0];
                    output[(t + 1) % outputs] += leafValues[a1];
                    output[(t + 2) % outputs] += leafValues[a2];
                    output[(t + 3) % outputs] += leafValues[a3];
                    output[(t + 4) % outputs] += leafValues[a4];
                    output[(t + 5) % outputs] += leafValues[a5];
                    output[(t + 6) % outputs] += leafValues[a6];
                    output[(t + 7) % outputs] += leafValues[a7];
                }
            }

            for (; t < _roots.Length; t++)
            {
                var at = roots[t];
                for (var step = _depths[t]; step > 0; step--)
                {
                    at = Step(nodes, x, at);
                }

                if (outputs == 1)
                {
                    sum += leafValues[at];
                }
                else
                {
                    output[t % outputs] += leafValues[at];
                }
            }

            if (outputs == 1)
            {
                output[0] += sum;
            }
        }
    }

    /// <summary>One step down a tree from node <paramref name="at"/> for the row at <paramref name="x"/> (a leaf stays put).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Step(Node* nodes, float* x, int at)
    {
        var n = nodes + at;
        var featureAndDirection = n->FeatureAndDirection;
        var value = x[featureAndDirection & int.MaxValue];

        // Right when value > threshold; NaN goes right unless missing goes left:
        // (value > t) is false for NaN, !(value <= t) is true for NaN.
        var missingLeft = featureAndDirection >> 31;
        var right = ((value > n->Threshold ? 1 : 0) & missingLeft) | ((value <= n->Threshold ? 0 : 1) & ~missingLeft);
        return (&n->Left)[right];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Node(int featureAndDirection, float threshold, int left, int right)
    {
        /// <summary>Feature index; the sign bit set when missing values go left.</summary>
        public int FeatureAndDirection = featureAndDirection;

        public float Threshold = threshold;

        public int Left = left;

        /// <summary>Right child, right after <see cref="Left"/> so the child is picked by index.</summary>
        public int Right = right;
    }
}
