using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Explain;
using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning.Tests.Explain;

public class TreeShapTests
{
    public static TheoryData<string> Models => new()
    {
        "regression", "binary", "multiclass", "ranking", "forest-regression", "forest-multiclass",
        // Trees of at most 8 leaves: their contributions come from a table per combination of decisions.
        "regression-8-leaves", "multiclass-8-leaves",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Contributions_plus_expected_value_equal_the_raw_output(string kind)
    {
        var (model, data) = Train(kind);
        var width = model.FeatureCount + 1;
        var raw = new double[model.OutputCount];
        for (var i = 0; i < 25; i++)
        {
            var row = data.Features.Row(i);
            var phi = model.Explain(row);
            model.PredictRaw(row, raw);
            for (var k = 0; k < model.OutputCount; k++)
            {
                Assert.Equal(raw[k], phi.AsSpan(k * width, width).ToArray().Sum(), 1e-6);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Path_tables_give_the_same_contributions_as_the_recursion(string kind)
    {
        var (model, data) = Train(kind);
        var byDecisions = model.Trees.Select(t => PathTableShap.Build(t)?.TabulatesDecisions ?? false).ToArray();
        Assert.Equal(kind.EndsWith("-8-leaves", StringComparison.Ordinal), byDecisions.All(d => d));
        for (var i = 0; i < 40; i++)
        {
            var row = data.Features.Row(i);
            var fast = model.Explain(row, usePathTables: true);
            var exact = model.Explain(row, usePathTables: false);
            for (var j = 0; j < fast.Length; j++)
            {
                Assert.Equal(exact[j], fast[j], 1e-9);
            }
        }
    }

    [Theory]
    [InlineData("regression-8-leaves")]
    [InlineData("multiclass-8-leaves")]
    [InlineData("regression")]
    public void Decision_tables_side_by_side_add_exactly_what_each_trees_own_tables_add(string kind)
    {
        var (model, data) = Train(kind);
        var tables = model.Trees.Select(PathTableShap.Build).ToArray();
        var sideBySide = DecisionTableShap.Build(model.Trees, tables);
        var tabulated = tables.Select(t => t?.TabulatesDecisions ?? false).ToArray();
        if (kind.EndsWith("-8-leaves", StringComparison.Ordinal))
        {
            Assert.All(tabulated, Assert.True);
            Assert.Contains(model.Trees, t => t.Nodes.Any(n => n.MissingGoesLeft));
            Assert.Contains(model.Trees, t => t.Nodes.Any(n => !n.MissingGoesLeft));
        }
        else
        {
            Assert.Contains(false, tabulated);
        }

        var expected = new double[model.FeatureCount];
        var actual = new double[model.FeatureCount];
        var rows = 0;
        for (var i = 0; i < data.Rows; i++)
        {
            var row = data.Features.Row(i);
            rows += row.ToArray().Any(float.IsNaN) ? 1 : 0;
            for (var t = 0; t < model.Trees.Length; t++)
            {
                Array.Fill(expected, 0.25);
                Array.Fill(actual, 0.25);
                tables[t]?.Accumulate(row, expected);
                Assert.Equal(tabulated[t], sideBySide.TryAccumulate(t, row, actual));
                if (tabulated[t])
                {
                    // Bit for bit: the same additions in the same order.
                    Assert.Equal(expected, actual);
                }
                else
                {
                    Assert.All(actual, v => Assert.Equal(0.25, v));
                }
            }
        }

        Assert.True(rows > 0, "some rows have missing values");
    }

    [Theory]
    [InlineData(PathTableShap.MaxPathFeatures, true)]
    [InlineData(PathTableShap.MaxPathFeatures + 1, false)]
    public void Path_tables_take_paths_up_to_their_limit_and_leave_longer_ones_to_the_recursion(int chain, bool tabulated)
    {
        // A chain of splits on `chain` different features: node i sends small values of feature i to leaf i.
        var nodes = Enumerable.Range(0, chain).Select(i => new TreeNode(i, 0.5f, ~i, i + 1 < chain ? i + 1 : ~chain, missingGoesLeft: i % 2 == 0)).ToArray();
        var covers = Enumerable.Range(0, chain).Select(i => (double)(1 << (chain - i))).ToArray();
        var leafCovers = Enumerable.Range(0, chain + 1).Select(i => i < chain ? (double)(1 << (chain - i - 1)) : 1).ToArray();
        var tree = new RegressionTree(nodes, Enumerable.Range(0, chain + 1).Select(i => (double)i).ToArray(), covers, leafCovers, new double[chain]);
        var tables = PathTableShap.Build(tree);
        Assert.Equal(tabulated, tables is not null);

        var row = Enumerable.Range(0, chain).Select(i => i % 3 == 0 ? 0.2f : 0.9f).ToArray();
        var exact = new double[chain + 1];
        var shap = new TreeShap(tree.Depth());
        shap.Begin(row);
        shap.Accumulate(tree, exact);
        Assert.Equal(tree.Predict(row) - tree.ExpectedValue(), exact.Sum(), 1e-9);
        if (tables is not null)
        {
            var fast = new double[chain + 1];
            tables.Accumulate(row, fast);
            for (var i = 0; i < fast.Length; i++)
            {
                Assert.Equal(exact[i], fast[i], 1e-9);
            }
        }
    }

    [Fact]
    public void Contributions_match_brute_force_shapley_values()
    {
        var data = SyntheticData.Regression(400, seed: 31);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 3, NumberOfLeaves = 8, MinimumExampleCountPerLeaf = 5 }).Fit(LearningTask.Regression, data);
        var row = data.Features.Row(7).ToArray();
        row[2] = float.NaN;
        var phi = model.Explain(row);
        var features = model.FeatureCount;
        var expected = new double[features];
        foreach (var tree in model.Trees)
        {
            for (var i = 0; i < features; i++)
            {
                expected[i] += BruteForceShapley(tree, row, i, features);
            }
        }

        for (var i = 0; i < features; i++)
        {
            Assert.Equal(expected[i], phi[i], 1e-9);
        }
    }

    [Fact]
    public void Gain_importance_ranks_informative_features_first()
    {
        var data = SyntheticData.Regression(2000, seed: 32);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 30 }).Fit(LearningTask.Regression, data);
        var importance = model.FeatureImportance();
        // x4 carries no signal; x0 (3·sin) carries the most.
        Assert.Equal(0, Array.IndexOf(importance, importance.Max()));
        Assert.True(importance[4] < importance[0] / 20);
    }

