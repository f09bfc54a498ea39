using StudyRecs.Learning.Recommend;

namespace StudyRecs.Learning.Tests.Recommend;

public class BanditTests
{
    /// <summary>Plays <paramref name="rounds"/> rounds against arms that reward with the given rates; returns how often each arm played in the second half.</summary>
    private static int[] Simulate(IStrategyBandit bandit, double[] rates, int rounds, int seed)
    {
        var bandits = new Random(seed);
        var world = new Random(seed + 1000);
        var arms = new ArmStatistics[rates.Length];
        var late = new int[rates.Length];
        for (var round = 0; round < rounds; round++)
        {
            var arm = bandit.Choose(arms, bandits);
            var reward = world.NextDouble() < rates[arm] ? 1 : 0;
            arms[arm] = new ArmStatistics(arms[arm].Trials + 1, arms[arm].Rewards + reward);
            if (round >= rounds / 2)
            {
                late[arm]++;
            }
        }

        return late;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Thompson_sampling_converges_to_the_arm_with_the_best_click_rate(int seed)
    {
        var late = Simulate(new ThompsonSamplingBandit(), [0.04, 0.12, 0.07], 4000, seed);

        Assert.True(late[1] > 0.85 * late.Sum(), $"best arm played {late[1]} of {late.Sum()} late rounds");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Epsilon_greedy_converges_to_the_best_arm_and_keeps_exploring_at_its_rate(int seed)
    {
        var late = Simulate(new EpsilonGreedyBandit(0.1), [0.04, 0.12, 0.07], 4000, seed);

        // 90 % greedy on the best arm plus a third of the 10 % exploration.
        Assert.True(late[1] > 0.85 * late.Sum(), $"best arm played {late[1]} of {late.Sum()} late rounds");
        Assert.True(late[0] > 0 && late[2] > 0, "exploration still tries the other arms");
        Assert.InRange(late[0] + late[2], 0.03 * late.Sum(), 0.12 * late.Sum());
    }

    [Fact]
    public void Epsilon_greedy_tries_an_untried_arm_before_exploiting_and_breaks_ties_to_the_lower_index()
    {
        var greedy = new EpsilonGreedyBandit(0);
        Assert.Equal(2, greedy.Choose([new ArmStatistics(10, 9), new ArmStatistics(10, 1), new ArmStatistics(0, 0)], new Random(0)));
        Assert.Equal(0, greedy.Choose([new ArmStatistics(10, 5), new ArmStatistics(20, 10)], new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpsilonGreedyBandit(1.5));
    }

    [Fact]
    public void The_same_seed_gives_the_same_choices()
    {
        Assert.Equal(Simulate(new ThompsonSamplingBandit(), [0.1, 0.2], 500, 9), Simulate(new ThompsonSamplingBandit(), [0.1, 0.2], 500, 9));
    }

    [Theory]
    [InlineData(3, 7)]
    [InlineData(0.5, 0.5)]
    [InlineData(40, 160)]
    public void Beta_draws_have_the_distributions_mean_and_variance(double alpha, double beta)
    {
        var random = new Random(4);
        var draws = Enumerable.Range(0, 40_000).Select(_ => BetaDistribution.Sample(alpha, beta, random)).ToArray();
        var mean = alpha / (alpha + beta);
        var variance = alpha * beta / ((alpha + beta) * (alpha + beta) * (alpha + beta + 1));

        Assert.All(draws, d => Assert.InRange(d, 0, 1));
        Assert.Equal(mean, draws.Average(), 2);
        Assert.InRange(draws.Select(d => (d - mean) * (d - mean)).Average(), variance * 0.93, variance * 1.07);
    }

    [Fact]
    public void Rewards_beyond_the_trials_count_as_every_trial_rewarded()
    {
        var arm = new ArmStatistics(5, 8);
        Assert.Equal((5L, 0L), (arm.Successes, arm.Failures));
    }
}
