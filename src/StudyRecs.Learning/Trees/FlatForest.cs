using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace StudyRecs.Learning.Trees;

/// <summary>
/// Every tree of a model flattened for prediction, in two forms.
/// <para>
/// Batch prediction (<see cref="AddBlock"/>) and single rows on trees with more than
/// <see cref="SmallTreeLeaves"/> leaves (on every tree when the processor lacks AVX2) walk one node array. Each tree's leaves follow its
/// internal nodes and are nodes whose two children are themselves, so the rows of a block step
/// down a tree side by side without asking whether each row has arrived: a step picks the child
/// with arithmetic instead of a branch (no mispredictions), the rows' independent loads overlap,
/// and every row takes the tree's depth in steps (rows that arrive early stay on their leaf).
/// One row walks <see cref="RowLanes"/> such trees of similar depth side by side the same way, so
/// its trees' node loads overlap instead of each waiting for the previous tree's path.
/// </para>
/// <para>
/// With AVX2, a single row scores trees with at most <see cref="SmallTreeLeaves"/> leaves without walking
/// them (QuickScorer, Lucchese et al. 2015), <see cref="RowLanes"/> trees per vector: a tree's leaves are numbered left to right, and each
/// internal node keeps a bit mask that clears the leaves of its left subtree. The row tests every
/// internal node of the tree, and for each node it does not go left of, ANDs the node's mask into
/// the tree's leaf bits; the lowest bit left is the leaf the walk would reach (every leaf left of
/// it lies in the left subtree of a node on its path that the row went right of, and no node the
/// row goes right of holds it in its left subtree). A tree's tests do not depend on each other, so
/// they overlap instead of forming a chain of dependent loads.
/// </para>
/// Predictions equal <see cref="RegressionTree.Predict"/> exactly.
/// </summary>
internal sealed class FlatForest
{
    /// <summary>Rows walked through a tree together.</summary>
    public const int BlockRows = 64;

    /// <summary>Trees one row walks (or scores by bit masks) side by side.</summary>
    public const int RowLanes = 8;

    /// <summary>Trees with at most this many leaves are scored for one row by their nodes' bit masks.</summary>
    public const int SmallTreeLeaves = 8;

    /// <summary>Up to this many trees, a row's tree outputs are kept on the stack.</summary>
    private const int StackTrees = 2048;

    private readonly Node[] _nodes;
    private readonly double[] _values;
    private readonly int[] _roots;
    private readonly int[] _depths;

    /// <summary>
    /// The trees one row walks, by increasing depth (ties in tree order), and per run of <see cref="RowLanes"/> of them
    /// the deepest one's depth: every tree without AVX2, only those with more than <see cref="SmallTreeLeaves"/> leaves with it.
    /// </summary>
    private readonly WalkOrder _allTrees;

    /// <summary>The trees with more than <see cref="SmallTreeLeaves"/> leaves, as <see cref="_allTrees"/>.</summary>
    private readonly WalkOrder _largeTrees;

    /// <summary>The small trees (at most <see cref="SmallTreeLeaves"/> leaves) in tree order; their groups of <see cref="RowLanes"/> are scored together.</summary>
    private readonly int[] _smallTrees;

    /// <summary>Internal nodes kept per small tree: the most any small tree has; fewer are padded with nodes that clear no leaf.</summary>
    private readonly int _smallWidth;

    /// <summary>
    /// Small trees' internal nodes, feature with the missing-goes-left bit in the sign (as <see cref="Node.FeatureAndDirection"/>),
    /// at [(group × <see cref="_smallWidth"/> + node) × <see cref="RowLanes"/> + lane]: node j of a group's trees side by side.
    /// </summary>
    private readonly int[] _smallFeatures;

    /// <summary>Thresholds of the small trees' internal nodes, laid out as <see cref="_smallFeatures"/>.</summary>
    private readonly float[] _smallThresholds;

    /// <summary>Per small-tree internal node, the tree's leaf bits (leaves numbered left to right) with its left subtree's leaves cleared; laid out as <see cref="_smallFeatures"/>.</summary>
    private readonly uint[] _smallMasks;

    /// <summary>One more than the highest feature a small tree tests (0 when none does).</summary>
    private readonly int _smallFeatureCount;

