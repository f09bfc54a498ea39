using StudyRecs.Learning.Metrics;

namespace StudyRecs.Learning.Tests.Metrics;

public class MetricsTests
{
    [Fact]
    public void Regression_metrics_match_hand_computed_values()
    {
        // errors 1, -1, 2, 0; actual mean 4, SST = 9 + 1 + 1 + 9 = 20.
        var m = RegressionMetrics.Compute([2.0, 2, 7, 7], [1f, 3, 5, 7]);
        Assert.Equal(Math.Sqrt(6 / 4.0), m.Rmse, 12);
        Assert.Equal(1.0, m.Mae, 12);
        Assert.Equal(1 - (6 / 20.0), m.R2, 12);
    }

    [Fact]
    public void Classification_metrics_match_hand_computed_values()
    {
        // 3 classes, 5 rows: actual 0,0,1,2,2; predicted 0,1,1,2,0.
        double[] p =
        [
            0.7, 0.2, 0.1,
            0.3, 0.6, 0.1,
            0.1, 0.8, 0.1,
            0.2, 0.2, 0.6,
            0.5, 0.1, 0.4,
        ];
        var m = ClassificationMetrics.Compute(p, [0f, 0, 1, 2, 2], 3);
        Assert.Equal(0.6, m.Accuracy, 12);
        Assert.Equal(1, m.Confusion(0, 0));
        Assert.Equal(1, m.Confusion(0, 1));
        Assert.Equal(1, m.Confusion(2, 0));
        // class 0: P 1/2, R 1/2, F1 1/2; class 1: P 1/2, R 1, F1 2/3; class 2: P 1, R 1/2, F1 2/3.
        Assert.Equal(0.5, m.PerClass[0].F1, 12);
        Assert.Equal(2 / 3.0, m.PerClass[1].F1, 12);
        Assert.Equal(1.0, m.PerClass[2].Precision, 12);
        Assert.Equal(0.5, m.PerClass[2].Recall, 12);
        Assert.Equal((0.5 + (2 / 3.0) + (2 / 3.0)) / 3, m.MacroF1, 12);
        Assert.Equal(((0.5 * 2) + (2 / 3.0) + (2 / 3.0 * 2)) / 5, m.WeightedF1, 12);
        Assert.Equal(-(Math.Log(0.7) + Math.Log(0.3) + Math.Log(0.8) + Math.Log(0.6) + Math.Log(0.4)) / 5, m.LogLoss, 12);
        // Brier of class 0: (0.3² + 0.7² + 0.1² + 0.2² + 0.5²) / 5.
        Assert.Equal((0.09 + 0.49 + 0.01 + 0.04 + 0.25) / 5, m.PerClass[0].Brier, 12);
        Assert.Equal(m.PerClass.Average(c => c.Brier), m.BrierMacro, 12);
    }

    [Fact]
    public void Binary_macro_brier_equals_the_usual_brier_score()
    {
        double[] p = [0.9, 0.1, 0.4, 0.6, 0.2, 0.8];
        var m = ClassificationMetrics.Compute(p, [0f, 1, 0], 2);
        Assert.Equal((0.01 + 0.16 + 0.64) / 3, m.BrierMacro, 12);
    }

    [Fact]
    public void Calibration_curve_groups_rows_by_predicted_probability()
    {
        var curve = ClassificationMetrics.CalibrationCurve([0.05, 0.15, 0.12, 0.95, 1.0], [false, true, false, true, true], bins: 10);
        Assert.Equal(3, curve.Count);
        Assert.Equal(0.0, curve[0].Lower);
        Assert.Equal(2, curve[1].Count);
        Assert.Equal(0.135, curve[1].MeanPredicted, 12);
        Assert.Equal(0.5, curve[1].ObservedFrequency, 12);
        Assert.Equal(1.0, curve[2].ObservedFrequency, 12);
    }
}
