using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;

namespace StudyRecs.Learning.MLNet;

/// <summary>
/// A fitted ML.NET model behind the <see cref="IModel"/> interface: rows are imputed as in training, single rows go
/// through pooled prediction engines (an engine is not thread-safe) or, for FastTree and LightGbm regression, through
/// the same trees read out of the model (<see cref="TreeScorer"/>), batches through the transformer. Regression and
/// binary models explain their raw score with exact TreeSHAP over their trees (<see cref="ExplainableMLNetModel"/>).
/// </summary>
public class MLNetModel : IModel, ICalibratorStoringModel
{
    private readonly MLContext _context;
    private readonly ConcurrentBag<Worker> _workers = [];

    private protected MLNetModel(
        MLContext context, ITransformer transformer, MissingValueImputer imputer, LearningTask task, string algorithm,
        IReadOnlyList<string> featureNames, IReadOnlyList<string> classLabels, int classCount, IReadOnlyDictionary<string, string> metadata)
    {
        if (featureNames.Count != imputer.InputCount)
        {
            throw new ArgumentException("One feature name per input column is required.", nameof(featureNames));
        }

        _context = context;
        Transformer = transformer;
        Imputer = imputer;
        Task = task;
        Algorithm = algorithm;
        FeatureNames = featureNames;
        ClassLabels = classLabels;
        ClassCount = classCount;
        Metadata = metadata;
    }

    /// <inheritdoc/>
    public LearningTask Task { get; }

    /// <inheritdoc/>
    public string Algorithm { get; }

    /// <inheritdoc/>
    public string Format => MLNetModelFormat.FormatName;

    /// <inheritdoc/>
    public int FeatureCount => Imputer.InputCount;

    /// <inheritdoc/>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    internal ITransformer Transformer { get; }

    internal MissingValueImputer Imputer { get; }

    /// <summary>The trees as an engine model over the trainer's columns, or null (multiclass).</summary>
    internal virtual TreeEnsembleModel? Explainer => null;

    /// <summary>
    /// The trees that score single rows in place of a prediction engine, or null. ML.NET's FastTree and LightGbm
    /// regression score a row as the float of the sum of their trees' leaves in tree order, which the explainer's
    /// trees (weights 1, no bias) give bit for bit, several times faster (tested on both, fitted and reloaded);
    /// FastForest averages in single precision and binary models calibrate, so they keep ML.NET's engines.
    /// </summary>
    internal virtual TreeEnsembleModel? TreeScorer => null;

    internal static MLNetModel Create(
        MLContext context, ITransformer transformer, MissingValueImputer imputer, LearningTask task, string algorithm,
        IReadOnlyList<string> featureNames, IReadOnlyList<string> classLabels, int classCount, TreeEnsembleModel? explainer,
        IReadOnlyDictionary<string, string> metadata) => explainer is null
            ? new MLNetModel(context, transformer, imputer, task, algorithm, featureNames, classLabels, classCount, metadata)
            : new ExplainableMLNetModel(context, transformer, imputer, task, algorithm, featureNames, classLabels, classCount, explainer, metadata);

    /// <inheritdoc/>
    public double Predict(ReadOnlySpan<float> row)
    {
        switch (Task)
        {
            case LearningTask.Regression or LearningTask.Ranking:
                return RawScore(row);
            case LearningTask.BinaryClassification:
                {
                    Span<double> p = stackalloc double[2];
                    PredictProbabilities(row, p);
                    return p[1];
                }

            default:
                {
                    Span<double> p = stackalloc double[ClassCount];
                    PredictProbabilities(row, p);
                    var best = 0;
                    for (var c = 1; c < p.Length; c++)
                    {
                        best = p[c] > p[best] ? c : best;
                    }

                    return best;
                }
        }
    }

    /// <inheritdoc/>
    public void PredictProbabilities(ReadOnlySpan<float> row, Span<double> probabilities)
    {
        if (ClassCount == 0)
        {
            throw new InvalidOperationException($"A {Task} model has no class probabilities.");
        }

        CheckRow(row);
        var worker = Rent();
        try
        {
            Imputer.Transform(row, worker.Input.Features);
            if (Task == LearningTask.BinaryClassification)
            {
                worker.Binary!.Predict(worker.Input, ref worker.BinaryOutput);
                probabilities[1] = worker.BinaryOutput.Probability;
                probabilities[0] = 1 - probabilities[1];
            }
            else
            {
                worker.Multiclass!.Predict(worker.Input, ref worker.MulticlassOutput);
                Normalise(worker.MulticlassOutput.Score, probabilities[..ClassCount]);
            }
        }
        finally
        {
            _workers.Add(worker);
        }
    }

