using StudyRecs.Learning.Data;

namespace StudyRecs.Cli.Learning;

/// <summary>Validated options of one `studyrecs learn` run.</summary>
internal sealed record LearnSettings
{
    public required string DataPath { get; init; }

    public required string Target { get; init; }

    public required LearningTask Task { get; init; }

    public string Algorithm { get; init; } = "gbdt";

    public int Trees { get; init; } = 100;

    public int Leaves { get; init; } = 20;

    public double LearningRate { get; init; } = 0.2;

    public int MinLeaf { get; init; } = 10;

    public int MaxBins { get; init; } = 255;

    public int Seed { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Hold-out fraction; used when <see cref="Folds"/> is 0.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Cross-validation folds, or 0 for a hold-out split.</summary>
    public int Folds { get; init; }

    public int Repeats { get; init; } = 1;

    public string? Group { get; init; }

    public bool Json { get; init; }
}
