using StudyRecs.Learning.Data;

namespace StudyRecs.Learning;

/// <summary>
/// A trained model, whichever learner or library made it. Rows are raw feature values in training column order,
/// NaN for missing. Implementations are immutable and safe to call from many threads at once.
/// </summary>
public interface IModel
{
    /// <summary>What the model predicts.</summary>
    LearningTask Task { get; }

    /// <summary>The algorithm that trained it: "gbdt", "forest", "fasttree", ...</summary>
    string Algorithm { get; }

    /// <summary>The artifact format <see cref="Save"/> writes, e.g. "studyrecs-trees" (see <see cref="Serialization.ModelFormats"/>).</summary>
    string Format { get; }

    /// <summary>Number of input features.</summary>
    int FeatureCount { get; }

    /// <summary>Feature names in column order.</summary>
    IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Classes predicted: 2 for binary, K for multiclass, 0 for regression and ranking.</summary>
    int ClassCount { get; }

    /// <summary>Names of classes by index (may be empty when the learner was not given any).</summary>
    IReadOnlyList<string> ClassLabels { get; }

    /// <summary>Free-form metadata stored with the model (data set, version, ...).</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// The prediction for one row: the value (regression), the score (ranking), the probability of class 1 (binary),
    /// or the most probable class index (multiclass).
    /// </summary>
    double Predict(ReadOnlySpan<float> row);

    /// <summary>Class probabilities of one row into <paramref name="probabilities"/> (length <see cref="ClassCount"/>).</summary>
    void PredictProbabilities(ReadOnlySpan<float> row, Span<double> probabilities);

    /// <summary><see cref="Predict"/> for every row.</summary>
    double[] PredictBatch(DenseMatrix rows, int? threads = null);

    /// <summary>Class probabilities of every row (row-major, rows × <see cref="ClassCount"/>).</summary>
    double[] PredictProbabilitiesBatch(DenseMatrix rows, int? threads = null);

    /// <summary>A copy of this model with <paramref name="metadata"/> merged into its metadata.</summary>
    IModel WithMetadata(IReadOnlyDictionary<string, string> metadata);

    /// <summary>Writes the model in its <see cref="Format"/>; <see cref="Serialization.ModelFormats"/> reads it back.</summary>
    void Save(Stream stream);
}

/// <summary>A model that explains its raw outputs with exact TreeSHAP contributions.</summary>
public interface IExplainableModel
{
    /// <summary>Raw outputs per row: the class count for multiclass, 1 otherwise.</summary>
    int OutputCount { get; }

    /// <summary>
    /// Exact TreeSHAP contributions of one row in raw-output space: for each output k, one contribution per feature
    /// followed by the expected value, laid out at k × (FeatureCount + 1). Per output they sum to the raw output.
    /// </summary>
    double[] Explain(ReadOnlySpan<float> row);
}

/// <summary>A model that can say how much each feature served it (total split gain, in column order).</summary>
public interface IFeatureImportanceModel
{
    /// <summary>Importance per feature in column order, unnormalised.</summary>
    double[] FeatureImportance();
}

/// <summary>A model whose own format can store a probability calibrator beside it (see <see cref="Calibration.CalibratedModel"/>).</summary>
public interface ICalibratorStoringModel
{
    /// <summary>Writes the model with <paramref name="calibrator"/> applied to its probabilities when loaded.</summary>
    void Save(Stream stream, Calibration.ProbabilityCalibrator calibrator);
}

/// <summary>Access to optional capabilities through wrapping models.</summary>
public static class ModelCapabilities
{
    /// <summary>
    /// The model as <typeparamref name="T"/>, looking through wrappers (a calibrated model explains and weighs features
    /// as the model it wraps: calibration only moves probabilities, not raw outputs); null when it lacks the capability.
    /// </summary>
    public static T? As<T>(this IModel model)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(model);
        return model switch
        {
            T capable => capable,
            Calibration.CalibratedModel calibrated => calibrated.Uncalibrated.As<T>(),
            _ => null,
        };
    }

    /// <summary>The model in its format, as bytes.</summary>
    public static byte[] ToBytes(this IModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var buffer = new MemoryStream();
        model.Save(buffer);
        return buffer.ToArray();
    }
}
