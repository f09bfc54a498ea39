using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Trees;
using RegressionTree = StudyRecs.Learning.Trees.RegressionTree;

namespace StudyRecs.Learning.MLNet;

/// <summary>
/// The trees of a fitted ML.NET regression or binary model as an engine <see cref="TreeEnsembleModel"/> over the
/// trainer's columns, so the engine's exact TreeSHAP explains it: leaf values are scaled by their tree's weight, the
/// bias is the initial score, and node covers come from routing the training rows (ML.NET keeps no per-node counts).
/// Its raw output equals the ML.NET model's score (before any probability calibration).
/// </summary>
internal static class MLNetTreeExplainer
{
    public static TreeEnsembleModel? Build(ITransformer transformer, MissingValueImputer imputer, DenseMatrix trainingRows, string algorithm)
    {
        var (trees, weights, bias) = Ensemble(transformer);
        if (trees is null)
        {
            return null;
        }

        var width = imputer.OutputCount;
        var rows = new float[trainingRows.Rows * width];
        for (var i = 0; i < trainingRows.Rows; i++)
        {
            imputer.Transform(trainingRows.Row(i), rows.AsSpan(i * width, width));
        }

        var converted = new RegressionTree[trees.Count];
        for (var t = 0; t < trees.Count; t++)
        {
            converted[t] = Convert(trees[t], weights[t], rows, width);
        }

        var bins = Enumerable.Range(0, width).Select(_ => new FeatureBins([float.PositiveInfinity])).ToArray();
        var names = Enumerable.Range(0, width).Select(f => $"c{f}").ToArray();
        return new TreeEnsembleModel(LearningTask.Regression, algorithm, OutputTransform.Identity, [bias], converted, bins, names, [],
            null, new Dictionary<string, string>(), new Dictionary<string, string>());
    }

    /// <summary>The tree ensemble inside the first prediction transformer, looking through ML.NET's calibrated wrappers.</summary>
    private static (IReadOnlyList<RegressionTreeBase>? Trees, IReadOnlyList<double> Weights, double Bias) Ensemble(ITransformer transformer)
    {
        var predictor = transformer is IEnumerable<ITransformer> chain ? chain.First() : transformer;
        object? parameters = (predictor as ISingleFeaturePredictionTransformer<object>)?.Model;
        if (parameters is CalibratedModelParametersBase calibrated)
        {
            parameters = calibrated.SubModel;
        }

        return parameters switch
        {
            // FastForest's regression score averages its trees, whose stored weights are all 1 (its binary score sums them).
            FastForestRegressionModelParameters p => (p.TrainedTreeEnsemble.Trees,
                p.TrainedTreeEnsemble.TreeWeights.Select(w => w / p.TrainedTreeEnsemble.Trees.Count).ToArray(), p.TrainedTreeEnsemble.Bias),
            TreeEnsembleModelParametersBasedOnQuantileRegressionTree p => (p.TrainedTreeEnsemble.Trees, p.TrainedTreeEnsemble.TreeWeights, p.TrainedTreeEnsemble.Bias),
            TreeEnsembleModelParametersBasedOnRegressionTree p => (p.TrainedTreeEnsemble.Trees, p.TrainedTreeEnsemble.TreeWeights, p.TrainedTreeEnsemble.Bias),
            _ => (null, [], 0),
        };
    }

    private static RegressionTree Convert(RegressionTreeBase tree, double weight, float[] rows, int width)
    {
        var nodeCount = tree.NumberOfNodes;
        var nodes = new TreeNode[nodeCount];
        for (var n = 0; n < nodeCount; n++)
        {
            nodes[n] = new TreeNode(tree.NumericalSplitFeatureIndexes[n], tree.NumericalSplitThresholds[n], tree.LeftChild[n], tree.RightChild[n], missingGoesLeft: false);
        }

        var leafValues = tree.LeafValues.Select(v => v * weight).ToArray();
        var nodeCovers = new double[nodeCount];
        var leafCovers = new double[leafValues.Length];
        for (var start = 0; start < rows.Length; start += width)
        {
            var row = rows.AsSpan(start, width);
            var node = 0;
            if (nodeCount == 0)
            {
                leafCovers[0]++;
                continue;
            }

            while (node >= 0)
            {
                nodeCovers[node]++;
                node = nodes[node].Next(row[nodes[node].Feature]);
            }

            leafCovers[~node]++;
        }

        var gains = tree.SplitGains.Count == nodeCount ? tree.SplitGains.ToArray() : new double[nodeCount];
        return new RegressionTree(nodes, leafValues, nodeCovers, leafCovers, gains);
    }
}
