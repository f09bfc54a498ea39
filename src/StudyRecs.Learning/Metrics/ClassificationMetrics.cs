namespace StudyRecs.Learning.Metrics;

/// <summary>
/// Accuracy, F1 (macro and support-weighted), per-class precision/recall/F1, confusion matrix,
/// log loss and Brier score of class probabilities against class-index labels.
/// </summary>
public sealed class ClassificationMetrics
{
    private ClassificationMetrics(int classes, int[] confusion, IReadOnlyList<ClassMetrics> perClass, double accuracy, double macroF1, double weightedF1, double logLoss, double brier)
    {
        ClassCount = classes;
        ConfusionCounts = confusion;
        PerClass = perClass;
        Accuracy = accuracy;
        MacroF1 = macroF1;
        WeightedF1 = weightedF1;
        LogLoss = logLoss;
        BrierMacro = brier;
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Confusion counts, row-major: actual class × predicted class.</summary>
    public int[] ConfusionCounts { get; }

    /// <summary>Per-class precision, recall, F1, support and Brier score.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; }

    /// <summary>Fraction of rows whose most probable class is the actual one.</summary>
    public double Accuracy { get; }

    /// <summary>Unweighted mean of per-class F1.</summary>
    public double MacroF1 { get; }

    /// <summary>Per-class F1 weighted by support.</summary>
    public double WeightedF1 { get; }

    /// <summary>Mean −log p(actual class), probabilities clipped to [1e-15, 1 − 1e-15].</summary>
    public double LogLoss { get; }

    /// <summary>
    /// Mean over classes of the one-vs-rest Brier score; for two classes this equals the usual
    /// binary Brier score mean((p − y)²).
    /// </summary>
    public double BrierMacro { get; }

    /// <summary>Rows counted as actual <paramref name="actual"/> and predicted <paramref name="predicted"/>.</summary>
    public int Confusion(int actual, int predicted) => ConfusionCounts[(actual * ClassCount) + predicted];

    /// <summary>Computes every metric; the predicted class is the most probable one (first on ties).</summary>
    /// <param name="probabilities">Row-major rows × classes probabilities.</param>
    /// <param name="labels">Actual class index per row.</param>
    /// <param name="classCount">Number of classes (at least 2).</param>
    public static ClassificationMetrics Compute(ReadOnlySpan<double> probabilities, ReadOnlySpan<float> labels, int classCount)
    {
        if (classCount < 2 || labels.IsEmpty || probabilities.Length != labels.Length * classCount)
        {
            throw new ArgumentException("Need rows × classes probabilities, one label per row and at least two classes.");
        }

        var n = labels.Length;
        var confusion = new int[classCount * classCount];
        var brier = new double[classCount];
        double logLoss = 0;
        var correct = 0;
        for (var i = 0; i < n; i++)
        {
            var row = probabilities.Slice(i * classCount, classCount);
            var actual = (int)labels[i];
            if (actual < 0 || actual >= classCount)
            {
                throw new ArgumentException($"Label {labels[i]} is not a class index below {classCount}.");
            }

            var predicted = 0;
            for (var k = 0; k < classCount; k++)
            {
                if (row[k] > row[predicted])
                {
                    predicted = k;
                }

                var d = row[k] - (k == actual ? 1 : 0);
                brier[k] += d * d;
            }

            confusion[(actual * classCount) + predicted]++;
            correct += predicted == actual ? 1 : 0;
            logLoss -= Math.Log(Math.Clamp(row[actual], 1e-15, 1 - 1e-15));
        }

        var perClass = new ClassMetrics[classCount];
        double macro = 0, weighted = 0, brierSum = 0;
        for (var k = 0; k < classCount; k++)
        {
            int tp = confusion[(k * classCount) + k], support = 0, predictedCount = 0;
            for (var j = 0; j < classCount; j++)
            {
                support += confusion[(k * classCount) + j];
                predictedCount += confusion[(j * classCount) + k];
            }

            var precision = predictedCount > 0 ? tp / (double)predictedCount : 0;
            var recall = support > 0 ? tp / (double)support : 0;
            var f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            perClass[k] = new ClassMetrics(k, precision, recall, f1, support, brier[k] / n);
            macro += f1;
            weighted += f1 * support;
            brierSum += brier[k] / n;
        }

        return new ClassificationMetrics(classCount, confusion, perClass, correct / (double)n, macro / classCount, weighted / n, logLoss / n, brierSum / classCount);
    }

    /// <summary>
    /// Reliability curve of one class's probability: rows grouped into equal-width probability bins,
    /// each with its mean predicted probability and observed frequency; empty bins are left out.
    /// </summary>
    /// <param name="probabilities">The class's predicted probability per row.</param>
    /// <param name="isPositive">Whether each row actually belongs to the class.</param>
    /// <param name="bins">Number of equal-width bins over [0, 1].</param>
    public static IReadOnlyList<CalibrationBin> CalibrationCurve(ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> isPositive, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (probabilities.Length != isPositive.Length)
        {
            throw new ArgumentException("Need one outcome per probability.");
        }

        var sums = new double[bins];
        var positives = new int[bins];
        var counts = new int[bins];
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = Math.Clamp(probabilities[i], 0, 1);
            var b = Math.Min(bins - 1, (int)(p * bins));
            sums[b] += p;
            counts[b]++;
            positives[b] += isPositive[i] ? 1 : 0;
        }

        var curve = new List<CalibrationBin>(bins);
        for (var b = 0; b < bins; b++)
        {
            if (counts[b] > 0)
            {
                curve.Add(new CalibrationBin(b / (double)bins, (b + 1) / (double)bins, sums[b] / counts[b], positives[b] / (double)counts[b], counts[b]));
            }
        }

        return curve;
    }
}