    /// <summary>The model's raw score of one row: the value (regression), the score (ranking) or the uncalibrated margin (binary).</summary>
    public double RawScore(ReadOnlySpan<float> row)
    {
        if (Task == LearningTask.MulticlassClassification)
        {
            throw new InvalidOperationException("A multiclass model has one score per class.");
        }

        CheckRow(row);
        if (TreeScorer is { } trees)
        {
            Span<float> columns = stackalloc float[Imputer.OutputCount];
            Imputer.Transform(row, columns);
            return (float)trees.Predict(columns);
        }

        var worker = Rent();
        try
        {
            Imputer.Transform(row, worker.Input.Features);
            if (Task is LearningTask.Regression or LearningTask.Ranking)
            {
                worker.Regression!.Predict(worker.Input, ref worker.ScoreOutput);
                return worker.ScoreOutput.Score;
            }

            worker.Binary!.Predict(worker.Input, ref worker.BinaryOutput);
            return worker.BinaryOutput.Score;
        }
        finally
        {
            _workers.Add(worker);
        }
    }

    /// <inheritdoc/>
    public double[] PredictBatch(DenseMatrix rows, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (Task is LearningTask.Regression or LearningTask.Ranking)
        {
            return Column(rows, "Score");
        }

        var k = ClassCount;
        var probabilities = PredictProbabilitiesBatch(rows, threads);
        var result = new double[rows.Rows];
        for (var i = 0; i < result.Length; i++)
        {
            var p = probabilities.AsSpan(i * k, k);
            if (k == 2)
            {
                result[i] = p[1];
                continue;
            }

            var best = 0;
            for (var c = 1; c < k; c++)
            {
                best = p[c] > p[best] ? c : best;
            }

            result[i] = best;
        }

        return result;
    }

    /// <inheritdoc/>
    public double[] PredictProbabilitiesBatch(DenseMatrix rows, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (ClassCount == 0)
        {
            throw new InvalidOperationException($"A {Task} model has no class probabilities.");
        }

        if (Task == LearningTask.BinaryClassification)
        {
            var p1 = Column(rows, "Probability");
            var binary = new double[rows.Rows * 2];
            for (var i = 0; i < p1.Length; i++)
            {
                binary[(2 * i) + 1] = p1[i];
                binary[2 * i] = 1 - p1[i];
            }

            return binary;
        }

        var k = ClassCount;
        var scores = Transformer.Transform(Load(rows)).GetColumn<float[]>("Score").ToArray();
        var result = new double[rows.Rows * k];
        for (var i = 0; i < scores.Length; i++)
        {
            Normalise(scores[i], result.AsSpan(i * k, k));
        }

        return result;
    }

    /// <inheritdoc/>
    public IModel WithMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var merged = new Dictionary<string, string>(Metadata, StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            merged[key] = value;
        }

