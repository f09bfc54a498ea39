using Microsoft.ML;
using Microsoft.ML.Data;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Serialization;

namespace StudyRecs.Learning.MLNet;

/// <summary>
/// The artifact of an ML.NET model, framed like the engine's models (signature "SRML", format version, payload
/// length, payload, SHA-256 of the payload): the task, algorithm, feature and class names, the imputation, metadata,
/// an optional probability calibrator, the trees for TreeSHAP with their covers (in the engine's format) and ML.NET's
/// own model .zip with its input schema. Reading checks all of it, the .zip's schema included.
/// </summary>
public sealed class MLNetModelFormat : IModelFormat
{
    /// <summary>The <see cref="IModel.Format"/> of ML.NET models.</summary>
    public const string FormatName = "mlnet";

    /// <summary>The format version this build writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "SRML"u8;

    /// <summary>The one instance.</summary>
    public static MLNetModelFormat Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => FormatName;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Signature { get; } = "SRML"u8.ToArray();

    /// <summary>The engine's formats and this one.</summary>
    public static ModelFormats WithEngine { get; } = ModelFormats.Engine.With(Instance);

    /// <inheritdoc/>
    public IModel Read(Stream stream) =>
        ModelSerializer.ReadFramed(stream, Magic, FormatVersion, "a StudyRecs ML.NET model", (r, _) => ReadPayload(r));

    internal static void Write(MLNetModel model, ProbabilityCalibrator? calibrator, Stream stream)
    {
        var zip = model.ModelZip();
        var explainer = model.Explainer?.ToBytes();
        ModelSerializer.WriteFramed(stream, Magic, FormatVersion, w =>
        {
            w.Write((int)model.Task);
            w.Write(model.Algorithm);
            w.Write(model.ClassCount);
            WriteStrings(w, model.FeatureNames);
            WriteStrings(w, model.ClassLabels);
            foreach (var fill in model.Imputer.FillValues)
            {
                w.Write(fill);
            }

            w.Write(model.Imputer.IndicatorColumns.Length);
            foreach (var column in model.Imputer.IndicatorColumns)
            {
                w.Write(column);
            }

            ModelSerializer.WriteDictionary(w, model.Metadata);
            ModelSerializer.WriteCalibrator(w, calibrator);
            WriteBytes(w, explainer ?? []);
            WriteBytes(w, zip);
        });
    }

    private static IModel ReadPayload(BinaryReader r)
    {
        var task = (LearningTask)r.ReadInt32();
        ModelSerializer.Check(Enum.IsDefined(task), "unknown task");
        var algorithm = r.ReadString();
        var classes = r.ReadInt32();
        ModelSerializer.Check(task is LearningTask.Regression or LearningTask.Ranking ? classes == 0 : classes >= 2, "the class count does not fit the task");
        var names = ReadStrings(r);
        var labels = ReadStrings(r);
        var fill = new float[names.Length];
        for (var f = 0; f < fill.Length; f++)
        {
            fill[f] = r.ReadSingle();
        }

        var indicators = new int[ModelSerializer.Count(r)];
        for (var j = 0; j < indicators.Length; j++)
        {
            indicators[j] = r.ReadInt32();
            ModelSerializer.Check(indicators[j] >= 0 && indicators[j] < names.Length && (j == 0 || indicators[j] > indicators[j - 1]), "an indicator watches an unknown column");
        }

        var imputer = new MissingValueImputer(fill, indicators);
        var metadata = ModelSerializer.ReadDictionary(r);
        var calibrator = ModelSerializer.ReadCalibrator(r);
        ModelSerializer.Check(calibrator is null || calibrator.ClassCount == classes, "the calibrator does not fit the classes");
        var explainerBytes = ReadBytes(r);
        var explainer = explainerBytes.Length == 0 ? null : TreeEnsembleModel.FromBytes(explainerBytes);
        ModelSerializer.Check(explainer is null || explainer.FeatureCount == imputer.OutputCount, "the trees do not fit the features");
        var zip = ReadBytes(r);

        var context = new MLContext(0);
        ITransformer transformer;
        DataViewSchema schema;
        try
        {
            using var zipStream = new MemoryStream(zip, writable: false);
            transformer = context.Model.Load(zipStream, out schema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelFormatException("The model file is corrupt: its ML.NET model cannot be loaded: " + e.Message, e);
        }

        var features = schema.GetColumnOrNull(LabelledRow.FeaturesColumn);
        ModelSerializer.Check(features?.Type is VectorDataViewType vector && vector.Size == imputer.OutputCount, "the ML.NET model's input schema does not fit the features");
        var model = MLNetModel.Create(context, transformer, imputer, task, algorithm, names, labels, classes, explainer, metadata);
        return calibrator is null ? model : new CalibratedModel(model, calibrator);
    }

    private static void WriteStrings(BinaryWriter w, IReadOnlyList<string> values)
    {
        w.Write(values.Count);
        foreach (var value in values)
        {
            w.Write(value);
        }
    }

    private static string[] ReadStrings(BinaryReader r)
    {
        var values = new string[ModelSerializer.Count(r)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = r.ReadString();
        }

        return values;
    }

    private static void WriteBytes(BinaryWriter w, byte[] bytes)
    {
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader r)
    {
        var length = ModelSerializer.Count(r);
        var bytes = r.ReadBytes(length);
        ModelSerializer.Check(bytes.Length == length, "a part is truncated");
        return bytes;
    }
}
