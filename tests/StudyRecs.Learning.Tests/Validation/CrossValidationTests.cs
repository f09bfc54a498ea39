using StudyRecs.Learning.Validation;

namespace StudyRecs.Learning.Tests.Validation;

public class CrossValidationTests
{
    [Fact]
    public void K_fold_tests_every_row_exactly_once()
    {
        var splits = CrossValidation.KFold(103, 5, seed: 1);
        Assert.Equal(5, splits.Count);
        Assert.Equal(Enumerable.Range(0, 103), splits.SelectMany(s => s.Test).Order());
        Assert.All(splits, s => Assert.Empty(s.Train.Intersect(s.Test)));
        Assert.All(splits, s => Assert.Equal(103, s.Train.Length + s.Test.Length));
        Assert.All(splits, s => Assert.InRange(s.Test.Length, 20, 21));
    }

    [Fact]
    public void Stratified_k_fold_keeps_class_ratios_in_every_fold()
    {
        var labels = Enumerable.Range(0, 300).Select(i => i < 240 ? 0f : 1f).ToArray();
        var splits = CrossValidation.StratifiedKFold(labels, 10, seed: 2);
        Assert.Equal(Enumerable.Range(0, 300), splits.SelectMany(s => s.Test).Order());
        Assert.All(splits, s => Assert.Equal(6, s.Test.Count(i => labels[i] == 1)));
    }

    [Fact]
    public void Group_k_fold_never_splits_a_group()
    {
        var random = new Random(3);
        var groups = Enumerable.Range(0, 500).Select(_ => "student" + random.Next(40)).ToArray();
        var splits = CrossValidation.GroupKFold(groups, 5, seed: 4);
        Assert.Equal(Enumerable.Range(0, 500), splits.SelectMany(s => s.Test).Order());
        foreach (var split in splits)
        {
            var testGroups = split.Test.Select(i => groups[i]).ToHashSet();
            Assert.DoesNotContain(split.Train, i => testGroups.Contains(groups[i]));
        }
    }

    [Fact]
    public void Temporal_split_tests_on_the_latest_rows()
    {
        var byOrder = CrossValidation.TemporalSplit(10, 0.2);
        Assert.Equal([8, 9], byOrder.Test);
        Assert.Equal(Enumerable.Range(0, 8), byOrder.Train);

        long[] times = [50, 10, 40, 20, 30];
        var byTime = CrossValidation.TemporalSplit(times, 0.4);
        Assert.Equal([0, 2], byTime.Test);
        Assert.True(byTime.Train.Max(i => times[i]) < byTime.Test.Min(i => times[i]));
    }

    [Fact]
    public void Repeated_cross_validation_reshuffles_each_repeat()
    {
        var splits = CrossValidation.Repeated(3, 10, (seed, repeat) => CrossValidation.KFold(50, 5, seed, repeat));
        Assert.Equal(15, splits.Count);
        Assert.Equal([0, 1, 2], splits.Select(s => s.Repeat).Distinct());
        Assert.NotEqual(splits[0].Test, splits[5].Test);
    }

    [Fact]
    public void Metric_summary_reports_mean_and_sample_spread()
    {
        var s = MetricSummary.FromValues([1.0, 2, 3, 4]);
        Assert.Equal(2.5, s.Mean);
        Assert.Equal(Math.Sqrt(5 / 3.0), s.StandardDeviation, 12);
        Assert.Equal(1, s.Minimum);
        Assert.Equal(4, s.Maximum);
    }
}
