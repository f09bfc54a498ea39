namespace StudyRecs.Learning.Calibration;

/// <summary>
/// Temperature scaling for multiclass classifiers: p' = softmax(log(p) / T), with T fitted
/// to minimise the log loss of held-out rows.
/// </summary>
public sealed class TemperatureCalibrator : ProbabilityCalibrator
{
    private readonly int _classes;

    /// <summary>Creates a calibrator from a known temperature.</summary>
    public TemperatureCalibrator(double temperature, int classCount)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature) || classCount < 2)
        {
            throw new ArgumentException("Temperature must be positive and finite, with at least two classes.");
        }

        Temperature = temperature;
        _classes = classCount;
    }

    /// <summary>T: above 1 softens over-confident probabilities, below 1 sharpens them.</summary>
    public double Temperature { get; }

    /// <inheritdoc/>
    public override int ClassCount => _classes;

    /// <summary>
    /// Fits T on held-out probabilities (row-major, rows × classes) and class-index labels,
    /// by golden-section search on log T.
    /// </summary>
    public static TemperatureCalibrator Fit(ReadOnlySpan<double> probabilities, ReadOnlySpan<float> labels, int classCount)
    {
        if (classCount < 2 || probabilities.Length != labels.Length * classCount || labels.IsEmpty)
        {
            throw new ArgumentException("Need rows × classes probabilities, one label per row, and at least two classes.");
        }

        var logs = new double[probabilities.Length];
        for (var i = 0; i < logs.Length; i++)
        {
            logs[i] = Math.Log(Clip(probabilities[i]));
        }

        var y = labels.ToArray();
        double lo = Math.Log(0.05), hi = Math.Log(20);
        var ratio = (Math.Sqrt(5) - 1) / 2;
        var c = hi - (ratio * (hi - lo));
        var d = lo + (ratio * (hi - lo));
        double fc = Loss(c), fd = Loss(d);
        for (var iteration = 0; iteration < 60; iteration++)
        {
            if (fc < fd)
            {
                hi = d;
                d = c;
                fd = fc;
                c = hi - (ratio * (hi - lo));
                fc = Loss(c);
            }
            else
            {
                lo = c;
                c = d;
                fc = fd;
                d = lo + (ratio * (hi - lo));
                fd = Loss(d);
            }
        }

        return new TemperatureCalibrator(Math.Exp((lo + hi) / 2), classCount);

        double Loss(double logTemperature)
        {
            var inverse = 1 / Math.Exp(logTemperature);
            double total = 0;
            for (var r = 0; r < y.Length; r++)
            {
                var row = logs.AsSpan(r * classCount, classCount);
                var max = double.NegativeInfinity;
                foreach (var v in row)
                {
                    max = Math.Max(max, v * inverse);
                }

                double sum = 0;
                foreach (var v in row)
                {
                    sum += Math.Exp((v * inverse) - max);
                }

                total -= (row[(int)y[r]] * inverse) - max - Math.Log(sum);
            }

            return total;
        }
    }

    /// <inheritdoc/>
    public override void Calibrate(Span<double> probabilities)
    {
        var inverse = 1 / Temperature;
        var max = double.NegativeInfinity;
        for (var k = 0; k < probabilities.Length; k++)
        {
            probabilities[k] = Math.Log(Clip(probabilities[k])) * inverse;
            max = Math.Max(max, probabilities[k]);
        }

        double sum = 0;
        for (var k = 0; k < probabilities.Length; k++)
        {
            probabilities[k] = Math.Exp(probabilities[k] - max);
            sum += probabilities[k];
        }

        for (var k = 0; k < probabilities.Length; k++)
        {
            probabilities[k] /= sum;
        }
    }
}
