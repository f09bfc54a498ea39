namespace StudyRecs.Learning.Calibration;

/// <summary>
/// Maps a classifier's probabilities to better calibrated ones. Fit it on held-out rows
/// (not the rows the model was trained on) and wrap the model in a <see cref="CalibratedModel"/>.
/// </summary>
public abstract class ProbabilityCalibrator
{
    private protected ProbabilityCalibrator()
    {
    }

    /// <summary>Number of classes the calibrator expects.</summary>
    public abstract int ClassCount { get; }

    /// <summary>Rewrites one row's class probabilities in place.</summary>
    public abstract void Calibrate(Span<double> probabilities);

    /// <summary>Probability clipped away from 0 and 1 so logits stay finite.</summary>
    private protected static double Clip(double p) => Math.Clamp(p, 1e-15, 1 - 1e-15);
}
