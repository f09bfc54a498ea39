using System.Buffers;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Explain;
using StudyRecs.Learning.Serialization;
using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning;

/// <summary>
/// A trained tree ensemble (gradient boosting or random forest). Raw output k of a row is the
/// initial score k plus the outputs of the trees of output k (tree t belongs to output
/// t mod <see cref="OutputCount"/>). Rows are raw feature values in training column order,
/// NaN for missing. Single-row methods do not allocate; batch methods run in parallel over rows.
/// The engine's format stores a calibrator inside the model (<see cref="Calibrator"/>), so a
/// <see cref="CalibratedModel"/> around it is saved as one calibrated tree model.
/// </summary>
public sealed class TreeEnsembleModel : IModel, IExplainableModel, IFeatureImportanceModel, ICalibratorStoringModel
{
    private const int StackLimit = 256;
    /// <summary>One TreeSHAP workspace per thread, so explaining a prediction allocates only its result.</summary>
    [ThreadStatic]
    private static TreeShap? t_shap;

    private readonly RegressionTree[] _trees;

    /// <summary>What every explanation of this (immutable) model shares, computed on first use.</summary>
    private ExplainCache? _explainCache;
    private readonly double[] _initialScores;
    private readonly FeatureBins[] _bins;
    private FlatForest? _forest;

    internal TreeEnsembleModel(
        LearningTask task,
        string algorithm,
        OutputTransform transform,
        double[] initialScores,
        RegressionTree[] trees,
        FeatureBins[] bins,
        IReadOnlyList<string> featureNames,
        IReadOnlyList<string> classLabels,
        ProbabilityCalibrator? calibrator,
        IReadOnlyDictionary<string, string> trainingOptions,
        IReadOnlyDictionary<string, string> metadata)
    {
        if (featureNames.Count != bins.Length)
        {
            throw new ArgumentException("One feature name per feature is required.", nameof(featureNames));
        }

        if (initialScores.Length < 1 || trees.Length % initialScores.Length != 0)
        {
            throw new ArgumentException("The tree count must be a multiple of the output count.", nameof(trees));
        }

        Task = task;
        Algorithm = algorithm;
        Transform = transform;
        _initialScores = initialScores;
        _trees = trees;
        _bins = bins;
        FeatureNames = featureNames;
        ClassLabels = classLabels;
        Calibrator = calibrator;
        TrainingOptions = trainingOptions;
        Metadata = metadata;
    }

    /// <summary>What the model predicts.</summary>
    public LearningTask Task { get; }

    /// <summary>"gbdt" or "forest".</summary>
    public string Algorithm { get; }

    /// <summary>The artifact format: <see cref="EngineInfo.TreeFormat"/>.</summary>
    public string Format => EngineInfo.TreeFormat;

    /// <summary>How raw outputs become predictions.</summary>
    public OutputTransform Transform { get; }

    /// <summary>Number of input features.</summary>
    public int FeatureCount => _bins.Length;

    /// <summary>Raw outputs per row: the class count for multiclass, 1 otherwise.</summary>
    public int OutputCount => _initialScores.Length;

    /// <summary>Classes predicted: 2 for binary, K for multiclass, 0 for regression and ranking.</summary>
    public int ClassCount => Task switch
    {
        LearningTask.BinaryClassification => 2,
        LearningTask.MulticlassClassification => OutputCount,
        _ => 0,
    };

    /// <summary>Total trees in the ensemble.</summary>
    public int TreeCount => _trees.Length;

    /// <summary>Boosting rounds (or forest rounds) kept.</summary>
    public int IterationCount => _trees.Length / OutputCount;

    /// <summary>Feature names in column order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Names of classes by index (may be empty when the trainer was not given any).</summary>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>Probability calibration applied after the output transform, or null.</summary>
    public ProbabilityCalibrator? Calibrator { get; }

    /// <summary>Settings the model was trained with.</summary>
    public IReadOnlyDictionary<string, string> TrainingOptions { get; }

    /// <summary>Free-form metadata stored with the model (data set, creation time, ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Quantile bin boundaries learned per feature during training.</summary>
    public IReadOnlyList<FeatureBins> Bins => _bins;

    internal RegressionTree[] Trees => _trees;

    internal double[] InitialScores => _initialScores;

    /// <summary>The trees flattened for prediction, built on first use.</summary>
    private FlatForest Forest => _forest ??= FlatForest.Create(_trees);

    /// <summary>Raw outputs (margins) of one row into <paramref name="raw"/> (length <see cref="OutputCount"/>).</summary>
    public void PredictRaw(ReadOnlySpan<float> row, Span<double> raw)
    {
        CheckRow(row);
        if (raw.Length < OutputCount)
        {
            throw new ArgumentException($"Need room for {OutputCount} outputs.", nameof(raw));
        }

        var output = raw[..OutputCount];
        _initialScores.CopyTo(output);
        Forest.AddRow(row, output);
    }

