namespace StudyRecs.Core.Recommendations;

/// <summary>One student's counts in one group: resources shown and how many of them were clicked (or completed).</summary>
public readonly record struct StudentCounts(long Shown, long Successes);

/// <summary>A rate with its 95 % confidence interval (no interval below two students).</summary>
public sealed record RateEstimate(double Value, double Low, double High, bool HasInterval);

/// <summary>Group B's rate minus group A's, with its 95 % confidence interval and two-sided p-value.</summary>
public sealed record RateDifference(double Value, double Low, double High, double PValue, bool Significant);

/// <summary>
/// The statistics of an A/B test on rates such as click-through rate. A student sees many lists, so the shown
/// resources are not independent trials: the unit is the student, and a rate's variance comes from the delta method
/// for a ratio of sums over students (the usual cluster-robust estimate), not from a binomial over impressions, which
/// would call differences significant far too often.
/// </summary>
public static class ExperimentStatistics
{
    public const double Alpha = 0.05;

    /// <summary>Below this many students who saw recommendations in each group, no verdict is given.</summary>
    public const int MinimumStudentsPerArm = 10;

    /// <summary>A sample-ratio mismatch (an unbalanced split) is reported below this p-value.</summary>
    public const double SplitAlarm = 0.001;

    private const double Z95 = 1.959963984540054;

    /// <summary>The pooled rate of a group (successes over shown) with its 95 % interval, clipped to [0, 1].</summary>
    public static RateEstimate Rate(IReadOnlyList<StudentCounts> students)
    {
        var (rate, variance) = RatioAndVariance(students);
        if (variance is not { } v)
        {
            return new RateEstimate(rate, rate, rate, false);
        }

        var half = Z95 * Math.Sqrt(v);
        return new RateEstimate(rate, Math.Max(0, rate - half), Math.Min(1, rate + half), true);
    }

    /// <summary>B minus A, its 95 % interval and the two-sided p-value of a z-test; significant only with enough students in both groups.</summary>
    public static RateDifference Difference(IReadOnlyList<StudentCounts> a, IReadOnlyList<StudentCounts> b)
    {
        var (rateA, varianceA) = RatioAndVariance(a);
        var (rateB, varianceB) = RatioAndVariance(b);
        var difference = rateB - rateA;
        if (varianceA is not { } va || varianceB is not { } vb)
        {
            return new RateDifference(difference, double.NaN, double.NaN, double.NaN, false);
        }

        var se = Math.Sqrt(va + vb);
        var p = se > 0 ? TwoSidedP(difference / se) : difference == 0 ? 1 : 0;
        var enough = Students(a) >= MinimumStudentsPerArm && Students(b) >= MinimumStudentsPerArm;
        return new RateDifference(difference, difference - Z95 * se, difference + Z95 * se, p, enough && p < Alpha);
    }

    /// <summary>The p-value of a chi-square test (one degree of freedom) that the split of students is 50/50.</summary>
    public static double SplitPValue(long a, long b)
    {
        var n = a + b;
        if (n == 0)
        {
            return 1;
        }

        var chiSquare = (double)(a - b) * (a - b) / n;
        return Erfc(Math.Sqrt(chiSquare / 2));
    }

    /// <summary>Two-sided p-value of a standard normal statistic.</summary>
    public static double TwoSidedP(double z) => Math.Min(1, Erfc(Math.Abs(z) / Math.Sqrt(2)));

    /// <summary>Students with at least one resource shown.</summary>
    public static int Students(IReadOnlyList<StudentCounts> students) => students.Count(s => s.Shown > 0);

    // Delta method for R = sum(Y) / sum(X) over n students: Var(R) ~ n / (n - 1) * sum((Y_i - R X_i)^2) / sum(X)^2.
    private static (double Rate, double? Variance) RatioAndVariance(IReadOnlyList<StudentCounts> students)
    {
        double shown = 0, successes = 0;
        var n = 0;
        foreach (var s in students)
        {
            if (s.Shown <= 0)
            {
                continue;
            }

            shown += s.Shown;
            successes += Math.Min(s.Successes, s.Shown);
            n++;
        }

        if (n == 0)
        {
            return (0, null);
        }

        var rate = successes / shown;
        if (n < 2)
        {
            return (rate, null);
        }

        double squares = 0;
        foreach (var s in students)
        {
            if (s.Shown > 0)
            {
                var residual = Math.Min(s.Successes, s.Shown) - rate * s.Shown;
                squares += residual * residual;
            }
        }

        return (rate, n / (n - 1.0) * squares / (shown * shown));
    }

    // Complementary error function, Chebyshev fit with fractional error below 1.2e-7 everywhere (Numerical Recipes' erfcc).
    internal static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
