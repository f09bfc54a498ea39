using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StudyRecs.Learning.Trees;

/// <summary>
/// Every tree of a model in one node array, for batch prediction. Each tree's leaves follow its
/// internal nodes and are nodes whose two children are themselves, so the rows of a block step
/// down a tree side by side without asking whether each row has arrived: a step picks the child
/// with arithmetic instead of a branch (no mispredictions), the rows' independent loads overlap,
/// and every row takes the tree's depth in steps (rows that arrive early stay on their leaf).
/// One row walks <see cref="RowLanes"/> trees of similar depth side by side the same way, so its
/// trees' node loads overlap instead of each waiting for the previous tree's path.
/// Predictions equal <see cref="RegressionTree.Predict"/> exactly.
/// </summary>
internal sealed class FlatForest
{
    /// <summary>Rows walked through a tree together.</summary>
    public const int BlockRows = 64;

    /// <summary>Trees one row walks side by side.</summary>
    public const int RowLanes = 8;

    /// <summary>Up to this many trees, a row's leaves are kept on the stack.</summary>
    private const int StackTrees = 4096;

    private readonly Node[] _nodes;
    private readonly double[] _values;
    private readonly int[] _roots;
    private readonly int[] _depths;

    /// <summary>Trees by increasing depth (ties in tree order): the order one row walks them in.</summary>
    private readonly int[] _depthOrder;

    /// <summary>Per run of <see cref="RowLanes"/> trees of <see cref="_depthOrder"/>, the deepest one's depth.</summary>
    private readonly int[] _laneDepths;

    private FlatForest(Node[] nodes, double[] values, int[] roots, int[] depths)
    {
        _nodes = nodes;
        _values = values;
        _roots = roots;
        _depths = depths;
        _depthOrder = [.. Enumerable.Range(0, roots.Length).OrderBy(t => depths[t])];
        _laneDepths = new int[roots.Length / RowLanes];
        for (var lane = 0; lane < _laneDepths.Length; lane++)
        {
            _laneDepths[lane] = depths[_depthOrder[((lane + 1) * RowLanes) - 1]];
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
    /// Trees are walked <see cref="RowLanes"/> at a time in order of depth, so a run's shallow trees
    /// rarely wait on a deep one; their leaves are summed afterwards in tree order.
    /// </summary>
    /// <param name="row">The row's feature values; must hold every feature the trees test.</param>
    /// <param name="raw">Outputs, one per class.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void AddRow(ReadOnlySpan<float> row, Span<double> raw)
    {
        var trees = _roots.Length;
        int[]? rented = null;
        var leaves = trees <= StackTrees ? stackalloc int[trees] : (rented = ArrayPool<int>.Shared.Rent(trees)).AsSpan(0, trees);
        fixed (Node* nodes = _nodes)
        fixed (float* x = row)
        fixed (int* roots = _roots)
        fixed (int* order = _depthOrder)
        fixed (int* leaf = leaves)
        {
            var i = 0;
            for (var lane = 0; lane < _laneDepths.Length; lane++, i += RowLanes)
            {
                int t0 = order[i], t1 = order[i + 1], t2 = order[i + 2], t3 = order[i + 3];
                int t4 = order[i + 4], t5 = order[i + 5], t6 = order[i + 6], t7 = order[i + 7];
                int a0 = roots[t0], a1 = roots[t1], a2 = roots[t2], a3 = roots[t3];
                int a4 = roots[t4], a5 = roots[t5], a6 = roots[t6], a7 = roots[t7];
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

                leaf[t0] = a0;
                leaf[t1] = a1;
                leaf[t2] = a2;
                leaf[t3] = a3;
                leaf[t4] = a4;
                leaf[t5] = a5;
                leaf[t6] = a6;
                leaf[t7] = a7;
            }

            for (; i < trees; i++)
            {
                var t = order[i];
                var at = roots[t];
                for (var step = _depths[t]; step > 0; step--)
                {
                    at = Step(nodes, x, at);
                }

                leaf[t] = at;
            }
        }

        var values = _values;
        var outputs = raw.Length;
        if (outputs == 1)
        {
            double sum = 0;
            foreach (var at in leaves)
            {
                sum += values[at];
            }

            raw[0] += sum;
        }
        else
        {
            for (var t = 0; t < trees; t++)
            {
                raw[t % outputs] += values[leaves[t]];
            }
        }

        if (rented is not null)
        {
            ArrayPool<int>.Shared.Return(rented);
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
