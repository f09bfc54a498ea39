using StudyRecs.Learning.Data;

namespace StudyRecs.Learning.Calibration;

/// <summary>
/// Any classifier with a <see cref="ProbabilityCalibrator"/> applied to its probabilities, so models of every learner
/// are calibrated the same way. Raw outputs, explanations and feature importance are the wrapped model's (reach them
/// with <see cref="ModelCapabilities.As{T}"/>). Saved in the wrapped model's own format, which must be able to hold a
/// calibrator (<see cref="ICalibratorStoringModel"/>).
/// </summary>
public sealed class CalibratedModel : IModel
{
    /// <summary>Wraps <paramref name="model"/>; the calibrator must expect the model's class count.</summary>
    public CalibratedModel(IModel model, ProbabilityCalibrator calibrator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibrator);
        if (calibrator.ClassCount != model.ClassCount)
        {
            throw new ArgumentException($"The calibrator expects {calibrator.ClassCount} classes; the model predicts {model.ClassCount}.", nameof(calibrator));
        }

        Uncalibrated = model;
        Calibrator = calibrator;
    }

    /// <summary>The wrapped model, whose probabilities are calibrated.</summary>
    public IModel Uncalibrated { get; }

    /// <summary>The calibrator applied to every row's probabilities.</summary>
    public ProbabilityCalibrator Calibrator { get; }

    /// <inheritdoc/>
    public LearningTask Task => Uncalibrated.Task;

    /// <inheritdoc/>
    public string Algorithm => Uncalibrated.Algorithm;

    /// <inheritdoc/>
    public string Format => Uncalibrated.Format;

    /// <inheritdoc/>
    public int FeatureCount => Uncalibrated.FeatureCount;

    /// <inheritdoc/>
    public IReadOnlyList<string> FeatureNames => Uncalibrated.FeatureNames;

    /// <inheritdoc/>
    public int ClassCount => Uncalibrated.ClassCount;

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassLabels => Uncalibrated.ClassLabels;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> Metadata => Uncalibrated.Metadata;

    /// <inheritdoc/>
    public double Predict(ReadOnlySpan<float> row)
    {
        var k = ClassCount;
        Span<double> p = stackalloc double[k];
        PredictProbabilities(row, p);
        return k == 2 ? p[1] : ArgMax(p);
    }

    /// <inheritdoc/>
    public void PredictProbabilities(ReadOnlySpan<float> row, Span<double> probabilities)
    {
        Uncalibrated.PredictProbabilities(row, probabilities);
        Calibrator.Calibrate(probabilities[..ClassCount]);
    }

    /// <inheritdoc/>
    public double[] PredictBatch(DenseMatrix rows, int? threads = null)
    {
        var k = ClassCount;
        var probabilities = PredictProbabilitiesBatch(rows, threads);
        var result = new double[rows.Rows];
        for (var i = 0; i < result.Length; i++)
        {
            var p = probabilities.AsSpan(i * k, k);
            result[i] = k == 2 ? p[1] : ArgMax(p);
        }

        return result;
    }

    /// <inheritdoc/>
    public double[] PredictProbabilitiesBatch(DenseMatrix rows, int? threads = null)
    {
        var k = ClassCount;
        var probabilities = Uncalibrated.PredictProbabilitiesBatch(rows, threads);
        for (var i = 0; i < rows.Rows; i++)
        {
            Calibrator.Calibrate(probabilities.AsSpan(i * k, k));
        }

        return probabilities;
    }

    /// <inheritdoc/>
    public IModel WithMetadata(IReadOnlyDictionary<string, string> metadata) => new CalibratedModel(Uncalibrated.WithMetadata(metadata), Calibrator);

    /// <inheritdoc/>
    public void Save(Stream stream)
    {
        var storing = Uncalibrated as ICalibratorStoringModel
            ?? throw new NotSupportedException($"A {Uncalibrated.Format} model cannot store a calibrator.");
        storing.Save(stream, Calibrator);
    }

    private static int ArgMax(ReadOnlySpan<double> p)
    {
        var best = 0;
        for (var c = 1; c < p.Length; c++)
        {
            if (p[c] > p[best])
            {
                best = c;
            }
        }

        return best;
    }
}
