using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StudyRecs.Learning.Trees;

/// <summary>
/// One internal node of a flat tree in 16 bytes (the missing-value direction rides in the sign
/// bit of the feature index), so a root-to-leaf path touches few cache lines.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct TreeNode
{
    private readonly int _featureAndDirection;

    public TreeNode(int feature, float threshold, int left, int right, bool missingGoesLeft)
    {
        _featureAndDirection = missingGoesLeft ? feature | int.MinValue : feature;
        Threshold = threshold;
        Left = left;
        Right = right;
    }

    /// <summary>Feature tested by the split.</summary>
    public int Feature => _featureAndDirection & int.MaxValue;

    /// <summary>Values at or below the threshold go left.</summary>
    public float Threshold { get; }

    /// <summary>Left child: a node index, or <c>~leaf</c> when negative.</summary>
    public int Left { get; }

    /// <summary>Right child: a node index, or <c>~leaf</c> when negative.</summary>
    public int Right { get; }

    /// <summary>Where missing values (NaN) go.</summary>
    public bool MissingGoesLeft => _featureAndDirection < 0;

    public TreeNode WithLeft(int left) => new(Feature, Threshold, left, Right, MissingGoesLeft);

    public TreeNode WithRight(int right) => new(Feature, Threshold, Left, right, MissingGoesLeft);

    /// <summary>Child index for a raw value: negative results are leaves (<c>~child</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(float value) => value <= Threshold || (MissingGoesLeft && float.IsNaN(value)) ? Left : Right;
}

/// <summary>
/// A regression tree in flat arrays. Internal nodes are numbered from 0 (the root); a child
/// index below zero is a leaf <c>~child</c>. Values <c>v &lt;= Threshold</c> go left; missing
/// values follow <see cref="TreeNode.MissingGoesLeft"/>. Covers (training rows reaching a node)
/// and split gains are kept for SHAP and importance.
/// </summary>
internal sealed class RegressionTree
{
    public RegressionTree(TreeNode[] nodes, double[] leafValues, double[] nodeCovers, double[] leafCovers, double[] splitGains)
    {
        if (leafValues.Length != nodes.Length + 1 || nodeCovers.Length != nodes.Length || leafCovers.Length != leafValues.Length || splitGains.Length != nodes.Length)
        {
            throw new ArgumentException("A tree with N internal nodes needs N+1 leaves and matching covers and gains.");
        }

        Nodes = nodes;
        LeafValues = leafValues;
        NodeCovers = nodeCovers;
        LeafCovers = leafCovers;
        SplitGains = splitGains;
    }

    public TreeNode[] Nodes { get; }

    public double[] LeafValues { get; }

    public double[] NodeCovers { get; }

    public double[] LeafCovers { get; }

    public double[] SplitGains { get; }

    public int LeafCount => LeafValues.Length;

    /// <summary>The leaf a row falls into.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int LeafOf(ReadOnlySpan<float> row)
    {
        var nodes = Nodes;
        if (nodes.Length == 0)
        {
            return 0;
        }

        var node = 0;
        do
        {
            ref readonly var n = ref nodes[node];
            node = n.Next(row[n.Feature]);
        }
        while (node >= 0);
        return ~node;
    }

    /// <summary>The tree's output for a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Predict(ReadOnlySpan<float> row) => LeafValues[LeafOf(row)];

    /// <summary>Multiplies every leaf value, as shrinkage or forest averaging does.</summary>
    public void Scale(double factor)
    {
        for (var i = 0; i < LeafValues.Length; i++)
        {
            LeafValues[i] *= factor;
        }
    }

    /// <summary>Cover-weighted mean output: the tree's expected value over the training rows.</summary>
    public double ExpectedValue()
    {
        double total = 0, weight = 0;
        for (var i = 0; i < LeafValues.Length; i++)
        {
            total += LeafValues[i] * LeafCovers[i];
            weight += LeafCovers[i];
        }

        return weight > 0 ? total / weight : LeafValues[0];
    }

    /// <summary>Longest root-to-leaf path, in internal nodes.</summary>
    public int Depth()
    {
        if (Nodes.Length == 0)
        {
            return 0;
        }

        var depth = 0;
        var stack = new Stack<(int Node, int Depth)>();
        stack.Push((0, 1));
        while (stack.Count > 0)
        {
            var (node, d) = stack.Pop();
            depth = Math.Max(depth, d);
            if (Nodes[node].Left >= 0)
            {
                stack.Push((Nodes[node].Left, d + 1));
            }

            if (Nodes[node].Right >= 0)
            {
                stack.Push((Nodes[node].Right, d + 1));
            }
        }

        return depth;
    }
}
