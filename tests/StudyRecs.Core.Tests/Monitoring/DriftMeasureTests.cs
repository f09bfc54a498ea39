using StudyRecs.Core.Datasets;
using StudyRecs.Core.Datasets.Generation;
using StudyRecs.Core.Monitoring;

namespace StudyRecs.Core.Tests.Monitoring;

/// <summary>Training distributions, PSI and out-of-range shares on cohorts of the project's gradebook generator.</summary>
public sealed class DriftMeasureTests
{
    private const double Threshold = 0.25;

    /// <summary>A generated cohort as the inputs drift is watched on.</summary>
    internal static MonitoredInput[] Cohort(int students, int seed, int firstStudent = 1, int subjects = 5) =>
        PerformanceDataGenerator.Rows(new PerformanceDataSpec(students, Subjects: subjects, Seed: seed, FirstStudent: firstStudent))
            .Select(r => new MonitoredInput(
                (string)r[(int)GradebookColumn.Subject]!,
                (double?)r[(int)GradebookColumn.AssignmentMarks],
                (double?)r[(int)GradebookColumn.QuizMarks],
                (double?)r[(int)GradebookColumn.AttendancePercentage],
                (double?)r[(int)GradebookColumn.MidtermMarks],
                (double?)r[(int)GradebookColumn.PreviousCgpa]))
            .ToArray();

    /// <summary>The cohort with attendance lowered by <paramref name="points"/> (kept within 0-100), everything else as generated.</summary>
    internal static MonitoredInput[] WithAttendanceDown(MonitoredInput[] cohort, double points) =>
        cohort.Select(r => r with { AttendancePercentage = r.AttendancePercentage is { } a ? Math.Max(0, a - points) : null }).ToArray();

    private static readonly TrainingProfile Training = TrainingProfile.Build(Cohort(600, seed: 1));

    private static string[] Drifted(IEnumerable<MonitoredInput> cohort) =>
        PopulationStability.Measure(Training, cohort, Threshold).Where(f => f.Drifted).Select(f => f.Feature).ToArray();

    [Fact]
    public void An_unshifted_cohort_flags_no_feature()
    {
        var drift = PopulationStability.Measure(Training, Cohort(300, seed: 2, firstStudent: 5001), Threshold);

        Assert.Equal([.. TrainingProfile.NumericFeatures, TrainingProfile.SubjectFeature], drift.Select(f => f.Feature));
        Assert.All(drift, f => Assert.True(f.Psi < 0.1, $"{f.Feature}: PSI {f.Psi}"));
        Assert.All(drift, f => Assert.Equal(3000, f.Samples));
        Assert.Empty(Drifted(Cohort(300, seed: 2, firstStudent: 5001)));
    }

    [Fact]
    public void A_cohort_with_lower_attendance_flags_exactly_attendance()
    {
        var shifted = WithAttendanceDown(Cohort(300, seed: 3, firstStudent: 5001), 20);

        Assert.Equal(["attendance_percentage"], Drifted(shifted));
        var attendance = PopulationStability.Measure(Training, shifted, Threshold).Single(f => f.Feature == "attendance_percentage");
        Assert.True(attendance.OutOfRangeShare > 0, "attendance 20 points lower falls below the training minimum for some students");
    }

    [Fact]
    public void A_cohort_with_a_new_subject_flags_exactly_subject_and_counts_it_out_of_range()
    {
        // Six subjects: the sixth ("Database Systems") never appeared in the five-subject training cohort.
        var cohort = Cohort(300, seed: 4, firstStudent: 5001, subjects: 6);

        Assert.Equal([TrainingProfile.SubjectFeature], Drifted(cohort));
        var subject = PopulationStability.Measure(Training, cohort, Threshold).Single(f => f.Feature == TrainingProfile.SubjectFeature);
        Assert.Equal(1.0 / 6, subject.OutOfRangeShare, 1e-9);
    }