    private static (TreeEnsembleModel Model, TrainingSet Data) Train(string kind)
    {
        var small = new GradientBoostingOptions { NumberOfTrees = 15 };
        return kind switch
        {
            "regression-8-leaves" => Fit(LearningTask.Regression, SyntheticData.Regression(600, 47), leaves: 8),
            "multiclass-8-leaves" => Fit(LearningTask.MulticlassClassification, SyntheticData.Multiclass(600, 48), leaves: 8),
            "regression" => Fit(LearningTask.Regression, SyntheticData.Regression(600, 41)),
            "binary" => Fit(LearningTask.BinaryClassification, SyntheticData.Binary(600, 42)),
            "multiclass" => Fit(LearningTask.MulticlassClassification, SyntheticData.Multiclass(600, 43)),
            "ranking" => Fit(LearningTask.Ranking, SyntheticData.Ranking(60, 44)),
            "forest-regression" => Forest(LearningTask.Regression, SyntheticData.Regression(600, 45)),
            _ => Forest(LearningTask.MulticlassClassification, SyntheticData.Multiclass(600, 46)),
        };

        (TreeEnsembleModel, TrainingSet) Fit(LearningTask task, TrainingSet data, int? leaves = null)
        {
            WithMissing(data);
            var options = leaves is { } l ? small with { NumberOfLeaves = l } : small;
            return (new GradientBoostingTrainer(options).Fit(task, data), data);
        }

        static (TreeEnsembleModel, TrainingSet) Forest(LearningTask task, TrainingSet data)
        {
            WithMissing(data);
            return (new RandomForestTrainer(new() { NumberOfTrees = 10 }).Fit(task, data), data);
        }
    }

    private static void WithMissing(TrainingSet data)
    {
        for (var i = 0; i < data.Rows; i += 7)
        {
            data.Features[i, i % 5] = float.NaN;
        }
    }

    /// <summary>Shapley value of feature i with the path-dependent (cover-weighted) value function.</summary>
    private static double BruteForceShapley(RegressionTree tree, float[] row, int feature, int features)
    {
        double total = 0;
        var others = Enumerable.Range(0, features).Where(f => f != feature).ToArray();
        for (var mask = 0; mask < 1 << others.Length; mask++)
        {
            var set = new HashSet<int>();
            for (var b = 0; b < others.Length; b++)
            {
                if ((mask & (1 << b)) != 0)
                {
                    set.Add(others[b]);
                }
            }

            var weight = Factorial(set.Count) * Factorial(features - set.Count - 1) / Factorial(features);
            var without = Conditional(tree, 0, row, set);
            set.Add(feature);
            total += weight * (Conditional(tree, 0, row, set) - without);
        }

        return total;
    }

    private static double Conditional(RegressionTree tree, int node, float[] row, HashSet<int> known)
    {
        if (tree.Nodes.Length == 0)
        {
            return tree.LeafValues[0];
        }

        if (node < 0)
        {
            return tree.LeafValues[~node];
        }

        var n = tree.Nodes[node];
        if (known.Contains(n.Feature))
        {
            return Conditional(tree, n.Next(row[n.Feature]), row, known);
        }

        var cover = tree.NodeCovers[node];
        return ((Cover(tree, n.Left) * Conditional(tree, n.Left, row, known)) + (Cover(tree, n.Right) * Conditional(tree, n.Right, row, known))) / cover;
    }

    private static double Cover(RegressionTree tree, int child) => child < 0 ? tree.LeafCovers[~child] : tree.NodeCovers[child];

    private static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);
}
