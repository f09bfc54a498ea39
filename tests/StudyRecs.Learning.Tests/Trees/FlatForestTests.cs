using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;

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

        var k = model.OutputCount;
        var walked = new double[k];
        var plain = new double[k];
        for (var i = 0; i < test.Rows; i++)
        {
            var row = test.Features.Row(i);
            model.PredictRaw(row, walked);
            model.InitialScores.CopyTo(plain, 0);
            double sum = 0;
            for (var t = 0; t < model.Trees.Length; t++)
            {
                if (k == 1)
                {
                    sum += model.Trees[t].Predict(row);
                }
                else
                {
                    plain[t % k] += model.Trees[t].Predict(row);
                }
            }

            if (k == 1)
            {
                plain[0] += sum;
            }

            Assert.Equal(plain, walked);
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