    /// <summary>Raw output of a single-output model (regression, binary margin, ranking score).</summary>
    public double PredictRaw(ReadOnlySpan<float> row)
    {
        RequireSingleOutput();
        Span<double> raw = stackalloc double[1];
        PredictRaw(row, raw);
        return raw[0];
    }

    /// <summary>
    /// The prediction for one row: the value (regression), the score (ranking), the probability
    /// of class 1 (binary), or the most probable class index (multiclass).
    /// </summary>
    public double Predict(ReadOnlySpan<float> row)
    {
        switch (Task)
        {
            case LearningTask.Regression:
            case LearningTask.Ranking:
                return PredictRaw(row);
            case LearningTask.BinaryClassification:
                {
                    Span<double> p = stackalloc double[2];
                    PredictProbabilities(row, p);
                    return p[1];
                }

            default:
                {
                    var k = OutputCount;
                    double[]? rented = null;
                    var p = k <= StackLimit ? stackalloc double[k] : (rented = ArrayPool<double>.Shared.Rent(k)).AsSpan(0, k);
                    PredictProbabilities(row, p);
                    var best = 0;
                    for (var c = 1; c < k; c++)
                    {
                        if (p[c] > p[best])
                        {
                            best = c;
                        }
                    }

                    if (rented is not null)
                    {
                        ArrayPool<double>.Shared.Return(rented);
                    }

                    return best;
                }
        }
    }

    /// <summary>Class probabilities of one row (length <see cref="ClassCount"/>), calibrated when a calibrator is attached.</summary>
    public void PredictProbabilities(ReadOnlySpan<float> row, Span<double> probabilities)
    {
        var k = ClassCount;
        if (k == 0)
        {
            throw new InvalidOperationException($"A {Task} model has no class probabilities.");
        }

        if (probabilities.Length < k)
        {
            throw new ArgumentException($"Need room for {k} probabilities.", nameof(probabilities));
        }

        var output = probabilities[..k];
        if (Task == LearningTask.BinaryClassification)
        {
            Span<double> raw = stackalloc double[1];
            PredictRaw(row, raw);
            var p1 = Transform == OutputTransform.Sigmoid ? 1 / (1 + Math.Exp(-raw[0])) : Math.Clamp(raw[0], 0, 1);
            output[0] = 1 - p1;
            output[1] = p1;
        }
        else
        {
            PredictRaw(row, output);
            ToProbabilities(output, Transform);
        }

        Calibrator?.Calibrate(output);
    }