        return Create(_context, Transformer, Imputer, Task, Algorithm, FeatureNames, ClassLabels, ClassCount, Explainer, merged);
    }

    /// <inheritdoc/>
    public void Save(Stream stream) => MLNetModelFormat.Write(this, null, stream);

    /// <inheritdoc/>
    void ICalibratorStoringModel.Save(Stream stream, ProbabilityCalibrator calibrator) => MLNetModelFormat.Write(this, calibrator, stream);

    /// <summary>The ML.NET model as its own .zip, with its input schema.</summary>
    internal byte[] ModelZip()
    {
        using var buffer = new MemoryStream();
        _context.Model.Save(Transformer, FeatureRow.DataSchema(_context, Imputer.OutputCount), buffer);
        return buffer.ToArray();
    }

    private protected void CheckRow(ReadOnlySpan<float> row)
    {
        if (row.Length != FeatureCount)
        {
            throw new ArgumentException($"The model expects {FeatureCount} features, got {row.Length}.", nameof(row));
        }
    }

    /// <summary>Scores from one-versus-all are not guaranteed to sum to one: clip and normalise.</summary>
    private static void Normalise(float[] scores, Span<double> probabilities)
    {
        double total = 0;
        for (var c = 0; c < probabilities.Length; c++)
        {
            probabilities[c] = c < scores.Length && float.IsFinite(scores[c]) ? Math.Max(0, scores[c]) : 0;
            total += probabilities[c];
        }

        for (var c = 0; c < probabilities.Length; c++)
        {
            probabilities[c] = total > 0 ? probabilities[c] / total : 1.0 / probabilities.Length;
        }
    }

    private double[] Column(DenseMatrix rows, string column) =>
        Transformer.Transform(Load(rows)).GetColumn<float>(column).Select(v => (double)v).ToArray();

    private IDataView Load(DenseMatrix rows)
    {
        if (rows.Columns != FeatureCount)
        {
            throw new ArgumentException($"The model expects {FeatureCount} features, got {rows.Columns}.", nameof(rows));
        }

        var width = Imputer.OutputCount;
        var inputs = new FeatureRow[rows.Rows];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = new FeatureRow { Features = new float[width] };
            Imputer.Transform(rows.Row(i), inputs[i].Features);
        }

        return _context.Data.LoadFromEnumerable(inputs, FeatureRow.Schema(width));
    }

    private Worker Rent() => _workers.TryTake(out var worker) ? worker : new Worker(this);

    /// <summary>One prediction engine with its input and output objects, used by one thread at a time.</summary>
    private sealed class Worker
    {
        public readonly FeatureRow Input;
        public readonly PredictionEngine<FeatureRow, ScoreOutput>? Regression;
        public readonly PredictionEngine<FeatureRow, BinaryOutput>? Binary;
        public readonly PredictionEngine<FeatureRow, MulticlassOutput>? Multiclass;
        public ScoreOutput ScoreOutput = new();
        public BinaryOutput BinaryOutput = new();
        public MulticlassOutput MulticlassOutput = new();

        public Worker(MLNetModel model)
        {
            var width = model.Imputer.OutputCount;
            Input = new FeatureRow { Features = new float[width] };
            var schema = FeatureRow.Schema(width);
            var engines = model._context.Model;
            switch (model.Task)
            {
                case LearningTask.Regression or LearningTask.Ranking:
                    Regression = engines.CreatePredictionEngine<FeatureRow, ScoreOutput>(model.Transformer, inputSchemaDefinition: schema);
                    break;
                case LearningTask.BinaryClassification:
                    Binary = engines.CreatePredictionEngine<FeatureRow, BinaryOutput>(model.Transformer, inputSchemaDefinition: schema);
                    break;
                default:
                    Multiclass = engines.CreatePredictionEngine<FeatureRow, MulticlassOutput>(model.Transformer, inputSchemaDefinition: schema);
                    break;
            }
        }
    }
}

/// <summary>An ML.NET regression or binary model explained by exact TreeSHAP over its trees.</summary>
public sealed class ExplainableMLNetModel : MLNetModel, IExplainableModel, IFeatureImportanceModel
{
    private readonly TreeEnsembleModel _explainer;

    internal ExplainableMLNetModel(
        MLContext context, ITransformer transformer, MissingValueImputer imputer, LearningTask task, string algorithm,
        IReadOnlyList<string> featureNames, IReadOnlyList<string> classLabels, int classCount, TreeEnsembleModel explainer,
        IReadOnlyDictionary<string, string> metadata)
        : base(context, transformer, imputer, task, algorithm, featureNames, classLabels, classCount, metadata)
    {
        if (explainer.FeatureCount != imputer.OutputCount)
        {
            throw new ArgumentException("The explainer must cover every trainer column.", nameof(explainer));
        }

        _explainer = explainer;
        TreeScorer = task == LearningTask.Regression && (algorithm is "fasttree" or "lightgbm") ? explainer : null;
    }

    /// <inheritdoc/>
    public int OutputCount => 1;

    internal override TreeEnsembleModel Explainer => _explainer;

    /// <inheritdoc/>
    internal override TreeEnsembleModel? TreeScorer { get; }

    /// <summary>
    /// Exact TreeSHAP contributions of the raw score (the value, or the binary margin before calibration): one per input
    /// feature, then the expected value. A feature's missing-indicator column counts towards that feature, so a missing
    /// cell's effect (the filled value and the indicator) is one contribution. They sum to <see cref="MLNetModel.RawScore"/>.
    /// </summary>
    public double[] Explain(ReadOnlySpan<float> row)
    {
        CheckRow(row);
        Span<float> columns = stackalloc float[Imputer.OutputCount];
        Imputer.Transform(row, columns);
        var raw = _explainer.Explain(columns);
        var result = new double[FeatureCount + 1];
        var sources = Imputer.SourceColumns();
        for (var c = 0; c < sources.Length; c++)
        {
            result[sources[c]] += raw[c];
        }

        result[FeatureCount] = raw[^1];
        return result;
    }

    /// <summary>Total split gain per input feature (an indicator's gain counts towards its feature).</summary>
    public double[] FeatureImportance()
    {
        var gains = _explainer.FeatureImportance();
        var result = new double[FeatureCount];
        var sources = Imputer.SourceColumns();
        for (var c = 0; c < sources.Length; c++)
        {
            result[sources[c]] += gains[c];
        }

        return result;
    }
}
