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
