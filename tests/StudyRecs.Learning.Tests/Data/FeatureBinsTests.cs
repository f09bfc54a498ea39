using StudyRecs.Learning.Data;

namespace StudyRecs.Learning.Tests.Data;

public class FeatureBinsTests
{
    [Fact]
    public void Few_distinct_values_each_get_their_own_bin()
    {
        var m = new DenseMatrix([1f, 2f, 2f, 3f, 3f, 3f, float.NaN], 7, 1);
        var bins = FeatureBins.Fit(m, 0, 255);
        Assert.Equal(3, bins.ValueBinCount);
        Assert.Equal(1, bins.BinOf(1f));
        Assert.Equal(2, bins.BinOf(2f));
        Assert.Equal(3, bins.BinOf(3f));
        Assert.Equal(0, bins.BinOf(float.NaN));
        Assert.Equal(3, bins.BinOf(1000f));
        Assert.True(float.IsPositiveInfinity(bins.UpperBounds[^1]));
    }

    [Fact]
    public void Many_distinct_values_are_cut_at_quantiles_within_the_bin_budget()
    {
        var values = Enumerable.Range(0, 10_000).Select(i => (float)i).ToArray();
        var bins = FeatureBins.Fit(new DenseMatrix(values, values.Length, 1), 0, 16);
        Assert.True(bins.ValueBinCount <= 16);
        var counts = new int[bins.TotalBinCount];
        foreach (var v in values)
        {
            counts[bins.BinOf(v)]++;
        }

        Assert.Equal(0, counts[0]);
        Assert.All(counts.Skip(1), c => Assert.InRange(c, 500, 800));
    }

    [Fact]
    public void Bin_order_matches_value_order()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 5000).Select(_ => (float)random.NextDouble()).ToArray();
        var bins = FeatureBins.Fit(new DenseMatrix(values, values.Length, 1), 0, 255);
        var sorted = values.Order().ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            Assert.True(bins.BinOf(sorted[i - 1]) <= bins.BinOf(sorted[i]));
        }

        // A value goes left of a split at bin b exactly when it is at most that bin's upper bound.
        foreach (var v in values.Take(200))
        {
            var b = bins.BinOf(v);
            Assert.True(v <= bins.UpperBounds[b - 1]);
            Assert.True(b == 1 || v > bins.UpperBounds[b - 2]);
        }
    }

    [Fact]
    public void All_missing_column_has_a_single_unsplittable_bin()
    {
        var bins = FeatureBins.Fit(new DenseMatrix([float.NaN, float.NaN], 2, 1), 0, 255);
        Assert.Equal(1, bins.ValueBinCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(200)]
    [InlineData(255)]
    public void Bin_of_a_value_is_one_plus_the_bounds_below_it_for_any_bound_count(int boundCount)
    {
        var random = new Random(boundCount);
        var finite = Enumerable.Range(0, boundCount - 1).Select(_ => (float)((random.NextDouble() * 20) - 10)).Distinct().Order().ToList();
        var bins = new FeatureBins([.. finite, float.PositiveInfinity]);
        var probes = finite.Concat(finite.Select(b => MathF.BitDecrement(b))).Concat(finite.Select(b => MathF.BitIncrement(b)))
            .Concat(Enumerable.Range(0, 500).Select(_ => (float)((random.NextDouble() * 24) - 12)))
            .Append(float.NegativeInfinity).Append(float.PositiveInfinity).Append(float.MaxValue).Append(-float.MaxValue);
        foreach (var v in probes)
        {
            Assert.Equal(1 + bins.UpperBounds.Count(b => b < v), bins.BinOf(v));
        }

        Assert.Equal(0, bins.BinOf(float.NaN));
    }
}
