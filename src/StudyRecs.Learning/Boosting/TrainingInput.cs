using StudyRecs.Learning.Data;
using StudyRecs.Learning.Objectives;

namespace StudyRecs.Learning.Boosting;

/// <summary>Checks shared by the trainers: labels fit the task, names, class count.</summary>
internal static class TrainingInput
{
    /// <summary>Outputs per row after checking the labels: K for multiclass, else 1.</summary>
    public static int OutputCount(LearningTask task, TrainingSet data)
    {
        if (data.Rows == 0)
        {
            throw new ArgumentException("The training set has no rows.");
        }

        if (data.Features.Columns == 0)
        {
            throw new ArgumentException("The training set has no features.");
        }

        if (data.FeatureNames is not null && data.FeatureNames.Count != data.Features.Columns)
        {
            throw new ArgumentException($"Got {data.FeatureNames.Count} feature names for {data.Features.Columns} columns.");
        }

        var labels = data.Labels;
        foreach (var y in labels)
        {
            if (!float.IsFinite(y))
            {
                throw new ArgumentException("Labels must be finite numbers.");
            }
        }

        switch (task)
        {
            case LearningTask.Regression:
                return 1;
            case LearningTask.BinaryClassification:
                {
                    bool zero = false, one = false;
                    foreach (var y in labels)
                    {
                        if (y == 0)
                        {
                            zero = true;
                        }
                        else if (y == 1)
                        {
                            one = true;
                        }
                        else
                        {
                            throw new ArgumentException($"Binary labels must be 0 or 1, found {y}.");
                        }
                    }

                    if (!zero || !one)
                    {
                        throw new ArgumentException("Binary classification needs examples of both classes.");
                    }

                    return 1;
                }

            case LearningTask.MulticlassClassification:
                {
                    var max = 0;
                    foreach (var y in labels)
                    {
                        if (y < 0 || y != MathF.Floor(y))
                        {
                            throw new ArgumentException($"Multiclass labels must be class indices 0..K-1, found {y}.");
                        }

                        max = Math.Max(max, (int)y);
                    }

                    var classes = data.ClassCount ?? (max + 1);
                    if (classes < 2 || max >= classes)
                    {
                        throw new ArgumentException(classes < 2 ? "Multiclass classification needs at least two classes." : $"Label {max} is outside the {classes} classes.");
                    }

                    return classes;
                }

            case LearningTask.Ranking:
                if (data.Groups is null)
                {
                    throw new ArgumentException("Ranking needs query groups.");
                }

                foreach (var y in labels)
                {
                    if (y < 0 || y > 31)
                    {
                        throw new ArgumentException($"Relevance grades must be between 0 and 31, found {y}.");
                    }
                }

                QueryGroups.Bounds(data.Groups);
                return 1;
            default:
                throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task.");
        }
    }

    public static string[] FeatureNames(TrainingSet data) =>
        data.FeatureNames?.ToArray() ?? Enumerable.Range(0, data.Features.Columns).Select(i => "f" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public static string[] ClassLabels(TrainingSet data) => data.ClassLabels?.ToArray() ?? [];

    public static ParallelOptions Parallelism(int? threads) => new() { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };

    /// <summary>Picks round(fraction × count) of <paramref name="count"/> items (at least one), or null for all.</summary>
    public static bool[]? SampleMask(int count, double fraction, Random random)
    {
        if (fraction >= 1)
        {
            return null;
        }

        var take = Math.Max(1, (int)Math.Round(count * fraction));
        var order = Enumerable.Range(0, count).ToArray();
        var mask = new bool[count];
        for (var i = 0; i < take; i++)
        {
            var j = i + random.Next(count - i);
            (order[i], order[j]) = (order[j], order[i]);
            mask[order[i]] = true;
        }

        return mask;
    }

    /// <summary>Rows drawn independently with probability <paramref name="fraction"/>, sorted, with their membership mask.</summary>
    public static (int[] Bag, bool[] InBag) DrawBag(int rows, double fraction, Random random)
    {
        var inBag = new bool[rows];
        var bag = new List<int>((int)(rows * fraction) + 16);
        for (var i = 0; i < rows; i++)
        {
            if (random.NextDouble() < fraction)
            {
                inBag[i] = true;
                bag.Add(i);
            }
        }

        if (bag.Count == 0)
        {
            inBag[0] = true;
            bag.Add(0);
        }

        return ([.. bag], inBag);
    }
}
