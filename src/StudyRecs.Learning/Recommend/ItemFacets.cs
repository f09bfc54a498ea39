using System.Globalization;

namespace StudyRecs.Learning.Recommend;

/// <summary>
/// The catalog's facets the learned ranker compares with a student: subject, topic within the subject, type and
/// difficulty per item. Names are matched case-insensitively; an item without a facet has index -1 (difficulty NaN).
/// </summary>
public sealed class ItemFacets
{
    private readonly IdIndex _subjects;
    private readonly int[] _subject;
    private readonly int[] _topic;
    private readonly int[] _type;
    private readonly float[] _difficulty;

    private ItemFacets(IdIndex subjects, int[] subject, int[] topic, int[] type, float[] difficulty, int topicCount, int typeCount)
    {
        _subjects = subjects;
        _subject = subject;
        _topic = topic;
        _type = type;
        _difficulty = difficulty;
        TopicCount = topicCount;
        TypeCount = typeCount;
    }

    /// <summary>Catalog size.</summary>
    public int ItemCount => _subject.Length;

    /// <summary>Distinct subjects.</summary>
    public int SubjectCount => _subjects.Count;

    /// <summary>Distinct (subject, topic) pairs.</summary>
    public int TopicCount { get; }

    /// <summary>Distinct types.</summary>
    public int TypeCount { get; }

    /// <summary>Item's subject index, or -1.</summary>
    public int Subject(int item) => _subject[item];

    /// <summary>Item's (subject, topic) index, or -1.</summary>
    public int Topic(int item) => _topic[item];

    /// <summary>Item's type index, or -1.</summary>
    public int Type(int item) => _type[item];

    /// <summary>Item's difficulty on 0 (beginner) to 2 (advanced), or NaN.</summary>
    public float Difficulty(int item) => _difficulty[item];

    /// <summary>The index of a subject name (case-insensitive), or -1 when no item has it.</summary>
    public int SubjectIndex(string? name) => !string.IsNullOrWhiteSpace(name) && _subjects.TryGetIndex(Key(name), out var s) ? s : -1;

    /// <summary>Facets of a catalog whose item <c>i</c> has text <paramref name="items"/>[i] (null: no facets).</summary>
    public static ItemFacets From(IReadOnlyList<ItemText?> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var subjects = new IdIndex();
        var topics = new IdIndex();
        var types = new IdIndex();
        var subject = new int[items.Count];
        var topic = new int[items.Count];
        var type = new int[items.Count];
        var difficulty = new float[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var text = items[i];
            subject[i] = string.IsNullOrWhiteSpace(text?.Subject) ? -1 : subjects.GetOrAdd(Key(text.Subject));
            topic[i] = subject[i] < 0 || string.IsNullOrWhiteSpace(text!.Topic) ? -1 : topics.GetOrAdd(Key(text.Subject) + "\u001f" + Key(text.Topic));
            type[i] = string.IsNullOrWhiteSpace(text?.Type) ? -1 : types.GetOrAdd(Key(text.Type));
            difficulty[i] = ParseDifficulty(text?.Difficulty);
        }

        return new ItemFacets(subjects, subject, topic, type, difficulty, topics.Count, types.Count);
    }

    /// <summary>Facets of a catalog with no text at all.</summary>
    public static ItemFacets None(int itemCount) => From(new ItemText?[itemCount]);

    /// <summary>
    /// A difficulty as a level: beginner/introductory/easy/basic 0, intermediate/medium 1, advanced/hard/expert 2,
    /// a number as itself (clamped to 0–2); anything else NaN.
    /// </summary>
    public static float ParseDifficulty(string? text)
    {
        var t = text?.Trim().ToLowerInvariant();
        switch (t)
        {
            case null or "":
                return float.NaN;
            case "beginner" or "introductory" or "intro" or "easy" or "basic":
                return 0f;
            case "intermediate" or "medium":
                return 1f;
            case "advanced" or "hard" or "expert":
                return 2f;
        }

        return float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) ? Math.Clamp(v, 0f, 2f) : float.NaN;
    }

    private static string Key(string text) => text.Trim().ToLowerInvariant();

    internal void Write(BinaryWriter writer)
    {
        writer.Write(_subjects.Count);
        foreach (var id in _subjects.Ids)
        {
            writer.Write(id);
        }

        writer.Write(TopicCount);
        writer.Write(TypeCount);
        ModelBinary.WriteInts(writer, _subject);
        ModelBinary.WriteInts(writer, _topic);
        ModelBinary.WriteInts(writer, _type);
        ModelBinary.WriteFloats(writer, _difficulty);
    }

    internal static ItemFacets Read(BinaryReader reader)
    {
        var count = ModelBinary.ReadCount(reader, 1_000_000);
        var subjects = new IdIndex();
        for (var s = 0; s < count; s++)
        {
            if (subjects.GetOrAdd(reader.ReadString()) != s)
            {
                throw new InvalidDataException("The ranker's subject list repeats a subject.");
            }
        }

        var topicCount = ModelBinary.ReadCount(reader, int.MaxValue);
        var typeCount = ModelBinary.ReadCount(reader, int.MaxValue);
        var subject = ModelBinary.ReadInts(reader);
        var topic = ModelBinary.ReadInts(reader);
        var type = ModelBinary.ReadInts(reader);
        var difficulty = ModelBinary.ReadFloats(reader);
        if (topic.Length != subject.Length || type.Length != subject.Length || difficulty.Length != subject.Length
            || subject.Any(s => s < -1 || s >= count) || topic.Any(t => t < -1 || t >= topicCount) || type.Any(t => t < -1 || t >= typeCount))
        {
            throw new InvalidDataException("The ranker's item facets are inconsistent.");
        }

        return new ItemFacets(subjects, subject, topic, type, difficulty, topicCount, typeCount);
    }
}
