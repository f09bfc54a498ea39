using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning.Tests.Trees;

public class FlatForestTests
{
    [Theory]
    [InlineData(LearningTask.Regression)]
    [InlineData(LearningTask.MulticlassClassification)]
    public void Batch_prediction_matches_row_by_row_prediction_with_missing_values_on_both_sides(LearningTask task)
    {
        var train = WithMissingValues(task == LearningTask.Regression ? SyntheticData.Regression(3000, seed: 21) : SyntheticData.Multiclass(3000, seed: 21), seed: 22);
        var test = WithMissingValues(task == LearningTask.Regression ? SyntheticData.Regression(500, seed: 23) : SyntheticData.Multiclass(500, seed: 23), seed: 24);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 30, NumberOfThreads = 2 }).Fit(task, train);
        Assert.Contains(model.Trees, t => t.Nodes.Any(n => n.MissingGoesLeft));
        Assert.Contains(model.Trees, t => t.Nodes.Any(n => !n.MissingGoesLeft));

        var k = model.OutputCount;
        var batch = model.PredictRawBatch(test.Features, threads: 2);
        var single = new double[k];
        for (var i = 0; i < test.Rows; i++)
        {
            model.PredictRaw(test.Features.Row(i), single);
            for (var c = 0; c < k; c++)
            {
                Assert.Equal(single[c], batch[(i * k) + c], 1e-9);
            }
        }
    }

    [Theory]
    [InlineData(LearningTask.Regression, 30)]
    [InlineData(LearningTask.BinaryClassification, 16)]
    [InlineData(LearningTask.MulticlassClassification, 7)]
    public void Single_row_walk_of_trees_side_by_side_equals_the_plain_walk_of_each_tree_with_missing_values(LearningTask task, int rounds)
    {
        var train = WithMissingValues(Data(task, 3000, seed: 31), seed: 32);
        var test = WithMissingValues(Data(task, 400, seed: 33), seed: 34);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = rounds, NumberOfThreads = 1 }).Fit(task, train);
        Assert.Contains(model.Trees, t => t.Nodes.Any(n => n.MissingGoesLeft));
        Assert.Contains(model.Trees, t => t.Nodes.Any(n => !n.MissingGoesLeft));

        var walked = new double[model.OutputCount];
        for (var i = 0; i < test.Rows; i++)
        {
            var row = test.Features.Row(i);
            model.PredictRaw(row, walked);
            Assert.Equal(PlainSum(model.Trees, row, model.InitialScores), walked);
        }
    }

    [Theory]
    [InlineData(LearningTask.Regression, 8)]
    [InlineData(LearningTask.Regression, 5)]
    [InlineData(LearningTask.Regression, 2)]
    [InlineData(LearningTask.BinaryClassification, 8)]
    [InlineData(LearningTask.BinaryClassification, 3)]
    [InlineData(LearningTask.MulticlassClassification, 8)]
    [InlineData(LearningTask.MulticlassClassification, 4)]
    public void Small_trees_scored_by_leaf_masks_equal_the_plain_walk_bit_for_bit_with_missing_values(LearningTask task, int leaves)
    {
        var train = WithMissingValues(Data(task, 3000, seed: 41), seed: 42);
        var test = WithMissingValues(Data(task, 400, seed: 43), seed: 44);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 20, NumberOfLeaves = leaves, NumberOfThreads = 1 }).Fit(task, train);
        Assert.All(model.Trees, t => Assert.True(t.LeafCount <= FlatForest.SmallTreeLeaves));
        Assert.Contains(model.Trees, t => t.LeafCount == leaves);
        Assert.Contains(model.Trees, t => t.Nodes.Any(n => n.MissingGoesLeft));
        Assert.Contains(model.Trees, t => t.Nodes.Any(n => !n.MissingGoesLeft));

        var forest = FlatForest.Create(model.Trees);
        var k = model.OutputCount;
        var predicted = new double[k];
        for (var i = 0; i < test.Rows; i++)
        {
            var row = test.Features.Row(i);
            var plain = PlainSum(model.Trees, row, model.InitialScores);
            model.PredictRaw(row, predicted);
            Assert.Equal(plain, predicted);
            AssertBothPathsEqual(forest, row, model.InitialScores, plain);
        }
    }

    [Theory]
    [InlineData(LearningTask.Regression)]
    [InlineData(LearningTask.BinaryClassification)]
    [InlineData(LearningTask.MulticlassClassification)]
    public void A_forest_mixing_small_and_large_trees_equals_the_plain_walk_bit_for_bit(LearningTask task)
    {
        var train = WithMissingValues(Data(task, 3000, seed: 51), seed: 52);
        var test = WithMissingValues(Data(task, 300, seed: 53), seed: 54);
        RegressionTree[] Trees(int leaves) =>
            new GradientBoostingTrainer(new() { NumberOfTrees = 12, NumberOfLeaves = leaves, NumberOfThreads = 1 }).Fit(task, train).Trees;
        var small = Trees(8);
        var large = Trees(31);
        var boundary = Trees(9);
        Assert.Contains(large, t => t.LeafCount > FlatForest.SmallTreeLeaves);
        Assert.Contains(boundary, t => t.LeafCount == FlatForest.SmallTreeLeaves + 1);

        // Rounds of the three models interleaved, so small and large trees alternate within lanes and outputs.
        var k = task == LearningTask.MulticlassClassification ? small.Length / 12 : 1;
        var trees = new List<RegressionTree>();
        for (var round = 0; round < 12; round++)
        {
            foreach (var model in new[] { small, large, boundary, round % 2 == 0 ? small : large })
            {
                trees.AddRange(model.Skip(round * k).Take(k));
            }
        }

        var forest = FlatForest.Create([.. trees]);
        var initial = Enumerable.Range(0, k).Select(c => 0.25 * (c + 1)).ToArray();
        for (var i = 0; i < test.Rows; i++)
        {
            var row = test.Features.Row(i);
            AssertBothPathsEqual(forest, row, initial, PlainSum(trees, row, initial));
        }
    }

    [Theory]
    [InlineData(6, 1, 0)]
    [InlineData(6, 3, 1)]
    [InlineData(40, 1, 2)]
    [InlineData(40, 4, 3)]
    [InlineData(32, 2, 4)]
    public void Hand_built_unbalanced_trees_with_shuffled_node_and_leaf_numbers_equal_the_plain_walk(int features, int outputs, int seed)
    {
        // Every shape up to 8 leaves (single leaf, left and right chains, random), a few larger trees,
        // thresholds and values from one small set (so values equal to thresholds are common), NaN both ways.
        var random = new Random(seed);
        var trees = new List<RegressionTree>();
        for (var t = 0; t < 300 * outputs; t++)
        {
            var internalNodes = t % 10 == 9 ? random.Next(8, 20) : random.Next(0, 8);
            trees.Add(RandomTree(random, internalNodes, features, (Shape)(t % 3)));
        }

        Assert.Contains(trees, t => t.LeafCount == FlatForest.SmallTreeLeaves);
        Assert.Contains(trees, t => t.LeafCount == 1);
        var forest = FlatForest.Create([.. trees]);
        var initial = new double[outputs];
        float[] values = [-1f, -0.75f, -0.5f, -0f, 0f, 0.25f, 0.5f, 1f, float.NaN, float.NaN];
        var row = new float[features];
        for (var i = 0; i < 500; i++)
        {
            for (var j = 0; j < features; j++)
            {
                row[j] = values[random.Next(values.Length)];
            }

            AssertBothPathsEqual(forest, row, initial, PlainSum(trees, row, initial));
        }
    }

    private enum Shape
    {
        Random,
        LeftChain,
        RightChain,
    }

    /// <summary>A tree of <paramref name="internalNodes"/> splits with the root at 0, other node numbers and the leaf numbers shuffled.</summary>
    private static RegressionTree RandomTree(Random random, int internalNodes, int features, Shape shape)
    {
        float[] thresholds = [-1f, -0.5f, 0f, 0.25f, 0.5f, 1f];
        var nodeNumbers = Enumerable.Range(1, Math.Max(0, internalNodes - 1)).OrderBy(_ => random.Next()).ToArray();
        var leafNumbers = Enumerable.Range(0, internalNodes + 1).OrderBy(_ => random.Next()).ToArray();
        var nodes = new TreeNode[internalNodes];
        int nextNode = 0, nextLeaf = 0;
        int Build(int count, bool root)
        {
            if (count == 0)
            {
                return ~leafNumbers[nextLeaf++];
            }

            var id = root ? 0 : nodeNumbers[nextNode++];
            var leftCount = shape switch
            {
                Shape.LeftChain => count - 1,
                Shape.RightChain => 0,
                _ => random.Next(count),
            };
            var left = Build(leftCount, false);
            var right = Build(count - 1 - leftCount, false);
            nodes[id] = new TreeNode(random.Next(features), thresholds[random.Next(thresholds.Length)], left, right, random.Next(2) == 0);
            return id;
        }

        Build(internalNodes, true);
        var leafValues = Enumerable.Range(0, internalNodes + 1).Select(_ => random.NextDouble() - 0.5).ToArray();
        return new RegressionTree(nodes, leafValues, new double[internalNodes], new double[internalNodes + 1], new double[internalNodes]);
    }

    /// <summary>The initial scores plus each tree's <see cref="RegressionTree.Predict"/> in tree order (one output: the sum first).</summary>
    private static double[] PlainSum(IReadOnlyList<RegressionTree> trees, ReadOnlySpan<float> row, double[] initial)
    {
        var k = initial.Length;
        var plain = (double[])initial.Clone();
        double sum = 0;
        for (var t = 0; t < trees.Count; t++)
        {
            if (k == 1)
            {
                sum += trees[t].Predict(row);
            }
            else
            {
                plain[t % k] += trees[t].Predict(row);
            }
        }

        if (k == 1)
        {
            plain[0] += sum;
        }

        return plain;
    }

    /// <summary>Both single-row paths (small trees by bit masks where the processor has AVX2, and every tree walked) give <paramref name="expected"/> exactly.</summary>
    private static void AssertBothPathsEqual(FlatForest forest, ReadOnlySpan<float> row, double[] initial, double[] expected)
    {
        foreach (var bitMasks in new[] { true, false })
        {
            var raw = (double[])initial.Clone();
            forest.AddRow(row, raw, bitMasks);
            Assert.Equal(expected, raw);
        }
    }

    private static TrainingSet Data(LearningTask task, int rows, int seed) => task switch
    {
        LearningTask.Regression => SyntheticData.Regression(rows, seed),
        LearningTask.BinaryClassification => SyntheticData.Binary(rows, seed),
        _ => SyntheticData.Multiclass(rows, seed),
    };

    private static TrainingSet WithMissingValues(TrainingSet set, int seed)
    {
        var random = new Random(seed);
        var x = set.Features;
        for (var i = 0; i < x.Rows; i++)
        {
            for (var j = 0; j < x.Columns; j++)
            {
                if (random.NextDouble() < 0.15)
                {
                    x[i, j] = float.NaN;
                }
            }
        }

        return set;
    }
}
