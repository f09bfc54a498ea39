namespace StudyRecs.Learning.Recommend;

/// <summary>
/// What each tower reads. User tower fields: the history's items, the history's subjects, the forecasts' weak subjects
/// and the subjects of the latest events; dense: the forecast level (and whether it is known) and the history's length.
/// Item tower fields: the item itself (left out for items nobody used in training, so they are served from their
/// features alone), subject, topic, type and the hashed words of title, description and tags; dense: difficulty (and
/// whether it is known) and the text's length in words.
/// </summary>
internal sealed class TwoTowerFeatures
{
    public const int UserDense = 3;
    public const int ItemDense = 3;

    private readonly ItemFacets _facets;
    private readonly int[] _tokenOffsets;
    private readonly int[] _tokens;

    public TwoTowerFeatures(ItemFacets facets, IReadOnlyList<ItemText?>? texts, int hashBuckets)
    {
        _facets = facets;
        HashBuckets = hashBuckets;
        _tokenOffsets = new int[facets.ItemCount + 1];
        var tokens = new List<int>();
        for (var i = 0; i < facets.ItemCount; i++)
        {
            var text = texts?[i];
            if (text is not null)
            {
                HashWords(text.Title, hashBuckets, tokens);
                HashWords(text.Description, hashBuckets, tokens);
                HashWords(text.Tags, hashBuckets, tokens);
            }

            _tokenOffsets[i + 1] = tokens.Count;
        }

        _tokens = [.. tokens];
    }

    public ItemFacets Facets => _facets;

    public int HashBuckets { get; }

    public int[] UserTables => [_facets.ItemCount, Math.Max(1, _facets.SubjectCount), Math.Max(1, _facets.SubjectCount), Math.Max(1, _facets.SubjectCount)];

    public int[] ItemTables => [_facets.ItemCount, Math.Max(1, _facets.SubjectCount), Math.Max(1, _facets.TopicCount), Math.Max(1, _facets.TypeCount), HashBuckets];

    /// <summary>
    /// The user tower's input for a history visited newest first (<paramref name="newestFirst"/> indexes the history),
    /// leaving out <paramref name="skipA"/> and <paramref name="skipB"/> (the example's positive and a held-out item).
    /// </summary>
    public static void FillUser(ItemFacets facets, TowerInput input, ReadOnlySpan<int> items, ReadOnlySpan<float> weights, ReadOnlySpan<int> newestFirst,
        bool timed, StudentContext context, int skipA, int skipB, int maxHistory, int recentEvents)
    {
        input.Clear();
        var kept = 0;
        foreach (var p in newestFirst)
        {
            if (items[p] != skipA && items[p] != skipB && kept++ < maxHistory)
            {
                input.Add(items[p], weights[p]);
            }
        }

        input.EndField();
        var taken = 0;
        foreach (var p in newestFirst)
        {
            if (items[p] != skipA && items[p] != skipB && taken++ < maxHistory && facets.Subject(items[p]) is var s and >= 0)
            {
                input.Add(s, weights[p]);
            }
        }

        input.EndField();
        foreach (var name in context.WeakSubjects)
        {
            if (facets.SubjectIndex(name) is var s and >= 0)
            {
                input.Add(s, 1f);
            }
        }

        input.EndField();
        var recent = 0;
        foreach (var p in timed ? newestFirst : ReadOnlySpan<int>.Empty)
        {
            if (items[p] != skipA && items[p] != skipB && recent++ < recentEvents && facets.Subject(items[p]) is var s and >= 0)
            {
                input.Add(s, 1f);
            }
        }

        input.EndField();
        var levelKnown = float.IsFinite(context.Level);
        input.DenseValues[0] = levelKnown ? context.Level / 2f : 0f;
        input.DenseValues[1] = levelKnown ? 1f : 0f;
        input.DenseValues[2] = MathF.Log(1 + Math.Min(kept, maxHistory)) / 4f;
    }

    /// <summary>The item tower's input; <paramref name="withIdentity"/> false leaves the item's own embedding out.</summary>
    public void FillItem(TowerInput input, int item, bool withIdentity)
    {
        input.Clear();
        if (withIdentity)
        {
            input.Add(item, 1f);
        }

        input.EndField();
        AddIfKnown(input, _facets.Subject(item));
        AddIfKnown(input, _facets.Topic(item));
        AddIfKnown(input, _facets.Type(item));
        var words = _tokens.AsSpan(_tokenOffsets[item], _tokenOffsets[item + 1] - _tokenOffsets[item]);
        foreach (var bucket in words)
        {
            input.Add(bucket, 1f);
        }

        input.EndField();
        var difficulty = _facets.Difficulty(item);
        var known = float.IsFinite(difficulty);
        input.DenseValues[0] = known ? difficulty / 2f : 0f;
        input.DenseValues[1] = known ? 1f : 0f;
        input.DenseValues[2] = MathF.Log(1 + words.Length) / 4f;
    }

    private static void AddIfKnown(TowerInput input, int row)
    {
        if (row >= 0)
        {
            input.Add(row, 1f);
        }

        input.EndField();
    }

    // Words of two or more letters or digits, lower-cased, hashed with FNV-1a (stable across runs and machines,
    // unlike string.GetHashCode) into a fixed number of buckets, so the catalog needs no vocabulary.
    private static void HashWords(string? text, int buckets, List<int> destination)
    {
        var hash = 2166136261u;
        var length = 0;
        foreach (var c in (text ?? "") + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                hash = (hash ^ char.ToLowerInvariant(c)) * 16777619u;
                length++;
                continue;
            }

            if (length >= 2)
            {
                destination.Add((int)(hash % (uint)buckets));
            }

            hash = 2166136261u;
            length = 0;
        }
    }
}
