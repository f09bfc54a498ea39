namespace StudyRecs.Learning.Recommend;

/// <summary>What is known about one arm (strategy): how often it was tried and how often that earned a reward.</summary>
/// <param name="Trials">Times the arm was shown.</param>
/// <param name="Rewards">Rewards it earned (clicks and completions); more than <paramref name="Trials"/> counts as every trial rewarded.</param>
public readonly record struct ArmStatistics(long Trials, long Rewards)
{
    /// <summary>Rewards capped at the trials, never negative.</summary>
    public long Successes => Math.Clamp(Rewards, 0, Math.Max(0, Trials));

    /// <summary>Trials without a reward.</summary>
    public long Failures => Math.Max(0, Trials) - Successes;
}

/// <summary>Chooses which arm (strategy) serves the next request, from the arms' statistics so far.</summary>
public interface IStrategyBandit
{
    /// <summary>The index of the arm to play; <paramref name="arms"/> must not be empty.</summary>
    int Choose(ReadOnlySpan<ArmStatistics> arms, Random random);
}

/// <summary>
/// Epsilon-greedy: with probability epsilon a uniformly random arm (exploration), otherwise the arm with the best
/// observed reward rate; an arm never tried is played first. Ties go to the lower index.
/// </summary>
public sealed class EpsilonGreedyBandit : IStrategyBandit
{
    /// <summary>Creates the bandit; <paramref name="epsilon"/> is the exploration probability, 0 to 1.</summary>
    public EpsilonGreedyBandit(double epsilon)
    {
        if (!(epsilon is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must lie between 0 and 1.");
        }

        Epsilon = epsilon;
    }

    /// <summary>Probability of playing a random arm.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public int Choose(ReadOnlySpan<ArmStatistics> arms, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (arms.IsEmpty)
        {
            throw new ArgumentException("There must be at least one arm.", nameof(arms));
        }

        if (random.NextDouble() < Epsilon)
        {
            return random.Next(arms.Length);
        }

        var best = 0;
        var bestRate = double.NegativeInfinity;
        for (var i = 0; i < arms.Length; i++)
        {
            var rate = arms[i].Trials <= 0 ? double.PositiveInfinity : (double)arms[i].Successes / arms[i].Trials;
            if (rate > bestRate)
            {
                best = i;
                bestRate = rate;
            }
        }

        return best;
    }
}

/// <summary>
/// Thompson sampling with Beta posteriors: each arm's reward rate has a Beta(1 + successes, 1 + failures) posterior
/// (a uniform prior); one draw per arm, the highest draw plays. Arms that look better play more often, uncertain
/// arms still get tried.
/// </summary>
public sealed class ThompsonSamplingBandit : IStrategyBandit
{
    /// <inheritdoc />
    public int Choose(ReadOnlySpan<ArmStatistics> arms, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (arms.IsEmpty)
        {
            throw new ArgumentException("There must be at least one arm.", nameof(arms));
        }

        var best = 0;
        var bestDraw = double.NegativeInfinity;
        for (var i = 0; i < arms.Length; i++)
        {
            var draw = BetaDistribution.Sample(1 + arms[i].Successes, 1 + arms[i].Failures, random);
            if (draw > bestDraw)
            {
                best = i;
                bestDraw = draw;
            }
        }

        return best;
    }
}

/// <summary>Draws from Beta and Gamma distributions (no statistics package is available).</summary>
public static class BetaDistribution
{
    /// <summary>A draw from Beta(<paramref name="alpha"/>, <paramref name="beta"/>) as X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta).</summary>
    public static double Sample(double alpha, double beta, Random random)
    {
        var x = GammaSample(alpha, random);
        var y = GammaSample(beta, random);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    /// <summary>A draw from Gamma(<paramref name="shape"/>, 1) by Marsaglia and Tsang's method (2000); shapes below 1 by the boost U^(1/shape).</summary>
    public static double GammaSample(double shape, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(shape > 0) || double.IsInfinity(shape))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "The shape must be positive and finite.");
        }

        if (shape < 1)
        {
            return GammaSample(shape + 1, random) * Math.Pow(1 - random.NextDouble(), 1 / shape);
        }

        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = StandardNormal(random);
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = 1 - random.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    // Box-Muller; one of the pair is enough here.
    private static double StandardNormal(Random random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
