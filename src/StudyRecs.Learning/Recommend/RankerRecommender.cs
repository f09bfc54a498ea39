using System.Numerics.Tensors;
using StudyRecs.Learning.Boosting;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Serialization;

namespace StudyRecs.Learning.Recommend;

/// <summary>Options of <see cref="RankerRecommender"/>.</summary>
public sealed record RankerOptions
{
    /// <summary>Candidates per student, taken from the equal-weight blend of the base models and re-ranked.</summary>
    public int Candidates { get; init; } = 100;

    /// <summary>Most students (drawn with <see cref="Seed"/>) whose candidates form the LambdaMART training set.</summary>
    public int MaxTrainingStudents { get; init; } = 20_000;

    /// <summary>Seed of the student sample and of the boosting.</summary>
    public int Seed { get; init; }

    /// <summary>LambdaMART settings (the task is always ranking, NDCG@10 by default).</summary>
    public GradientBoostingOptions Boosting { get; init; } = new()
    {
        NumberOfTrees = 100,
        NumberOfLeaves = 31,
        LearningRate = 0.1,
        MinimumExampleCountPerLeaf = 50,
        NdcgTruncationLevel = 10,
    };
}

/// <summary>
/// Learned hybrid: LambdaMART re-ranks the top candidates of an equal-weight blend of base models. Features per
/// candidate are every base model's score scaled by its largest magnitude, the candidate's rank in the blend and
/// the history length. Trained on an inner temporal split of the training events: base models fitted on the inner
/// training part score candidates, labels say whether the student interacted with the candidate afterwards;
/// serving uses the same base models refitted on all training events. Items in the history are never candidates.
/// </summary>
public sealed class RankerRecommender : IRecommender
{
    private readonly IRecommender[] _bases;
    private readonly TreeEnsembleModel _model;
    private readonly int _candidates;

    private RankerRecommender(IRecommender[] bases, TreeEnsembleModel model, int candidates)
    {
        _bases = bases;
        _model = model;
        _candidates = candidates;
    }

    /// <inheritdoc />
    public string Name => "ranker";

    /// <inheritdoc />
    public int ItemCount => _bases[0].ItemCount;

    /// <summary>The base models whose scores are features, in feature order.</summary>
    public IReadOnlyList<IRecommender> BaseModels => _bases;

    /// <summary>The LambdaMART model (feature names: the base models' names, then blend_rank and history_length).</summary>
    public TreeEnsembleModel Model => _model;

    /// <summary>
    /// Trains the re-ranker. <paramref name="innerModels"/> were fitted on <paramref name="innerSplit"/>'s training part and
    /// <paramref name="servingModels"/> (same strategies, same order) on all training events.
    /// </summary>
    public static RankerRecommender Fit(IReadOnlyList<IRecommender> innerModels, IReadOnlyList<IRecommender> servingModels, TemporalSplit innerSplit,
        RankerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(innerModels);
        ArgumentNullException.ThrowIfNull(servingModels);
        ArgumentNullException.ThrowIfNull(innerSplit);
        options ??= new RankerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Candidates, 2);
        if (innerModels.Count == 0 || innerModels.Count != servingModels.Count
            || innerModels.Zip(servingModels).Any(p => p.First.Name != p.Second.Name || p.First.ItemCount != p.Second.ItemCount))
        {
            throw new ArgumentException("Inner and serving models must be the same strategies over the same catalog.", nameof(servingModels));
        }

