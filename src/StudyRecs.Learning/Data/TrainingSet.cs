namespace StudyRecs.Learning.Data;

/// <summary>
/// Features and labels for training or evaluation. Classification labels are class indices
/// (0 and 1 for binary, 0..K-1 for multiclass); ranking labels are relevance grades.
/// </summary>
public sealed class TrainingSet
{
    /// <summary>Creates a data set.</summary>
    /// <param name="features">One row per example.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="groups">
    /// Query group id per row, required for ranking: rows of one group must be contiguous.
    /// </param>
    public TrainingSet(DenseMatrix features, float[] labels, int[]? groups = null)
    {
        if (labels.Length != features.Rows)
        {
            throw new ArgumentException($"Got {labels.Length} labels for {features.Rows} rows.", nameof(labels));
        }

        if (groups is not null && groups.Length != features.Rows)
        {
            throw new ArgumentException($"Got {groups.Length} group ids for {features.Rows} rows.", nameof(groups));
        }

        Features = features;
        Labels = labels;
        Groups = groups;
    }

    /// <summary>Feature values, one row per example.</summary>
    public DenseMatrix Features { get; }

    /// <summary>One label per row.</summary>
    public float[] Labels { get; }

    /// <summary>Query group id per row (ranking), or null.</summary>
    public int[]? Groups { get; }

    /// <summary>
    /// Number of classes for multiclass training; when null it is the largest label + 1. Set it
    /// when a subset (a fold) may lack the highest classes.
    /// </summary>
    public int? ClassCount { get; init; }

    /// <summary>Feature names in column order; null names them f0, f1, ...</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>Class names by class index, stored with the model; null for none.</summary>
    public IReadOnlyList<string>? ClassLabels { get; init; }

    /// <summary>Number of rows.</summary>
    public int Rows => Features.Rows;

    /// <summary>Copies the given rows, in the given order, into a new data set.</summary>
    public TrainingSet SelectRows(ReadOnlySpan<int> rows)
    {
        var labels = new float[rows.Length];
        var groups = Groups is null ? null : new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            labels[i] = Labels[rows[i]];
            if (groups is not null)
            {
                groups[i] = Groups![rows[i]];
            }
        }

        return new TrainingSet(Features.SelectRows(rows), labels, groups)
        {
            ClassCount = ClassCount,
            FeatureNames = FeatureNames,
            ClassLabels = ClassLabels,
        };
    }
}
