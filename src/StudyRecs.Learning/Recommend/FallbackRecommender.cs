using System.Buffers;

namespace StudyRecs.Learning.Recommend;

/// <summary>Options of <see cref="FallbackRecommender"/>.</summary>
public sealed record FallbackOptions
{
    /// <summary>Histories at least this long are served by the primary model.</summary>
    public int MinimumHistory { get; init; } = 3;

    /// <summary>Weight of content similarity for a short history (popularity gets the rest).</summary>
    public float ContentWeight { get; init; } = 0.7f;

    /// <summary>Score bonus (on the blended 0..1 scale) for items in one of the student's focus (weak) subjects.</summary>
    public float FocusSubjectBoost { get; init; } = 0.5f;
}

/// <summary>Which part of the fallback chain served a history.</summary>
public enum FallbackStage
{
    /// <summary>No history: popularity, boosted in the focus subjects.</summary>
    Popularity,

    /// <summary>A short history: content similarity blended with popularity, boosted in the focus subjects.</summary>
    ContentAndPopularity,

    /// <summary>Enough history for the primary model.</summary>
    Primary,
}

/// <summary>
/// The chain for new students: weak subjects + popularity with no history, + content similarity with a short one,
/// the primary (collaborative or hybrid) model once the history is long enough.
/// </summary>
public sealed class FallbackRecommender : IRecommender
{
    private readonly IdIndex _subjects;
    private readonly int[] _itemSubjects;

    /// <summary>Chains the models; <paramref name="itemSubjects"/>[i] is item i's subject name (may be empty).</summary>
    public FallbackRecommender(IRecommender primary, ContentRecommender content, PopularityRecommender popularity,
        IReadOnlyList<string> itemSubjects, FallbackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(popularity);
        ArgumentNullException.ThrowIfNull(itemSubjects);
        Options = options ?? new FallbackOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(Options.MinimumHistory);
        if (content.ItemCount != primary.ItemCount || popularity.ItemCount != primary.ItemCount || itemSubjects.Count != primary.ItemCount)
        {
            throw new ArgumentException("The chained models and the subjects must cover the same catalog.", nameof(itemSubjects));
        }

        Primary = primary;
        Content = content;
        Popularity = popularity;
        _subjects = new IdIndex();
        _itemSubjects = new int[itemSubjects.Count];
        for (var i = 0; i < _itemSubjects.Length; i++)
        {
            _itemSubjects[i] = string.IsNullOrWhiteSpace(itemSubjects[i]) ? -1 : _subjects.GetOrAdd(itemSubjects[i].Trim());
        }
    }

    /// <inheritdoc />
    public string Name => "fallback";

    /// <inheritdoc />
    public int ItemCount => Primary.ItemCount;

    /// <summary>The model for established students.</summary>
    public IRecommender Primary { get; }

    /// <summary>Content similarity for short histories and "similar resources".</summary>
    public ContentRecommender Content { get; }

    /// <summary>Popularity for students with no history.</summary>
    public PopularityRecommender Popularity { get; }

    /// <summary>The chain's settings.</summary>
    public FallbackOptions Options { get; }

    /// <summary>The subject name of an item, or null.</summary>
    public string? SubjectOf(int item) => _itemSubjects[item] < 0 ? null : _subjects[_itemSubjects[item]];

    /// <summary>Which stage serves a history of this length.</summary>
    public FallbackStage StageFor(int historyLength) =>
        historyLength >= Options.MinimumHistory ? FallbackStage.Primary
        : historyLength == 0 ? FallbackStage.Popularity
        : FallbackStage.ContentAndPopularity;

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores) =>
        Score(historyItems, historyWeights, [], scores);

    /// <summary>Scores with a boost for items in <paramref name="focusSubjects"/> (names, e.g. the student's weak subjects) while the history is short.</summary>
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<string> focusSubjects, Span<float> scores)
    {
        scores = scores[..ItemCount];
        var stage = StageFor(historyItems.Length);
        if (stage == FallbackStage.Primary)
        {
            Primary.Score(historyItems, historyWeights, scores);
            return;
        }

        scores.Clear();
        var buffer = ArrayPool<float>.Shared.Rent(ItemCount);
        try
        {
            var part = buffer.AsSpan(0, ItemCount);
            var contentWeight = stage == FallbackStage.ContentAndPopularity ? Options.ContentWeight : 0f;
            Popularity.Score(historyItems, historyWeights, part);
            HybridRecommender.AddScaled(part, 1f - contentWeight, scores);
            if (contentWeight > 0)
            {
                Content.Score(historyItems, historyWeights, part);
                HybridRecommender.AddScaled(part, contentWeight, scores);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }

        foreach (var name in focusSubjects)
        {
            if (_subjects.TryGetIndex(name.Trim(), out var subject))
            {
                for (var i = 0; i < scores.Length; i++)
                {
                    if (_itemSubjects[i] == subject)
                    {
                        scores[i] += Options.FocusSubjectBoost;
                    }
                }
            }
        }
    }

    internal void WritePayload(BinaryWriter writer)
    {
        writer.Write(Options.MinimumHistory);
        writer.Write(Options.ContentWeight);
        writer.Write(Options.FocusSubjectBoost);
        writer.Write(_itemSubjects.Length);
        foreach (var s in _itemSubjects)
        {
            writer.Write(s < 0 ? "" : _subjects[s]);
        }

        RecommenderSerializer.WriteNested(writer, Primary);
        RecommenderSerializer.WriteNested(writer, Content);
        RecommenderSerializer.WriteNested(writer, Popularity);
    }

    internal static FallbackRecommender ReadPayload(BinaryReader reader)
    {
        var options = new FallbackOptions { MinimumHistory = reader.ReadInt32(), ContentWeight = reader.ReadSingle(), FocusSubjectBoost = reader.ReadSingle() };
        var count = ModelBinary.ReadCount(reader, int.MaxValue);
        var subjects = new string[count];
        for (var i = 0; i < count; i++)
        {
            subjects[i] = reader.ReadString();
        }

        var primary = RecommenderSerializer.ReadNested(reader);
        if (RecommenderSerializer.ReadNested(reader) is not ContentRecommender content || RecommenderSerializer.ReadNested(reader) is not PopularityRecommender popularity)
        {
            throw new InvalidDataException("The fallback chain must hold a content and a popularity model.");
        }

        try
        {
            return new FallbackRecommender(primary, content, popularity, subjects, options);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The fallback chain is inconsistent: {e.Message}", e);
        }
    }
}
