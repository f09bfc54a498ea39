using System.Numerics.Tensors;

namespace StudyRecs.Learning.Recommend;

/// <summary>Options of <see cref="TwoTowerRecommender"/>.</summary>
public sealed record TwoTowerOptions
{
    /// <summary>Width of every embedding table.</summary>
    public int EmbeddingSize { get; init; } = 32;

    /// <summary>Width of each tower's hidden ReLU layer.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Width of the towers' unit-length outputs (the space retrieval searches).</summary>
    public int OutputSize { get; init; } = 32;

    /// <summary>Positive pairs per mini-batch; the batch's other positives are each pair's negatives.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam's step size.</summary>
    public float LearningRate { get; init; } = 0.003f;

    /// <summary>Softmax temperature over cosine similarities.</summary>
    public float Temperature { get; init; } = 0.1f;

    /// <summary>Subtract the log of each item's share of the positives from its logit (sampling-bias correction).</summary>
    public bool LogQCorrection { get; init; } = true;

    /// <summary>Share of training examples whose item is seen without its own embedding, so new items serve well.</summary>
    public float IdentityDropout { get; init; } = 0.1f;

    /// <summary>Most epochs.</summary>
    public int MaxEpochs { get; init; } = 8;

    /// <summary>Epochs without a better validation recall before training stops.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>Students (drawn with <see cref="Seed"/>) whose latest item is held out to validate each epoch.</summary>
    public int ValidationStudents { get; init; } = 2_000;

    /// <summary>Cut-off of the validation recall.</summary>
    public int ValidationCutoff { get; init; } = 20;

    /// <summary>Latest history items the user tower reads.</summary>
    public int MaxHistory { get; init; } = 50;

    /// <summary>Latest events whose subjects form the "recent subjects" field.</summary>
    public int RecentEvents { get; init; } = 5;

    /// <summary>Buckets of the hashed words of the resources' text.</summary>
    public int HashBuckets { get; init; } = 4096;

    /// <summary>Seed of initialisation, shuffling, dropout and the validation sample; the result is identical for a seed whatever the thread count.</summary>
    public int Seed { get; init; }

    /// <summary>Upper bound on worker threads; 0 uses all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; }
}

/// <summary>
/// Two-tower retrieval model: a user tower (history, its subjects, weak subjects, level, recent subjects) and an item
/// tower (the item, subject, topic, type, hashed text, difficulty, text length), each an embedding bag and a small MLP
/// with a unit-length output; a score is the cosine of the two outputs. Trained with in-batch sampled softmax and Adam
/// on mini-batches over both cores, with early stopping on each validation student's latest item. Item outputs are
/// computed once after fitting; scoring runs the user tower once and takes a dot product per item. Students without
/// history are served from their forecasts, items nobody used from their features.
/// </summary>
public sealed class TwoTowerRecommender : IContextualRecommender, IEmbeddingRecommender
{
    private readonly TowerShape _userShape;
    private readonly float[] _userParameters;
    private readonly float[] _itemEmbeddings;
    private readonly ItemFacets _facets;
    private readonly int _maxHistory;
    private readonly int _recentEvents;

    internal TwoTowerRecommender(TowerShape userShape, float[] userParameters, float[] itemEmbeddings, ItemFacets facets, int maxHistory, int recentEvents)
    {
        _userShape = userShape;
        _userParameters = userParameters;
        _itemEmbeddings = itemEmbeddings;
        _facets = facets;
        _maxHistory = maxHistory;
        _recentEvents = recentEvents;
    }

    /// <inheritdoc />
    public string Name => "two-tower";

    /// <inheritdoc />
    public int ItemCount => _facets.ItemCount;

    /// <summary>Width of the user and item embeddings.</summary>
    public int Dimensions => _userShape.Output;

    /// <summary>Epochs trained and the validation recall of each (filled by <see cref="Fit"/>; empty after loading).</summary>
    public IReadOnlyList<double> ValidationRecall { get; internal init; } = [];

    /// <summary>An item's unit-length embedding.</summary>
    public ReadOnlySpan<float> ItemEmbedding(int item) => _itemEmbeddings.AsSpan(item * Dimensions, Dimensions);

    /// <summary>All item embeddings, item-major (<see cref="ItemCount"/> × <see cref="Dimensions"/>).</summary>
    public ReadOnlyMemory<float> ItemEmbeddings => _itemEmbeddings;

