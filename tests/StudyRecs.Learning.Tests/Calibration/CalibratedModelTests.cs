using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Serialization;

namespace StudyRecs.Learning.Tests.Calibration;

public class CalibratedModelTests
{
    [Fact]
    public void Wrapping_calibrates_probabilities_as_the_engine_calibrator_does_and_saves_as_one_calibrated_tree_model()
    {
        var data = SyntheticData.Multiclass(500, seed: 21);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 30 }).Fit(LearningTask.MulticlassClassification, data);
        var calibrator = new TemperatureCalibrator(1.7, 3);
        var wrapped = new CalibratedModel(model, calibrator);
        var engine = model.WithCalibrator(calibrator);

        Assert.Equal(engine.PredictProbabilitiesBatch(data.Features), wrapped.PredictProbabilitiesBatch(data.Features));
        Assert.Equal(engine.PredictBatch(data.Features), wrapped.PredictBatch(data.Features));
        var row = data.Features.Row(7);
        Span<double> expected = stackalloc double[3];
        Span<double> actual = stackalloc double[3];
        engine.PredictProbabilities(row, expected);
        wrapped.PredictProbabilities(row, actual);
        Assert.Equal(expected.ToArray(), actual.ToArray());
        Assert.Equal(engine.Predict(row), wrapped.Predict(row));

        var loaded = Assert.IsType<TreeEnsembleModel>(ModelFormats.Engine.Load(wrapped.WithMetadata(new Dictionary<string, string> { ["version"] = "v1" }).ToBytes()));
        Assert.Equal(1.7, Assert.IsType<TemperatureCalibrator>(loaded.Calibrator).Temperature);
        Assert.Equal("v1", loaded.Metadata["version"]);
        Assert.Equal(engine.PredictProbabilitiesBatch(data.Features), loaded.PredictProbabilitiesBatch(data.Features));
    }

    [Fact]
    public void Explanations_and_importance_are_the_wrapped_models()
    {
        var data = SyntheticData.Binary(300, seed: 22);
        var model = new GradientBoostingTrainer(new() { NumberOfTrees = 10 }).Fit(LearningTask.BinaryClassification, data);
        var wrapped = new CalibratedModel(model, new PlattCalibrator(0.5, 0.1));

        Assert.Same(model, wrapped.As<IExplainableModel>());
        Assert.Same(model, wrapped.As<IFeatureImportanceModel>());
        Assert.Same(model, wrapped.As<ICalibratorStoringModel>());
    }

    [Fact]
    public void A_calibrator_for_another_class_count_or_a_regression_model_is_refused()
    {
        var data = SyntheticData.Regression(200, seed: 23);
        var regression = new GradientBoostingTrainer(new() { NumberOfTrees = 5 }).Fit(LearningTask.Regression, data);
        Assert.Throws<ArgumentException>(() => new CalibratedModel(regression, new PlattCalibrator(1, 0)));
        var multiclass = new GradientBoostingTrainer(new() { NumberOfTrees = 5 }).Fit(LearningTask.MulticlassClassification, SyntheticData.Multiclass(200, seed: 24));
        Assert.Throws<ArgumentException>(() => new CalibratedModel(multiclass, new TemperatureCalibrator(1, 4)));
    }

    [Fact]
    public void Model_formats_refuse_bytes_of_no_known_format()
    {
        var error = Assert.Throws<ModelFormatException>(() => ModelFormats.Engine.Load("PK\u0003\u0004 not a model"u8.ToArray()));
        Assert.Contains(EngineInfo.TreeFormat, error.Message, StringComparison.Ordinal);
    }
}
