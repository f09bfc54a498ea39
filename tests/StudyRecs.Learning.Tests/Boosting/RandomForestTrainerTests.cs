using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Metrics;

namespace StudyRecs.Learning.Tests.Boosting;

public class RandomForestTrainerTests
{
    [Fact]
    public void Defaults_are_FastForest_defaults()
    {
        var o = new RandomForestOptions();
        Assert.Equal(100, o.NumberOfTrees);
        Assert.Equal(20, o.NumberOfLeaves);
        Assert.Equal(10, o.MinimumExampleCountPerLeaf);
    }

    [Fact]
    public void Regression_forest_fits_a_known_function()
    {
        var train = SyntheticData.Regression(3000, seed: 21);
        var test = SyntheticData.Regression(500, seed: 22);
        var model = new RandomForestTrainer(new() { NumberOfTrees = 50, NumberOfLeaves = 64, MinimumExampleCountPerLeaf = 3 }).Fit(LearningTask.Regression, train);
        Assert.Equal("forest", model.Algorithm);
        var metrics = RegressionMetrics.Compute(model.PredictBatch(test.Features), test.Labels);
        Assert.True(metrics.R2 > 0.75, $"R² {metrics.R2}");
    }

    [Fact]
    public void Classification_forest_averages_class_frequencies_into_probabilities()
    {
        var train = SyntheticData.Multiclass(2000, seed: 23);
        var test = SyntheticData.Multiclass(500, seed: 24);
        var model = new RandomForestTrainer(new() { NumberOfTrees = 40, NumberOfLeaves = 32 }).Fit(LearningTask.MulticlassClassification, train);
        var probabilities = model.PredictProbabilitiesBatch(test.Features);
        for (var i = 0; i < test.Rows; i++)
        {
            Assert.Equal(1.0, probabilities[3 * i] + probabilities[(3 * i) + 1] + probabilities[(3 * i) + 2], 9);
            Assert.All(probabilities.Skip(3 * i).Take(3), p => Assert.InRange(p, 0, 1));
        }

        var metrics = ClassificationMetrics.Compute(probabilities, test.Labels, 3);
        Assert.True(metrics.Accuracy > 0.7, $"accuracy {metrics.Accuracy}");
    }

    [Fact]
    public void Binary_forest_is_deterministic_for_a_seed()
    {
        var train = SyntheticData.Binary(1000, seed: 25);
        var a = new RandomForestTrainer(new() { NumberOfTrees = 10, Seed = 5 }).Fit(LearningTask.BinaryClassification, train).ToBytes();
        var b = new RandomForestTrainer(new() { NumberOfTrees = 10, Seed = 5 }).Fit(LearningTask.BinaryClassification, train).ToBytes();
        var c = new RandomForestTrainer(new() { NumberOfTrees = 10, Seed = 6 }).Fit(LearningTask.BinaryClassification, train).ToBytes();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Forest_refuses_ranking()
    {
        var data = SyntheticData.Ranking(5, seed: 1);
        Assert.Throws<ArgumentException>(() => new RandomForestTrainer().Fit(LearningTask.Ranking, data));
    }
}
