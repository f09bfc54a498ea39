namespace StudyRecs.Learning.Calibration;

/// <summary>
/// Platt scaling for binary classifiers: p' = σ(A·logit(p) + B), with A and B fitted by
/// Newton's method on the log loss of held-out rows (Platt's smoothed targets).
/// </summary>
public sealed class PlattCalibrator : ProbabilityCalibrator
{
    /// <summary>Creates a calibrator from known coefficients.</summary>
    public PlattCalibrator(double slope, double intercept)
    {
        if (!double.IsFinite(slope) || !double.IsFinite(intercept))
        {
            throw new ArgumentException("Platt coefficients must be finite.");
        }

        Slope = slope;
        Intercept = intercept;
    }

    /// <summary>A: multiplies the logit of the uncalibrated probability.</summary>
    public double Slope { get; }

    /// <summary>B: added to the scaled logit.</summary>
    public double Intercept { get; }

    /// <inheritdoc/>
    public override int ClassCount => 2;

    /// <summary>Fits A and B on positive-class probabilities and 0/1 labels of held-out rows.</summary>
    public static PlattCalibrator Fit(ReadOnlySpan<double> positiveProbabilities, ReadOnlySpan<float> labels)
    {
        if (positiveProbabilities.Length != labels.Length || labels.IsEmpty)
        {
            throw new ArgumentException("Need one label per probability and at least one row.");
        }

        double positives = 0;
        foreach (var y in labels)
        {
            positives += y;
        }

        var negatives = labels.Length - positives;
        var hiTarget = (positives + 1) / (positives + 2);
        var loTarget = 1 / (negatives + 2);
        var x = new double[labels.Length];
        var targets = new double[labels.Length];
        for (var i = 0; i < x.Length; i++)
        {
            targets[i] = labels[i] > 0.5f ? hiTarget : loTarget;
            var p = Clip(positiveProbabilities[i]);
            x[i] = Math.Log(p / (1 - p));
        }

        double a = 1, b = 0;
        var loss = Loss(a, b);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
            for (var i = 0; i < x.Length; i++)
            {
                var p = 1 / (1 + Math.Exp(-((a * x[i]) + b)));
                var r = p - targets[i];
                var w = p * (1 - p);
                ga += r * x[i];
                gb += r;
                haa += w * x[i] * x[i];
                hab += w * x[i];
                hbb += w;
            }

            var det = (haa * hbb) - (hab * hab);
            if (Math.Abs(det) < 1e-300)
            {
                break;
            }

            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;

            // Backtracking keeps Newton from overshooting on extreme logits.
            var step = 1.0;
            var improved = false;
            while (step > 1e-10)
            {
                var candidate = Loss(a - (step * da), b - (step * db));
                if (candidate <= loss)
                {
                    a -= step * da;
                    b -= step * db;
                    improved = loss - candidate > 1e-12 * Math.Max(1, loss);
                    loss = candidate;
                    break;
                }

                step /= 2;
            }

            if (!improved)
            {
                break;
            }
        }

        return new PlattCalibrator(a, b);

        double Loss(double slope, double intercept)
        {
            double total = 0;
            for (var i = 0; i < x.Length; i++)
            {
                // Log loss against the smoothed target, in a form stable for large |z|.
                var z = (slope * x[i]) + intercept;
                var t = targets[i];
                total += Math.Max(z, 0) - (z * t) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            }

            return total;
        }
    }

    /// <inheritdoc/>
    public override void Calibrate(Span<double> probabilities)
    {
        var p = Clip(probabilities[1]);
        var calibrated = 1 / (1 + Math.Exp(-((Slope * Math.Log(p / (1 - p))) + Intercept)));
        probabilities[0] = 1 - calibrated;
        probabilities[1] = calibrated;
    }
}
