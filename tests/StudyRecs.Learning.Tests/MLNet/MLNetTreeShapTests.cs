using StudyRecs.Learning.Data;
using StudyRecs.Learning.MLNet;

namespace StudyRecs.Learning.Tests.MLNet;

public class MLNetTreeShapTests
{
    public static TheoryData<MLNetTrainer, LearningTask> Explained()
    {
        var data = new TheoryData<MLNetTrainer, LearningTask>();
        foreach (var trainer in Enum.GetValues<MLNetTrainer>())
        {
            data.Add(trainer, LearningTask.Regression);
            data.Add(trainer, LearningTask.BinaryClassification);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Explained))]
    public void Contributions_plus_the_expected_value_equal_the_raw_score(MLNetTrainer trainer, LearningTask task)
    {
        var train = MLNetLearnerTests.WithMissingCells(MLNetLearnerTests.Data(task, 700, seed: 61));
        var model = new MLNetLearner(new MLNetTreeOptions { Trainer = trainer, NumberOfTrees = 30, NumberOfLeaves = 8, MinimumExampleCountPerLeaf = 5 }).Fit(task, train, 1);
        var explained = Assert.IsType<ExplainableMLNetModel>(model);
        var importance = explained.FeatureImportance();
        Assert.Equal(5, importance.Length);
        Assert.True(importance.Sum() > 0);

        for (var i = 0; i < 60; i++)
        {
            var row = train.Features.Row(i);
            var shap = explained.Explain(row);
            Assert.Equal(6, shap.Length);
            var raw = explained.RawScore(row);
            Assert.Equal(raw, shap.Sum(), Math.Max(1e-4, Math.Abs(raw) * 1e-5));
        }

        // A missing cell's effect lands on its own feature (filled value and indicator together).
        var missing = train.Features.Row(0).ToArray();
        Assert.True(float.IsNaN(missing[1]));
        Assert.Equal(explained.RawScore(missing), explained.Explain(missing).Sum(), 1e-3);
    }

    [Fact]
    public void The_expected_value_is_the_mean_raw_score_over_the_training_rows()
    {
        var train = MLNetLearnerTests.Data(LearningTask.Regression, 500, seed: 62);
        var model = (ExplainableMLNetModel)new MLNetLearner(new MLNetTreeOptions { NumberOfTrees = 20, NumberOfLeaves = 6 }).Fit(LearningTask.Regression, train, 1);
        var mean = Enumerable.Range(0, train.Rows).Average(i => model.RawScore(train.Features.Row(i)));
        Assert.Equal(mean, model.Explain(train.Features.Row(0))[^1], 1e-3);
    }

    [Fact]
    public void Multiclass_models_offer_no_explanation()
    {
        var train = MLNetLearnerTests.Data(LearningTask.MulticlassClassification, 300, seed: 63);
        var model = new MLNetLearner(new MLNetTreeOptions { NumberOfTrees = 10, NumberOfLeaves = 4 }).Fit(LearningTask.MulticlassClassification, train, 1);
        Assert.Null(model.As<IExplainableModel>());
        Assert.IsNotType<ExplainableMLNetModel>(model);
        Assert.Equal(3, model.ClassCount);
        Assert.Equal(["low", "mid", "high"], model.ClassLabels);
    }
}
