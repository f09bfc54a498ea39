using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Predictions;

/// <summary>
/// Makes a forecast agree with itself. The marks come from the regression model and the grade probabilities from the
/// classifier, and left alone the two disagree (62 marks, a C+ on the default scale, shown with a C-). The headline
/// grade is the band of the headline marks, and the grade probabilities are moved as little as needed for their median
/// (cumulative probability over the grades in scale order reaching 50 %) to be that grade: when more than half the
/// probability lies on better (or worse) grades, those grades are scaled down proportionally to just under half and
/// the difference goes to the headline grade. Where the two models already agree nothing changes, so the classifier's
/// calibration is kept where it is trustworthy.
/// </summary>
public static class CoherentGrades
{
    /// <summary>How far under one half the probability of better (or of worse) grades is brought, so that rounding a
    /// probability for display cannot move the median off the headline grade.</summary>
    public const double Margin = 0.005;

    /// <summary>The headline grade and the probability of every grade of <paramref name="scale"/>, best first.</summary>
    /// <param name="scale">The institution's grade scale.</param>
    /// <param name="marksPercent">The headline marks as a percentage of the final marks maximum.</param>
    /// <param name="labels">The classifier's grade labels (on the scale; other labels carry no probability here).</param>
    /// <param name="probabilities">The classifier's probability of each of <paramref name="labels"/>.</param>
    public static (string Grade, GradeProbability[] Probabilities) Reconcile(
        GradeScale scale, double marksPercent, IReadOnlyList<string> labels, ReadOnlySpan<double> probabilities)
    {
        var grades = scale.Labels;
        var q = new double[grades.Count];
        for (var c = 0; c < labels.Count; c++)
        {
            if (scale.Normalize(labels[c]) is { } label && probabilities[c] is > 0 and var p && double.IsFinite(p))
            {
                q[IndexOf(grades, label)] += p;
            }
        }

        var headline = IndexOf(grades, scale.GradeFor(marksPercent));
        var total = q.Sum();
        if (total <= 0)
        {
            q[headline] = 1;
        }
        else
        {
            for (var k = 0; k < q.Length; k++)
            {
                q[k] /= total;
            }

            MoveExcessToHeadline(q, 0, headline, headline);
            MoveExcessToHeadline(q, headline + 1, q.Length, headline);
        }

        var result = new GradeProbability[q.Length];
        for (var k = 0; k < q.Length; k++)
        {
            result[k] = new GradeProbability(grades[k], q[k]);
        }

        return (grades[headline], result);
    }

    /// <summary>The grade whose cumulative probability, best grade first, first reaches one half.</summary>
    public static string Median(IReadOnlyList<GradeProbability> bestFirst)
    {
        double cumulative = 0;
        foreach (var g in bestFirst)
        {
            cumulative += g.Probability;
            if (cumulative >= 0.5)
            {
                return g.Grade;
            }
        }

        return bestFirst[^1].Grade;
    }

    /// <summary>Scales <c>q[from..to)</c> down to <c>0.5 - Margin</c> in total when it holds more, adding the difference to <c>q[headline]</c>.</summary>
    private static void MoveExcessToHeadline(double[] q, int from, int to, int headline)
    {
        double side = 0;
        for (var k = from; k < to; k++)
        {
            side += q[k];
        }

        const double limit = 0.5 - Margin;
        if (side <= limit)
        {
            return;
        }

        var keep = limit / side;
        for (var k = from; k < to; k++)
        {
            q[k] *= keep;
        }

        q[headline] += side - limit;
    }

    private static int IndexOf(IReadOnlyList<string> grades, string label)
    {
        for (var k = 0; k < grades.Count; k++)
        {
            if (grades[k] == label)
            {
                return k;
            }
        }

        throw new ArgumentException($"grade {label} is not on the scale.", nameof(label));
    }
}
