using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Metrics;

namespace StudyRecs.Learning.Tests.Calibration;

public class CalibrationTests
{
    // An over-fitted booster is over-confident on new rows: calibration must pull it back.
    private static readonly GradientBoostingOptions Overconfident = new() { NumberOfTrees = 150, LearningRate = 0.8, MinimumExampleCountPerLeaf = 2, NumberOfLeaves = 31 };

    [Fact]
    public void Platt_scaling_improves_brier_score_on_held_out_rows()
    {
        var train = SyntheticData.Binary(1500, seed: 61, noise: 1.5);
        var calibration = SyntheticData.Binary(1500, seed: 62, noise: 1.5);
        var test = SyntheticData.Binary(1500, seed: 63, noise: 1.5);
        var model = new GradientBoostingTrainer(Overconfident).Fit(LearningTask.BinaryClassification, train);
        var calibrated = model.Calibrate(calibration.Features, calibration.Labels);
        var before = ClassificationMetrics.Compute(model.PredictProbabilitiesBatch(test.Features), test.Labels, 2);
        var after = ClassificationMetrics.Compute(calibrated.PredictProbabilitiesBatch(test.Features), test.Labels, 2);
        Assert.IsType<PlattCalibrator>(calibrated.Calibrator);
        Assert.True(after.BrierMacro < before.BrierMacro, $"Brier {after.BrierMacro} vs {before.BrierMacro}");
        Assert.True(after.LogLoss < before.LogLoss);
    }

    [Fact]
    public void Temperature_scaling_improves_multiclass_brier_score_on_held_out_rows()
    {
        var train = SyntheticData.Multiclass(1500, seed: 64, noise: 1.5);
        var calibration = SyntheticData.Multiclass(1500, seed: 65, noise: 1.5);
        var test = SyntheticData.Multiclass(1500, seed: 66, noise: 1.5);
        var model = new GradientBoostingTrainer(Overconfident with { NumberOfTrees = 60 }).Fit(LearningTask.MulticlassClassification, train);
        var calibrated = model.Calibrate(calibration.Features, calibration.Labels);
        var before = ClassificationMetrics.Compute(model.PredictProbabilitiesBatch(test.Features), test.Labels, 3);
        var after = ClassificationMetrics.Compute(calibrated.PredictProbabilitiesBatch(test.Features), test.Labels, 3);
        Assert.True(Assert.IsType<TemperatureCalibrator>(calibrated.Calibrator).Temperature > 1);
        Assert.True(after.BrierMacro < before.BrierMacro, $"Brier {after.BrierMacro} vs {before.BrierMacro}");
        Assert.Equal(before.Accuracy, after.Accuracy, 12);
    }

    [Fact]
    public void Platt_fit_recovers_a_known_distortion()
    {
        // True probability σ(z); the model reports σ(3z): Platt should find A ≈ 1/3.
        var random = new Random(67);
        var n = 20_000;
        var reported = new double[n];
        var labels = new float[n];
        for (var i = 0; i < n; i++)
        {
            var z = (random.NextDouble() * 6) - 3;
            reported[i] = 1 / (1 + Math.Exp(-3 * z));
            labels[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        var platt = PlattCalibrator.Fit(reported, labels);
        Assert.InRange(platt.Slope, 0.3, 0.37);
        Assert.InRange(platt.Intercept, -0.1, 0.1);
    }
}
