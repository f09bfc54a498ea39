using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace StudyRecs.Learning.Recommend;

/// <summary>The text of a resource used by <see cref="ContentRecommender"/>; any field may be empty.</summary>
/// <param name="Title">Title.</param>
/// <param name="Description">Free-text description.</param>
/// <param name="Subject">Subject, e.g. Calculus.</param>
/// <param name="Topic">Topic within the subject, e.g. Limits.</param>
/// <param name="Tags">Tags separated by spaces, commas, semicolons or bars.</param>
public sealed record ItemText(string Title, string Description, string Subject, string Topic, string Tags)
{
    /// <summary>Kind of resource (video, article, quiz...); not part of the text vectors, a facet of the learned ranker.</summary>
    public string Type { get; init; } = "";

    /// <summary>Level (beginner, intermediate, advanced, or a number 0–2); a facet of the learned ranker.</summary>
    public string Difficulty { get; init; } = "";
}

/// <summary>
/// Content-based recommender: TF-IDF vectors over title, description, subject, topic and tags (sublinear term
/// frequency, smoothed IDF, unit length), cosine similarity. A student's profile is the confidence-weighted sum of
/// the history's vectors; with no history every item scores 0. Serves cold start and "similar resources".
/// </summary>
public sealed class ContentRecommender : IItemScorer
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on", "or",
        "that", "the", "this", "to", "with", "you", "your", "how", "what", "why",
    };

    private readonly int[] _offsets;
    private readonly int[] _terms;
    private readonly float[] _values;
    private readonly int _vocabularySize;

    private ContentRecommender(int[] offsets, int[] terms, float[] values, int vocabularySize)
    {
        _offsets = offsets;
        _terms = terms;
        _values = values;
        _vocabularySize = vocabularySize;
    }

    /// <inheritdoc />
    public string Name => "content";

    /// <inheritdoc />
    public int ItemCount => _offsets.Length - 1;

    /// <summary>Number of distinct terms.</summary>
    public int VocabularySize => _vocabularySize;

    /// <summary>Vectorises the catalog; <paramref name="items"/>[i] is item i's text, or null when it has none.</summary>
    public static ContentRecommender Fit(IReadOnlyList<ItemText?> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new List<Dictionary<int, float>>(items.Count);
        var documentFrequency = new List<int>();
        foreach (var item in items)
        {
            var tf = new Dictionary<int, float>();
            if (item is not null)
            {
                // Short, curated fields say more per word than the description.
                AddTokens(item.Title, 2f, tf, vocabulary);
                AddTokens(item.Description, 1f, tf, vocabulary);
                AddTokens(item.Subject, 1f, tf, vocabulary);
                AddTokens(item.Topic, 1f, tf, vocabulary);
                AddTokens(item.Tags, 1f, tf, vocabulary);
                AddTerm("subject=" + item.Subject.Trim().ToLowerInvariant(), 2f, tf, vocabulary, item.Subject);
                AddTerm("topic=" + item.Topic.Trim().ToLowerInvariant(), 2f, tf, vocabulary, item.Topic);
            }

            while (documentFrequency.Count < vocabulary.Count)
            {
                documentFrequency.Add(0);
            }

            foreach (var term in tf.Keys)
            {
                documentFrequency[term]++;
            }

            counts.Add(tf);
        }

        var n = items.Count;
        var offsets = new int[n + 1];
        var terms = new List<int>();
        var values = new List<float>();
        for (var i = 0; i < n; i++)
        {
            var start = terms.Count;
            foreach (var (term, tf) in counts[i].OrderBy(p => p.Key))
            {
                var idf = Math.Log((1.0 + n) / (1.0 + documentFrequency[term])) + 1.0;
                terms.Add(term);
                values.Add((float)((1.0 + Math.Log(tf)) * idf));
            }

            var vector = CollectionsMarshal.AsSpan(values)[start..];
            var norm = TensorPrimitives.Norm(vector);
            if (norm > 0)
            {
                TensorPrimitives.Divide(vector, norm, vector);
            }

            offsets[i + 1] = terms.Count;
        }

        return new ContentRecommender(offsets, [.. terms], [.. values], vocabulary.Count);
    }

    /// <summary>Cosine similarity of two items' text.</summary>
    public float Similarity(int first, int second) => SparseDot(Terms(first), Values(first), Terms(second), Values(second));

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        scores = scores[..ItemCount];
        var profile = ArrayPool<float>.Shared.Rent(_vocabularySize);
        try
        {
            var dense = profile.AsSpan(0, _vocabularySize);
            var scale = Profile(historyItems, historyWeights, dense);
            for (var j = 0; j < scores.Length; j++)
            {
                scores[j] = Dot(dense, j) * scale;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(profile);
        }
    }

    /// <inheritdoc />
    public bool ScoresCandidatesOnly => true;

    /// <inheritdoc />
    public void ScoreItems(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, ReadOnlySpan<int> items, Span<float> scores)
    {
        var profile = ArrayPool<float>.Shared.Rent(_vocabularySize);
        try
        {
            var dense = profile.AsSpan(0, _vocabularySize);
            var scale = Profile(historyItems, historyWeights, dense);
            for (var i = 0; i < items.Length; i++)
            {
                scores[i] = Dot(dense, items[i]) * scale;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(profile);
        }
    }

    // The history's confidence-weighted sum of item vectors; returns 1 / its norm (0 for an empty profile).
    private float Profile(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> dense)
    {
        dense.Clear();
        for (var h = 0; h < historyItems.Length; h++)
        {
            var w = historyWeights.IsEmpty ? 1f : historyWeights[h];
            var terms = Terms(historyItems[h]);
            var values = Values(historyItems[h]);
            for (var t = 0; t < terms.Length; t++)
            {
                dense[terms[t]] += w * values[t];
            }
        }

        var norm = TensorPrimitives.Norm(dense);
        return norm > 0 ? 1f / norm : 0f;
    }

    private float Dot(ReadOnlySpan<float> dense, int item)
    {
        var terms = Terms(item);
        var values = Values(item);
        var sum = 0f;
        for (var t = 0; t < terms.Length; t++)
        {
            sum += dense[terms[t]] * values[t];
        }

        return sum;
    }

    /// <summary>The items most similar in text to <paramref name="item"/>, best first, never the item itself.</summary>
    public ScoredItem[] Similar(int item, int k)
    {
        ReadOnlySpan<int> one = [item];
        return this.Recommend(one, [], k, one);
    }

    /// <summary>The history item whose text is most similar to <paramref name="item"/>, or -1 when none shares a term.</summary>
    public int MostSimilarInHistory(ReadOnlySpan<int> historyItems, int item)
    {
        var best = -1;
        var bestSimilarity = 0f;
        foreach (var h in historyItems)
        {
            var s = h == item ? 0f : Similarity(h, item);
            if (s > bestSimilarity)
            {
                bestSimilarity = s;
                best = h;
            }
        }

        return best;
    }

    private ReadOnlySpan<int> Terms(int item) => _terms.AsSpan(_offsets[item], _offsets[item + 1] - _offsets[item]);

    private ReadOnlySpan<float> Values(int item) => _values.AsSpan(_offsets[item], _offsets[item + 1] - _offsets[item]);

    private static float SparseDot(ReadOnlySpan<int> ta, ReadOnlySpan<float> va, ReadOnlySpan<int> tb, ReadOnlySpan<float> vb)
    {
        var sum = 0f;
        int a = 0, b = 0;
        while (a < ta.Length && b < tb.Length)
        {
            if (ta[a] == tb[b])
            {
                sum += va[a++] * vb[b++];
            }
            else if (ta[a] < tb[b])
            {
                a++;
            }
            else
            {
                b++;
            }
        }

        return sum;
    }

    private static void AddTokens(string? text, float weight, Dictionary<int, float> tf, Dictionary<string, int> vocabulary)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var span = text.AsSpan();
        var start = -1;
        for (var i = 0; i <= span.Length; i++)
        {
            var letter = i < span.Length && char.IsLetterOrDigit(span[i]);
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                if (i - start >= 2)
                {
                    var token = span[start..i].ToString().ToLowerInvariant();
                    if (!StopWords.Contains(token))
                    {
                        AddTerm(token, weight, tf, vocabulary, token);
                    }
                }

                start = -1;
            }
        }
    }

    private static void AddTerm(string term, float weight, Dictionary<int, float> tf, Dictionary<string, int> vocabulary, string? source)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            return;
        }

        if (!vocabulary.TryGetValue(term, out var id))
        {
            id = vocabulary.Count;
            vocabulary.Add(term, id);
        }

        tf[id] = tf.GetValueOrDefault(id) + weight;
    }

    internal void WritePayload(BinaryWriter writer)
    {
        writer.Write(_vocabularySize);
        ModelBinary.WriteInts(writer, _offsets);
        ModelBinary.WriteInts(writer, _terms);
        ModelBinary.WriteFloats(writer, _values);
    }

    internal static ContentRecommender ReadPayload(BinaryReader reader)
    {
        var vocabulary = ModelBinary.ReadCount(reader, int.MaxValue);
        var offsets = ModelBinary.ReadInts(reader);
        var terms = ModelBinary.ReadInts(reader);
        var values = ModelBinary.ReadFloats(reader);
        if (offsets.Length == 0 || offsets[^1] != terms.Length || terms.Length != values.Length || terms.Any(t => (uint)t >= (uint)vocabulary))
        {
            throw new InvalidDataException("The content model's term vectors are inconsistent.");
        }

        return new ContentRecommender(offsets, terms, values, vocabulary);
    }
}