        IRecommender[] inner = [.. innerModels];
        var train = innerSplit.TrainMatrix;
        var random = new Random(options.Seed);
        var students = Enumerable.Range(0, train.UserCount).Where(u => !innerSplit.TestItems(u).IsEmpty)
            .OrderBy(_ => random.Next()).Take(options.MaxTrainingStudents).Order().ToArray();
        var features = inner.Length + 2;
        var rows = new float[students.Length][];
        var labels = new float[students.Length][];
        Parallel.For(0, students.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Boosting.NumberOfThreads ?? -1 },
            () => new Workspace(inner, options.Candidates),
            (s, _, workspace) =>
            {
                var u = students[s];
                var count = FillCandidates(inner, train.UserItems(u), train.UserWeights(u), workspace);
                var test = innerSplit.TestItems(u);
                var y = new float[count];
                var positives = 0;
                for (var c = 0; c < count; c++)
                {
                    y[c] = test.BinarySearch(workspace.Candidates[c]) >= 0 ? 1f : 0f;
                    positives += (int)y[c];
                }

                // A group without a positive carries no LambdaMART gradient.
                if (positives > 0)
                {
                    rows[s] = workspace.Features.AsSpan(0, count * features).ToArray();
                    labels[s] = y;
                }

                return workspace;
            }, _ => { });

        var groupsKept = Enumerable.Range(0, students.Length).Where(s => labels[s] is not null).ToArray();
        if (groupsKept.Length == 0)
        {
            throw new ArgumentException("No student of the inner split has a later interaction among its candidates; the ranker cannot learn.", nameof(innerSplit));
        }

        var total = groupsKept.Sum(s => labels[s].Length);
        var values = new float[total * features];
        var allLabels = new float[total];
        var groups = new int[total];
        var at = 0;
        foreach (var s in groupsKept)
        {
            rows[s].CopyTo(values.AsSpan(at * features));
            labels[s].CopyTo(allLabels.AsSpan(at));
            groups.AsSpan(at, labels[s].Length).Fill(s);
            at += labels[s].Length;
        }

        var names = innerModels.Select(m => m.Name).Concat(["blend_rank", "history_length"]).ToArray();
        var set = new TrainingSet(new DenseMatrix(values, total, features), allLabels, groups) { FeatureNames = names };
        var model = new GradientBoostingTrainer(options.Boosting with { Seed = options.Seed }).Fit(LearningTask.Ranking, set);
        return new RankerRecommender([.. servingModels], model, options.Candidates);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        scores = scores[..ItemCount];
        var workspace = new Workspace(_bases, _candidates);
        var count = FillCandidates(_bases, historyItems, historyWeights, workspace);

        // Outside the candidates keep the blend's order, far below any re-ranked candidate.
        for (var j = 0; j < scores.Length; j++)
        {
            scores[j] = workspace.Blend[j] - 1e6f;
        }

        for (var c = 0; c < count; c++)
        {
            scores[workspace.Candidates[c]] = (float)_model.PredictRaw(workspace.Features.AsSpan(c * FeatureCount, FeatureCount));
        }
    }

    private int FeatureCount => _bases.Length + 2;

    // Fills the workspace with the candidates (best blend first) and their feature rows; returns how many.
    private static int FillCandidates(IRecommender[] bases, ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Workspace workspace)
    {
        var n = bases[0].ItemCount;
        var blend = workspace.Blend.AsSpan(0, n);
        blend.Clear();
        for (var m = 0; m < bases.Length; m++)
        {
            var part = workspace.Parts.AsSpan(m * n, n);
            bases[m].Score(historyItems, historyWeights, part);
            if (part.IsEmpty)
            {
                continue;
            }

            var max = TensorPrimitives.MaxMagnitude(part);
            if (max > 0 && float.IsFinite(max))
            {
                TensorPrimitives.Multiply(part, 1f / Math.Abs(max), part);
            }

            TensorPrimitives.Add(blend, part, blend);
        }

        foreach (var i in historyItems)
        {
            blend[i] = float.NegativeInfinity;
        }

        var count = TopK.Select(blend, workspace.Candidates);
        var f = bases.Length + 2;
        var historyLength = MathF.Log(1 + historyItems.Length);
        for (var c = 0; c < count; c++)
        {
            var item = workspace.Candidates[c];
            var row = workspace.Features.AsSpan(c * f, f);
            for (var m = 0; m < bases.Length; m++)
            {
                row[m] = workspace.Parts[(m * n) + item];
            }

            row[bases.Length] = c;
            row[bases.Length + 1] = historyLength;
        }

        return count;
    }

    private sealed class Workspace(IRecommender[] bases, int candidates)
    {
        public float[] Parts { get; } = new float[bases.Length * bases[0].ItemCount];

        public float[] Blend { get; } = new float[bases[0].ItemCount];

        public int[] Candidates { get; } = new int[Math.Min(candidates, bases[0].ItemCount)];

        public float[] Features { get; } = new float[Math.Min(candidates, bases[0].ItemCount) * (bases.Length + 2)];
    }

    internal void WritePayload(BinaryWriter writer)
    {
        writer.Write(_candidates);
        writer.Write(_bases.Length);
        foreach (var b in _bases)
        {
            RecommenderSerializer.WriteNested(writer, b);
        }

        using var model = new MemoryStream();
        ModelSerializer.Write(_model, model);
        writer.Write((int)model.Length);
        writer.Write(model.GetBuffer().AsSpan(0, (int)model.Length));
    }

    internal static RankerRecommender ReadPayload(BinaryReader reader)
    {
        var candidates = ModelBinary.ReadCount(reader, int.MaxValue);
        var count = ModelBinary.ReadCount(reader, 64);
        var bases = new IRecommender[count];
        for (var i = 0; i < count; i++)
        {
            bases[i] = RecommenderSerializer.ReadNested(reader);
        }

        var length = ModelBinary.ReadCount(reader, int.MaxValue);
        var bytes = reader.ReadBytes(length);
        TreeEnsembleModel model;
        try
        {
            model = ModelSerializer.Read(new MemoryStream(bytes));
        }
        catch (ModelFormatException e)
        {
            throw new InvalidDataException($"The ranker's LambdaMART model is unreadable: {e.Message}", e);
        }

        if (count == 0 || candidates < 2 || model.FeatureCount != count + 2 || bases.Any(b => b.ItemCount != bases[0].ItemCount))
        {
            throw new InvalidDataException("The ranker's base models and features are inconsistent.");
        }

        return new RankerRecommender(bases, model, candidates);
    }
}
