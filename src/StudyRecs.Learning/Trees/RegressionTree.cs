using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StudyRecs.Learning.Trees;

/// <summary>One internal node of a flat tree, 16 bytes so a path stays in few cache lines.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct TreeNode(int Feature, float Threshold, int Left, int Right, bool MissingGoesLeft)
{
    /// <summary>Child index for a raw value: negative results are leaves (<c>~leaf</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(float value) => float.IsNaN(value) ? (MissingGoesLeft ? Left : Right) : (value <= Threshold ? Left : Right);
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