    [Fact]
    public void Psi_is_zero_for_equal_distributions_and_matches_the_formula_otherwise()
    {
        Assert.Equal(0, PopulationStability.Index([0.5, 0.5], [0.5, 0.5]), 12);
        var expected = ((0.7 - 0.5) * Math.Log(0.7 / 0.5)) + ((0.3 - 0.5) * Math.Log(0.3 / 0.5));
        Assert.Equal(expected, PopulationStability.Index([0.5, 0.5], [0.7, 0.3]), 12);

        // An empty bin counts as the floor share, not as zero: finite, and large.
        var unseen = PopulationStability.Index([1, 0], [0.9, 0.1]);
        Assert.Equal(((0.9 - 1) * Math.Log(0.9)) + ((0.1 - PopulationStability.ShareFloor) * Math.Log(0.1 / PopulationStability.ShareFloor)), unseen, 12);
    }

    [Fact]
    public void A_feature_drifts_when_its_psi_reaches_the_threshold_and_not_below_it()
    {
        // Two training bins of half the rows each; the samples put 70 % in the first.
        var training = new FeatureDistribution("x", FeatureDistributionKind.Numeric, [5], [], [0.5, 0.5, 0], 0, 10, 100);
        var counts = new FeatureSampleCounts(training);
        for (var i = 0; i < 100; i++)
        {
            counts.Add(i < 70 ? 1.0 : 9.0);
        }

        var psi = ((0.7 - 0.5) * Math.Log(0.7 / 0.5)) + ((0.3 - 0.5) * Math.Log(0.3 / 0.5)) + 0; // the missing slot is empty on both sides
        Assert.Equal(psi, counts.Compare(1).Psi, 12);
        Assert.True(counts.Compare(psi).Drifted, "PSI equal to the threshold has drifted");
        Assert.True(counts.Compare(psi * 0.99).Drifted);
        Assert.False(counts.Compare(psi * 1.01).Drifted);
    }

    [Fact]
    public void Numeric_bins_are_training_quantiles_with_missing_values_in_a_slot_of_their_own()
    {
        var rows = Enumerable.Range(1, 100).Select(i => new MonitoredInput("Calculus", i, i, i % 10 == 0 ? null : i, i, 3)).ToArray();
        var profile = TrainingProfile.Build(rows);

        var assignment = profile.Feature("assignment_marks")!;
        Assert.Equal(9, assignment.Edges.Length);
        Assert.All(assignment.Shares.Take(10), share => Assert.Equal(0.1, share, 9));
        Assert.Equal(0, assignment.Shares[^1]);
        Assert.Equal((1.0, 100.0), (assignment.Min, assignment.Max));
        Assert.Equal(0.1, profile.Feature("attendance_percentage")!.Shares[^1], 9);

        // A constant column has one bin holding every row.
        var cgpa = profile.Feature("previous_cgpa")!;
        Assert.Empty(cgpa.Edges);
        Assert.Equal([1.0, 0], cgpa.Shares);

        Assert.Equal(["Calculus"], profile.Feature(TrainingProfile.SubjectFeature)!.Categories);
        Assert.Equal(profile, TrainingProfile.FromJson(profile.ToJson()), new ProfileComparer());
    }

    [Fact]
    public void Values_outside_the_training_range_are_counted_out_of_range()
    {
        var training = new FeatureDistribution("x", FeatureDistributionKind.Numeric, [5], [], [0.5, 0.5, 0], 0, 10, 100);
        var counts = new FeatureSampleCounts(training);
        counts.Add(-1);
        counts.Add(11);
        counts.Add(5);
        counts.Add(null);

        var drift = counts.Compare(0.25);
        Assert.Equal(4, drift.Samples);
        Assert.Equal(0.5, drift.OutOfRangeShare, 12);
    }

    private sealed class ProfileComparer : IEqualityComparer<TrainingProfile>
    {
        public bool Equals(TrainingProfile? x, TrainingProfile? y) => x!.Rows == y!.Rows && x.Features.Count == y.Features.Count
            && x.Features.Zip(y.Features).All(p => p.First.Feature == p.Second.Feature && p.First.Edges.SequenceEqual(p.Second.Edges)
                && p.First.Shares.SequenceEqual(p.Second.Shares) && p.First.Categories.SequenceEqual(p.Second.Categories));

        public int GetHashCode(TrainingProfile obj) => obj.Rows.GetHashCode();
    }
}