    /// <summary>
    /// Fits the towers on <paramref name="data"/>. <paramref name="texts"/> (aligned with item indexes, may be null) give
    /// the item features; <paramref name="contexts"/> each student's weak subjects and level by user index (may be null).
    /// <paramref name="epochCompleted"/>, when given, receives each epoch's mean training loss and validation recall.
    /// </summary>
    public static TwoTowerRecommender Fit(InteractionMatrix data, IReadOnlyList<ItemText?>? texts, TwoTowerOptions? options = null,
        Func<int, StudentContext?>? contexts = null, Action<int, double, double>? epochCompleted = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new TwoTowerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EmbeddingSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.OutputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.LearningRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Temperature);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxEpochs);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HashBuckets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxHistory, 1);
        if (!(options.IdentityDropout is >= 0f and < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "IdentityDropout must be in [0, 1).");
        }

        if (texts is not null && texts.Count != data.ItemCount)
        {
            throw new ArgumentException("Item texts must be aligned with the catalog.", nameof(texts));
        }

        var facets = texts is null ? ItemFacets.None(data.ItemCount) : ItemFacets.From(texts);
        var features = new TwoTowerFeatures(facets, texts, options.HashBuckets);
        return new TwoTowerTrainer(data, features, options, contexts).Train(epochCompleted);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores) =>
        Score(historyItems, historyWeights, [], StudentContext.None, scores);

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<long> historyTimes, StudentContext context, Span<float> scores)
    {
        Span<float> user = stackalloc float[Dimensions];
        UserEmbedding(historyItems, historyWeights, historyTimes, context, user);
        scores = scores[..ItemCount];
        ReadOnlySpan<float> items = _itemEmbeddings;
        var d = Dimensions;
        for (var j = 0; j < scores.Length; j++)
        {
            scores[j] = TensorPrimitives.Dot(items.Slice(j * d, d), user);
        }
    }

    /// <inheritdoc />
    public void ScoreItems(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<int> items, Span<float> scores)
    {
        Span<float> user = stackalloc float[Dimensions];
        UserEmbedding(historyItems, historyWeights, [], StudentContext.None, user);
        for (var i = 0; i < items.Length; i++)
        {
            scores[i] = TensorPrimitives.Dot(ItemEmbedding(items[i]), user);
        }
    }

    /// <inheritdoc />
    public void UserEmbedding(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> destination) =>
        UserEmbedding(historyItems, historyWeights, [], StudentContext.None, destination);

    /// <summary>
    /// The student's unit-length embedding (<see cref="Dimensions"/> values): a history (with its times, newest events
    /// weighing as "recent"; empty when unknown) and what the forecasts say.
    /// </summary>
    public void UserEmbedding(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<long> historyTimes, StudentContext context,
        Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (historyWeights.Length != historyItems.Length)
        {
            throw new ArgumentException("History weights must align with the history.", nameof(historyWeights));
        }

        var timed = historyTimes.Length == historyItems.Length && !historyItems.IsEmpty;
        var order = new int[historyItems.Length];
        var known = 0;
        for (var p = 0; p < historyItems.Length; p++)
        {
            // Items outside the catalog (resources added after fitting) have no row in the tables.
            if ((uint)historyItems[p] < (uint)ItemCount)
            {
                order[known++] = p;
            }
        }

        order = order[..known];
        if (timed)
        {
            var keys = new long[known];
            for (var i = 0; i < known; i++)
            {
                keys[i] = -historyTimes[order[i]];
            }

            Array.Sort(keys, order);
        }
        else
        {
            // Without times the history's own order stands, latest last.
            Array.Reverse(order);
        }

        var input = new TowerInput(_userShape.Fields, _userShape.Dense);
        TwoTowerFeatures.FillUser(_facets, input, historyItems, historyWeights, order, timed, context, -1, -1, _maxHistory, _recentEvents);
        var activations = new TowerActivations(_userShape);
        TwoTowerNetwork.Forward(_userShape, _userParameters, input, activations);
        activations.Output.CopyTo(destination);
    }

    internal void WritePayload(BinaryWriter writer)
    {
        writer.Write(_userShape.Embedding);
        writer.Write(_userShape.Hidden);
        writer.Write(_userShape.Output);
        writer.Write(_maxHistory);
        writer.Write(_recentEvents);
        ModelBinary.WriteInts(writer, _userShape.TableRows);
        ModelBinary.WriteFloats(writer, _userParameters);
        ModelBinary.WriteFloats(writer, _itemEmbeddings);
        _facets.Write(writer);
    }

    internal static TwoTowerRecommender ReadPayload(BinaryReader reader)
    {
        var embedding = ModelBinary.ReadCount(reader, 4096);
        var hidden = ModelBinary.ReadCount(reader, 65_536);
        var output = ModelBinary.ReadCount(reader, 4096);
        var maxHistory = ModelBinary.ReadCount(reader, int.MaxValue);
        var recent = ModelBinary.ReadCount(reader, int.MaxValue);
        var tables = ModelBinary.ReadInts(reader);
        var parameters = ModelBinary.ReadFloats(reader);
        var items = ModelBinary.ReadFloats(reader);
        var facets = ItemFacets.Read(reader);
        if (embedding == 0 || hidden == 0 || output == 0 || maxHistory == 0 || tables.Length != 4 || tables.Any(t => t < 1)
            || tables[0] != facets.ItemCount)
        {
            throw new InvalidDataException("The two-tower model's dimensions are inconsistent.");
        }

        var shape = new TowerShape(0, tables, embedding, TwoTowerFeatures.UserDense, hidden, output);
        if (shape.End != parameters.Length || (long)facets.ItemCount * output != items.Length)
        {
            throw new InvalidDataException("The two-tower model's parameters do not match its dimensions.");
        }

        return new TwoTowerRecommender(shape, parameters, items, facets, maxHistory, recent);
    }
}
