namespace StudyRecs.Learning.Recommend;

/// <summary>Maps external string ids (student ids, resource ids) to compact indexes 0..Count-1 in first-seen order.</summary>
public sealed class IdIndex
{
    private readonly Dictionary<string, int> _index;
    private readonly List<string> _ids;

    /// <summary>Creates an empty index.</summary>
    public IdIndex()
    {
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        _ids = [];
    }

    /// <summary>Creates an index over the given ids in order; duplicates are refused.</summary>
    public IdIndex(IEnumerable<string> ids) : this()
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            if (!_index.TryAdd(id, _ids.Count))
            {
                throw new ArgumentException($"Duplicate id '{id}'.", nameof(ids));
            }

            _ids.Add(id);
        }
    }

    /// <summary>Number of ids.</summary>
    public int Count => _ids.Count;

    /// <summary>The external id of an index.</summary>
    public string this[int index] => _ids[index];

    /// <summary>All ids in index order.</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>Returns the index of an id, adding it when new.</summary>
    public int GetOrAdd(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_index.TryGetValue(id, out var i))
        {
            return i;
        }

        i = _ids.Count;
        _index.Add(id, i);
        _ids.Add(id);
        return i;
    }

    /// <summary>Returns the index of an id given as characters, adding it when new; allocates only for new ids.</summary>
    public int GetOrAdd(ReadOnlySpan<char> id)
    {
        if (_index.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(id, out var i))
        {
            return i;
        }

        return GetOrAdd(id.ToString());
    }

    /// <summary>Looks an id up without adding it.</summary>
    public bool TryGetIndex(string id, out int index) => _index.TryGetValue(id, out index);
}