    /// <summary>Leaf values of small tree s (its place in <see cref="_smallTrees"/>) from left to right at [s × <see cref="SmallTreeLeaves"/> + leaf].</summary>
    private readonly double[] _smallLeafValues;

    private FlatForest(Node[] nodes, double[] values, int[] roots, int[] depths, RegressionTree[] trees)
    {
        _nodes = nodes;
        _values = values;
        _roots = roots;
        _depths = depths;
        _allTrees = new WalkOrder(Enumerable.Range(0, roots.Length), depths);
        _largeTrees = new WalkOrder(Enumerable.Range(0, roots.Length).Where(t => trees[t].LeafCount > SmallTreeLeaves), depths);
        _smallTrees = [.. Enumerable.Range(0, roots.Length).Where(t => trees[t].LeafCount <= SmallTreeLeaves)];
        _smallWidth = _smallTrees.Length == 0 ? 0 : _smallTrees.Max(t => trees[t].Nodes.Length);
        var groups = (_smallTrees.Length + RowLanes - 1) / RowLanes;
        var slots = groups * _smallWidth * RowLanes;
        _smallFeatures = new int[slots];
        _smallThresholds = new float[slots];
        _smallMasks = new uint[slots];
        _smallLeafValues = new double[groups * RowLanes * SmallTreeLeaves];

        // Padding nodes test a feature some small tree tests (so the row holds it) and clear no leaf.
        var padFeature = _smallTrees.Select(t => trees[t].Nodes).FirstOrDefault(n => n.Length > 0)?[0].Feature ?? 0;
        _smallFeatures.AsSpan().Fill(padFeature);
        _smallMasks.AsSpan().Fill(uint.MaxValue);
        _smallFeatureCount = _smallTrees.Length == 0 ? 0 : _smallTrees.Max(t => trees[t].Nodes.Length == 0 ? 0 : trees[t].Nodes.Max(n => n.Feature) + 1);
        var masks = new uint[_smallWidth];
        var leafOrder = new int[SmallTreeLeaves];
        for (var s = 0; s < _smallTrees.Length; s++)
        {
            var tree = trees[_smallTrees[s]];
            var leaves = 0;
            if (tree.Nodes.Length == 0)
            {
                leafOrder[leaves++] = 0;
            }
            else
            {
                NumberLeaves(tree.Nodes, 0, masks, leafOrder, ref leaves);
            }

            var first = (s / RowLanes * _smallWidth * RowLanes) + (s % RowLanes);
            for (var j = 0; j < tree.Nodes.Length; j++)
            {
                var n = tree.Nodes[j];
                var at = first + (j * RowLanes);
                _smallFeatures[at] = n.MissingGoesLeft ? n.Feature | int.MinValue : n.Feature;
                _smallThresholds[at] = n.Threshold;
                _smallMasks[at] = masks[j];
            }

            for (var l = 0; l < leaves; l++)
            {
                _smallLeafValues[(s * SmallTreeLeaves) + l] = tree.LeafValues[leafOrder[l]];
            }
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

        return new FlatForest(nodes, values, roots, depths, trees);
    }

    /// <summary>
    /// Numbers the leaves under <paramref name="child"/> left to right from <paramref name="leaves"/> on
    /// (<paramref name="leafOrder"/>[position] = the tree's leaf index) and sets each internal node's mask:
    /// every bit but those of its left subtree's leaves.
    /// </summary>
    private static void NumberLeaves(TreeNode[] nodes, int child, uint[] masks, int[] leafOrder, ref int leaves)
    {
        if (child < 0)
        {
            leafOrder[leaves++] = ~child;
            return;
        }

        var first = leaves;
        NumberLeaves(nodes, nodes[child].Left, masks, leafOrder, ref leaves);
        masks[child] = ~(((1u << leaves) - 1) ^ ((1u << first) - 1));
        NumberLeaves(nodes, nodes[child].Right, masks, leafOrder, ref leaves);
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
    /// Small trees are scored <see cref="RowLanes"/> at a time by their nodes' bit masks; larger
    /// trees are walked <see cref="RowLanes"/> at a time in order of depth, so a run's shallow trees
    /// rarely wait on a deep one. The trees' outputs are summed afterwards in tree order.
    /// </summary>
    /// <param name="row">The row's feature values; must hold every feature the trees test.</param>
    /// <param name="raw">Outputs, one per class.</param>
    public void AddRow(ReadOnlySpan<float> row, Span<double> raw) => AddRow(row, raw, Avx2.IsSupported);

    /// <summary>
    /// <see cref="AddRow(ReadOnlySpan{float}, Span{double})"/>, scoring the small trees by their bit masks when
    /// <paramref name="bitMasks"/> and the processor has AVX2, else walking every tree (tests compare both).
    /// One node at a time, the masks were slower than the walk (10 % on a 660-tree model: 18.6 against 16.9 µs), so they run only as vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal unsafe void AddRow(ReadOnlySpan<float> row, Span<double> raw, bool bitMasks)
    {
        var trees = _roots.Length;
        double[]? rented = null;
        var outputs = trees <= StackTrees ? stackalloc double[trees] : (rented = ArrayPool<double>.Shared.Rent(trees)).AsSpan(0, trees);
        fixed (float* x = row)
        fixed (double* output = outputs)
        {
            if (bitMasks && Avx2.IsSupported)
            {
                ScoreSmallTreesAvx2(x, row.Length, output);
                Walk(_largeTrees, x, output);
            }
            else
            {
                Walk(_allTrees, x, output);
            }
        }

        if (raw.Length == 1)
        {
            double sum = 0;
            foreach (var value in outputs)
            {
                sum += value;
            }

            raw[0] += sum;
        }
        else
        {
            var k = 0;
            foreach (var value in outputs)
            {
                raw[k] += value;
                if (++k == raw.Length)
                {
                    k = 0;
                }
            }
        }

        if (rented is not null)
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Writes each small tree's output for the row at <paramref name="x"/> to <paramref name="output"/>[tree]: a group's
    /// <see cref="RowLanes"/> trees are the lanes of one AVX2 vector, so one gather (or permute), two comparisons and a
    /// blend test node j of all of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void ScoreSmallTreesAvx2(float* x, int rowLength, double* output)
    {
        var count = _smallTrees.Length;
        var width = _smallWidth;
        var leafOf = stackalloc double[RowLanes];
        var featureBits = Vector256.Create(int.MaxValue);
        var laneLeaves = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * SmallTreeLeaves;
        var exponentBias = Vector256.Create(127);

        // With every small-tree feature below 32, the row's first 32 values sit in four vectors
        // (zero past the row's end; no tested feature is there).
        var permute = _smallFeatureCount <= 32;
        var padded = stackalloc float[32];
        new Span<float>(padded, 32).Clear();
        new ReadOnlySpan<float>(x, Math.Min(rowLength, 32)).CopyTo(new Span<float>(padded, 32));
        var r0 = Avx.LoadVector256(padded);
        var r1 = Avx.LoadVector256(padded + 8);
        var r2 = Avx.LoadVector256(padded + 16);
        var r3 = Avx.LoadVector256(padded + 24);
        fixed (int* features = _smallFeatures)
        fixed (float* thresholds = _smallThresholds)
        fixed (uint* masks = _smallMasks)
        fixed (double* leafValues = _smallLeafValues)
        fixed (int* small = _smallTrees)
        {
            for (var first = 0; first < count; first += RowLanes)
            {
                var bits = Vector256<uint>.AllBitsSet;
                var at = first * width;
                for (var j = 0; j < width; j++, at += RowLanes)
                {
                    var featureAndDirection = Avx.LoadVector256(features + at);
                    Vector256<float> value;
                    if (permute)
                    {
                        // Features below 32: pick each lane's value out of the row's four vectors by the
                        // index's low 3 bits, then choose among them by bits 3 and 4 (moved to the sign).
                        var bit3 = Avx2.ShiftLeftLogical(featureAndDirection, 28).AsSingle();
                        var low16 = Avx.BlendVariable(Avx2.PermuteVar8x32(r0, featureAndDirection), Avx2.PermuteVar8x32(r1, featureAndDirection), bit3);
                        var high16 = Avx.BlendVariable(Avx2.PermuteVar8x32(r2, featureAndDirection), Avx2.PermuteVar8x32(r3, featureAndDirection), bit3);
                        value = Avx.BlendVariable(low16, high16, Avx2.ShiftLeftLogical(featureAndDirection, 27).AsSingle());
                    }
                    else
                    {
                        value = Avx2.GatherVector256(x, Avx2.And(featureAndDirection, featureBits), 4);
                    }

                    var threshold = Avx.LoadVector256(thresholds + at);

                    // As in Step: value > threshold (false for NaN) where missing goes left (sign bit set),
                    // !(value <= threshold) (true for NaN) elsewhere; all ones when the row goes right.
                    var greater = Avx.Compare(value, threshold, FloatComparisonMode.OrderedGreaterThanNonSignaling);
                    var notLessOrEqual = Avx.Compare(value, threshold, FloatComparisonMode.UnorderedNotLessThanOrEqualNonSignaling);
                    var right = Avx.BlendVariable(notLessOrEqual, greater, featureAndDirection.AsSingle()).AsUInt32();
                    bits &= Avx.LoadVector256(masks + at) | ~right;
                }

                // The lowest set bit of each lane (at most 2^7, exact as a float) gives its index through
                // the float's exponent.
                var lowest = (bits & (Vector256<uint>.Zero - bits)).AsInt32();
                var leaf = (Avx.ConvertToVector256Single(lowest).AsInt32() >>> 23) - exponentBias;
                var index = leaf + laneLeaves;
                var leaves = leafValues + (first * SmallTreeLeaves);
                var low = Avx2.GatherVector256(leaves, index.GetLower(), 8);
                var high = Avx2.GatherVector256(leaves, index.GetUpper(), 8);
                var lanes = Math.Min(RowLanes, count - first);
                if (lanes == RowLanes && small[first] == first && small[first + RowLanes - 1] == first + RowLanes - 1)
                {
                    // The group's trees are trees first .. first + 7 (small trees are in tree order).
                    Avx.Store(output + first, low);
                    Avx.Store(output + first + 4, high);
                }
                else
                {
                    Avx.Store(leafOf, low);
                    Avx.Store(leafOf + 4, high);
                    for (var lane = 0; lane < lanes; lane++)
                    {
                        output[small[first + lane]] = leafOf[lane];
                    }
                }
            }
        }
    }

    /// <summary>Writes the output of each tree of <paramref name="walk"/> for the row at <paramref name="x"/> to <paramref name="output"/>[tree], walking <see cref="RowLanes"/> trees side by side.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Walk(WalkOrder walk, float* x, double* output)
    {
        var trees = walk.Trees.Length;
        var laneDepths = walk.LaneDepths;
        fixed (Node* nodes = _nodes)
        fixed (double* values = _values)
        fixed (int* roots = _roots)
        fixed (int* order = walk.Trees)
        {
            var i = 0;
            for (var lane = 0; lane < laneDepths.Length; lane++, i += RowLanes)
            {
                int t0 = order[i], t1 = order[i + 1], t2 = order[i + 2], t3 = order[i + 3];
                int t4 = order[i + 4], t5 = order[i + 5], t6 = order[i + 6], t7 = order[i + 7];
                int a0 = roots[t0], a1 = roots[t1], a2 = roots[t2], a3 = roots[t3];
                int a4 = roots[t4], a5 = roots[t5], a6 = roots[t6], a7 = roots[t7];
                for (var step = laneDepths[lane]; step > 0; step--)
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

                output[t0] = values[a0];
                output[t1] = values[a1];
                output[t2] = values[a2];
                output[t3] = values[a3];
                output[t4] = values[a4];
                output[t5] = values[a5];
                output[t6] = values[a6];
                output[t7] = values[a7];
            }

            for (; i < trees; i++)
            {
                var t = order[i];
                var at = roots[t];
                for (var step = _depths[t]; step > 0; step--)
                {
                    at = Step(nodes, x, at);
                }

                output[t] = values[at];
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

    /// <summary>Trees one row walks, by increasing depth (ties in tree order), and per run of <see cref="RowLanes"/> of them the deepest one's depth.</summary>
    private sealed class WalkOrder
    {
        public WalkOrder(IEnumerable<int> trees, int[] depths)
        {
            Trees = [.. trees.OrderBy(t => depths[t])];
            LaneDepths = new int[Trees.Length / RowLanes];
            for (var lane = 0; lane < LaneDepths.Length; lane++)
            {
                LaneDepths[lane] = depths[Trees[((lane + 1) * RowLanes) - 1]];
            }
        }

        public int[] Trees { get; }

        public int[] LaneDepths { get; }
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