    /// <summary><see cref="Predict"/> for every row, in parallel.</summary>
    public double[] PredictBatch(DenseMatrix rows, int? threads = null)
    {
        var raw = PredictRawBatch(rows, threads);
        if (Task is LearningTask.Regression or LearningTask.Ranking)
        {
            return raw;
        }

        var k = ClassCount;
        var probabilities = ProbabilitiesFromRaw(raw, rows.Rows, threads);
        var result = new double[rows.Rows];
        ForEachRowBlock(rows.Rows, threads, (from, to) =>
        {
            for (var i = from; i < to; i++)
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
                    if (p[c] > p[best])
                    {
                        best = c;
                    }
                }

                result[i] = best;
            }
        });
        return result;
    }

    /// <summary>
    /// Raw outputs of every row (row-major, rows × <see cref="OutputCount"/>), in parallel over
    /// blocks of rows; within a block all rows go through one tree before the next, which keeps
    /// that tree in cache (see <see cref="FlatForest"/>).
    /// </summary>
    public double[] PredictRawBatch(DenseMatrix rows, int? threads = null)
    {
        CheckColumns(rows);
        var k = OutputCount;
        var columns = rows.Columns;
        var result = new double[rows.Rows * k];
        var forest = Forest;
        ForEachRowBlock(rows.Rows, threads, (from, to) =>
        {
            for (var start = from; start < to; start += FlatForest.BlockRows)
            {
                var count = Math.Min(to - start, FlatForest.BlockRows);
                var block = result.AsSpan(start * k, count * k);
                for (var i = 0; i < count; i++)
                {
                    _initialScores.CopyTo(block.Slice(i * k, k));
                }

                forest.AddBlock(rows.Values.AsSpan(start * columns, count * columns), columns, count, k, block);
            }
        });
        return result;
    }

    /// <summary>Class probabilities of every row (row-major, rows × <see cref="ClassCount"/>), in parallel.</summary>
    public double[] PredictProbabilitiesBatch(DenseMatrix rows, int? threads = null)
    {
        if (ClassCount == 0)
        {
            throw new InvalidOperationException($"A {Task} model has no class probabilities.");
        }

        return ProbabilitiesFromRaw(PredictRawBatch(rows, threads), rows.Rows, threads);
    }

    private double[] ProbabilitiesFromRaw(double[] raw, int rows, int? threads)
    {
        var k = ClassCount;
        var result = Task == LearningTask.BinaryClassification ? new double[rows * 2] : raw;
        ForEachRowBlock(rows, threads, (from, to) =>
        {
            for (var i = from; i < to; i++)
            {
                var p = result.AsSpan(i * k, k);
                if (Task == LearningTask.BinaryClassification)
                {
                    var p1 = Transform == OutputTransform.Sigmoid ? 1 / (1 + Math.Exp(-raw[i])) : Math.Clamp(raw[i], 0, 1);
                    p[0] = 1 - p1;
                    p[1] = p1;
                }
                else
                {
                    ToProbabilities(p, Transform);
                }

                Calibrator?.Calibrate(p);
            }
        });
        return result;
    }

    /// <summary>
    /// Exact TreeSHAP contributions of one row (Lundberg et al. 2018, Algorithm 2), in raw-output
    /// space: for each output k, <see cref="FeatureCount"/> contributions followed by the expected
    /// value, laid out at k × (FeatureCount + 1). Per output they sum to the raw output.
    /// </summary>
    public double[] Explain(ReadOnlySpan<float> row) => Explain(row, usePathTables: true);

    /// <summary><see cref="Explain(ReadOnlySpan{float})"/>, optionally with Algorithm 2's recursion for every tree (the reference the path tables are tested against).</summary>
    internal double[] Explain(ReadOnlySpan<float> row, bool usePathTables)
    {
        CheckRow(row);
        var width = FeatureCount + 1;
        var result = new double[width * OutputCount];
        var cache = _explainCache ??= new ExplainCache(this);
        for (var k = 0; k < OutputCount; k++)
        {
            result[(k * width) + FeatureCount] = cache.ExpectedValues[k];
        }

        var shap = t_shap is { } reused && reused.MaxDepth >= cache.MaxDepth ? reused : t_shap = new TreeShap(cache.MaxDepth);
        shap.Begin(row);
        for (var t = 0; t < _trees.Length; t++)
        {
            var phi = result.AsSpan((t % OutputCount) * width, width);
            if (usePathTables && cache.Decisions.TryAccumulate(t, row, phi))
            {
                continue;
            }

            if (usePathTables && cache.Tables[t] is { } tables)
            {
                tables.Accumulate(row, phi);
            }
            else
            {
                shap.Accumulate(_trees[t], phi);
            }
        }

        return result;
    }

    /// <summary>Total split gain per feature over all trees (gain importance), in column order.</summary>
    public double[] FeatureImportance()
    {
        var importance = new double[FeatureCount];
        foreach (var tree in _trees)
        {
            for (var n = 0; n < tree.Nodes.Length; n++)
            {
                importance[tree.Nodes[n].Feature] += tree.SplitGains[n];
            }
        }

        return importance;
    }

    /// <summary>A copy of this model that applies <paramref name="calibrator"/> to its probabilities.</summary>
    public TreeEnsembleModel WithCalibrator(ProbabilityCalibrator? calibrator)
    {
        if (calibrator is not null && calibrator.ClassCount != ClassCount)
        {
            throw new ArgumentException($"The calibrator expects {calibrator.ClassCount} classes; the model predicts {ClassCount}.", nameof(calibrator));
        }

        return new TreeEnsembleModel(Task, Algorithm, Transform, _initialScores, _trees, _bins, FeatureNames, ClassLabels, calibrator, TrainingOptions, Metadata);
    }

    /// <summary>A copy of this model with <paramref name="metadata"/> merged into its metadata.</summary>
    public TreeEnsembleModel WithMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        var merged = new Dictionary<string, string>(Metadata, StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            merged[key] = value;
        }

        return new TreeEnsembleModel(Task, Algorithm, Transform, _initialScores, _trees, _bins, FeatureNames, ClassLabels, Calibrator, TrainingOptions, merged);
    }

    /// <inheritdoc/>
    IModel IModel.WithMetadata(IReadOnlyDictionary<string, string> metadata) => WithMetadata(metadata);

    /// <summary>
    /// Fits a calibrator on held-out rows (Platt for binary, temperature for multiclass) and
    /// returns a copy of the model that applies it.
    /// </summary>
    public TreeEnsembleModel Calibrate(DenseMatrix features, float[] labels)
    {
        if (labels.Length != features.Rows)
        {
            throw new ArgumentException("Need one label per row.", nameof(labels));
        }

        var uncalibrated = WithCalibrator(null);
        var probabilities = uncalibrated.PredictProbabilitiesBatch(features);
        ProbabilityCalibrator calibrator = Task switch
        {
            LearningTask.BinaryClassification => PlattCalibrator.Fit(PositiveColumn(probabilities), labels),
            LearningTask.MulticlassClassification => TemperatureCalibrator.Fit(probabilities, labels, ClassCount),
            _ => throw new InvalidOperationException($"A {Task} model has no probabilities to calibrate."),
        };
        return WithCalibrator(calibrator);
    }

    /// <summary>Writes the model in the versioned binary format.</summary>
    public void Save(Stream stream) => ModelSerializer.Write(this, stream);

    /// <inheritdoc/>
    void ICalibratorStoringModel.Save(Stream stream, ProbabilityCalibrator calibrator) => WithCalibrator(calibrator).Save(stream);

    /// <summary>The model in the versioned binary format.</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        Save(buffer);
        return buffer.ToArray();
    }

    /// <summary>Reads a model; throws <see cref="ModelFormatException"/> for corrupt, truncated or newer files.</summary>
    public static TreeEnsembleModel Load(Stream stream) => ModelSerializer.Read(stream);

    /// <summary>Reads a model from bytes; throws <see cref="ModelFormatException"/> when they are not a valid model.</summary>
    public static TreeEnsembleModel FromBytes(byte[] bytes)
    {
        using var buffer = new MemoryStream(bytes, writable: false);
        return Load(buffer);
    }

    internal static void ToProbabilities(Span<double> values, OutputTransform transform)
    {
        if (transform == OutputTransform.Softmax)
        {
            var max = double.NegativeInfinity;
            foreach (var v in values)
            {
                max = Math.Max(max, v);
            }

            double sum = 0;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Math.Exp(values[i] - max);
                sum += values[i];
            }

            for (var i = 0; i < values.Length; i++)
            {
                values[i] /= sum;
            }

            return;
        }

        double total = 0;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Clamp(values[i], 0, 1);
            total += values[i];
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] = total > 0 ? values[i] / total : 1.0 / values.Length;
        }
    }

    private static double[] PositiveColumn(double[] probabilities)
    {
        var positive = new double[probabilities.Length / 2];
        for (var i = 0; i < positive.Length; i++)
        {
            positive[i] = probabilities[(2 * i) + 1];
        }

        return positive;
    }

    private static void ForEachRowBlock(int rows, int? threads, Action<int, int> body)
    {
        const int block = 2048;
        var blocks = (rows + block - 1) / block;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };
        Parallel.For(0, blocks, options, b => body(b * block, Math.Min(rows, (b + 1) * block)));
    }

    /// <summary>The deepest tree and, per output, the initial score plus every tree's expected value (SHAP's base value).</summary>
    private sealed class ExplainCache
    {
        public ExplainCache(TreeEnsembleModel model)
        {
            MaxDepth = model.MaxDepth();
            var tables = model._trees.Select(PathTableShap.Build).ToArray();
            Decisions = DecisionTableShap.Build(model._trees, tables);

            // A tree with a decision table is explained from Decisions alone: its own copy of the table is not kept.
            Tables = [.. tables.Select(t => t is { TabulatesDecisions: true } ? null : t)];
            ExpectedValues = (double[])model._initialScores.Clone();
            for (var t = 0; t < model._trees.Length; t++)
            {
                ExpectedValues[t % model.OutputCount] += model._trees[t].ExpectedValue();
            }
        }

        public int MaxDepth { get; }

        public double[] ExpectedValues { get; }

        /// <summary>Per tree, the precomputed path tables, or null when the tree is explained by <see cref="Decisions"/> or by the exact recursion.</summary>
        public PathTableShap?[] Tables { get; }

        /// <summary>The small trees' decision tables side by side (what explains those trees).</summary>
        public DecisionTableShap Decisions { get; }
    }

    private int MaxDepth()
    {
        var depth = 0;
        foreach (var tree in _trees)
        {
            depth = Math.Max(depth, tree.Depth());
        }

        return depth;
    }

    private void CheckRow(ReadOnlySpan<float> row)
    {
        if (row.Length != FeatureCount)
        {
            throw new ArgumentException($"The model expects {FeatureCount} features, got {row.Length}.", nameof(row));
        }
    }

    private void CheckColumns(DenseMatrix rows)
    {
        if (rows.Columns != FeatureCount)
        {
            throw new ArgumentException($"The model expects {FeatureCount} features, got {rows.Columns}.", nameof(rows));
        }
    }

    private void RequireSingleOutput()
    {
        if (OutputCount != 1)
        {
            throw new InvalidOperationException($"This model has {OutputCount} outputs; pass a span for all of them.");
        }
    }
}
