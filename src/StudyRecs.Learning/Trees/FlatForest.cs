using System.Runtime.InteropServices;

namespace StudyRecs.Learning.Trees;

/// <summary>
/// Every tree of a model in one node array, for batch prediction. Each tree's leaves follow its
/// internal nodes and are nodes whose two children are themselves, so the rows of a block step
/// down a tree side by side without asking whether each row has arrived: a step picks the child
/// with arithmetic instead of a branch (no mispredictions), the rows' independent loads overlap,
/// and every row takes the tree's depth in steps (rows that arrive early stay on their leaf).
/// Predictions equal <see cref="RegressionTree.Predict"/> exactly.
/// </summary>
internal sealed class FlatForest
{
    /// <summary>Rows walked through a tree together.</summary>
    public const int BlockRows = 64;

    private readonly Node[] _nodes;
    private readonly double[] _values;
    private readonly int[] _roots;
    private readonly int[] _depths;

    private FlatForest(Node[] nodes, double[] values, int[] roots, int[] depths)
    {
        _nodes = nodes;
        _values = values;
        _roots = roots;
        _depths = depths;
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
                        var n = nodes + at[i];
                        var featureAndDirection = n->FeatureAndDirection;
                        var value = row[featureAndDirection & int.MaxValue];

                        // Right when value > threshold; NaN goes right unless missing goes left:
                        // (value > t) is false for NaN, !(value <= t) is true for NaN.
                        var missingLeft = featureAndDirection >> 31;
                        var right = ((value > n->Threshold ? 1 : 0) & missingLeft) | ((value <= n->Threshold ? 0 : 1) & ~missingLeft);
                        at[i] = (&n->Left)[right];
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
