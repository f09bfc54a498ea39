namespace StudyRecs.Core.Datasets;

/// <summary>One grade of the scale: the label and the lowest final mark (percent) that earns it.</summary>
public sealed class GradeBand
{
    public string Label { get; set; } = "";

    /// <summary>Lowest percentage of the final marks maximum that earns this grade (inclusive).</summary>
    public double MinPercent { get; set; }
}

/// <summary>
/// Grade labels with their marks bands. Labels match case-insensitively; a percentage maps to the
/// best grade whose lower bound it reaches.
/// </summary>
public sealed class GradeScale
{
    private readonly GradeBand[] _bands;
    private readonly Dictionary<string, int> _index;

    public GradeScale(IEnumerable<GradeBand> bands)
    {
        _bands = bands.Select(b => new GradeBand { Label = b.Label.Trim(), MinPercent = b.MinPercent })
            .OrderByDescending(b => b.MinPercent).ToArray();
        if (_bands.Length == 0)
        {
            throw new ArgumentException("a grade scale needs at least one grade.", nameof(bands));
        }

        _index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _bands.Length; i++)
        {
            var band = _bands[i];
            if (band.Label.Length is 0 or > MaxLabelLength)
            {
                throw new ArgumentException($"every grade needs a label of 1 to {MaxLabelLength} characters ('{band.Label}').", nameof(bands));
            }

            if (band.MinPercent is < 0 or > 100 || double.IsNaN(band.MinPercent))
            {
                throw new ArgumentException($"grade {band.Label}: lower bound {band.MinPercent} is outside 0-100.", nameof(bands));
            }

            if (!_index.TryAdd(band.Label, i))
            {
                throw new ArgumentException($"grade {band.Label} appears twice.", nameof(bands));
            }

            if (i > 0 && band.MinPercent == _bands[i - 1].MinPercent)
            {
                throw new ArgumentException($"grades {_bands[i - 1].Label} and {band.Label} have the same lower bound.", nameof(bands));
            }
        }

        if (_bands[^1].MinPercent != 0)
        {
            throw new ArgumentException($"the lowest grade ({_bands[^1].Label}) must start at 0.", nameof(bands));
        }
    }

    /// <summary>Longest grade label (the width of the stored final grade).</summary>
    public const int MaxLabelLength = 16;

    /// <summary>A+ 90, A 85, A- 80, B+ 75, B 70, B- 65, C+ 60, C 55, C- 50, D 45, F 0.</summary>
    public static GradeScale Default { get; } = new(
    [
        new GradeBand { Label = "A+", MinPercent = 90 },
        new GradeBand { Label = "A", MinPercent = 85 },
        new GradeBand { Label = "A-", MinPercent = 80 },
        new GradeBand { Label = "B+", MinPercent = 75 },
        new GradeBand { Label = "B", MinPercent = 70 },
        new GradeBand { Label = "B-", MinPercent = 65 },
        new GradeBand { Label = "C+", MinPercent = 60 },
        new GradeBand { Label = "C", MinPercent = 55 },
        new GradeBand { Label = "C-", MinPercent = 50 },
        new GradeBand { Label = "D", MinPercent = 45 },
        new GradeBand { Label = "F", MinPercent = 0 },
    ]);

    /// <summary>Grades best first.</summary>
    public IReadOnlyList<GradeBand> Bands => _bands;

    /// <summary>Grade labels best first.</summary>
    public IReadOnlyList<string> Labels => _bands.Select(b => b.Label).ToArray();

    /// <summary>The grade earned by <paramref name="percent"/> (0-100) of the final marks maximum.</summary>
    public string GradeFor(double percent)
    {
        foreach (var band in _bands)
        {
            if (percent >= band.MinPercent)
            {
                return band.Label;
            }
        }

        return _bands[^1].Label;
    }

    /// <summary>The canonical spelling of a grade label, or null when it is not on this scale.</summary>
    public string? Normalize(ReadOnlySpan<char> label)
    {
        var lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(label.Trim(), out var i) ? _bands[i].Label : null;
    }
}
