using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;

namespace StudyRecs.Core.Tests.Predictions;

public sealed class CoherentGradesTests
{
    private static readonly GradeScale Scale = GradeScale.Default;

    [Fact]
    public void Probabilities_that_already_agree_with_the_marks_are_left_as_they_are()
    {
        string[] labels = ["B", "B+", "B-", "C+"];
        double[] p = [0.5, 0.2, 0.2, 0.1];

        var (grade, probabilities) = CoherentGrades.Reconcile(Scale, 72, labels, p);

        Assert.Equal("B", grade);
        Assert.Equal(Scale.Labels, probabilities.Select(g => g.Grade));
        Assert.Equal(0.5, Of(probabilities, "B"), 12);
        Assert.Equal(0.2, Of(probabilities, "B+"), 12);
        Assert.Equal(0.2, Of(probabilities, "B-"), 12);
        Assert.Equal(0.1, Of(probabilities, "C+"), 12);
        Assert.Equal(0, Of(probabilities, "A+"));
    }

    [Fact]
    public void Marks_of_a_C_plus_with_a_classifier_leaning_to_C_minus_give_a_C_plus_whose_median_is_C_plus()
    {
        // The reproduction in the issue: 62.17 marks (C+) shown with grade C-.
        string[] labels = ["C+", "C", "C-", "D", "F"];
        double[] p = [0.15, 0.15, 0.45, 0.15, 0.10];

        var (grade, probabilities) = CoherentGrades.Reconcile(Scale, 62.17, labels, p);

        Assert.Equal("C+", grade);
        Assert.Equal("C+", CoherentGrades.Median(probabilities));
        Assert.Equal(1, probabilities.Sum(g => g.Probability), 12);
        Assert.Equal(0.5 - CoherentGrades.Margin, probabilities.SkipWhile(g => g.Grade != "C+").Skip(1).Sum(g => g.Probability), 12);
        // The worse grades keep their proportions: C- stays 3 times as likely as D.
        Assert.Equal(3, Of(probabilities, "C-") / Of(probabilities, "D"), 9);
    }

    [Fact]
    public void A_headline_grade_the_classifier_never_learned_gets_the_probability_it_needs()
    {
        string[] labels = ["A", "A-", "B+"];
        double[] p = [0.3, 0.4, 0.3];

        var (grade, probabilities) = CoherentGrades.Reconcile(Scale, 95, labels, p);

        Assert.Equal("A+", grade);
        Assert.Equal("A+", CoherentGrades.Median(probabilities));
        Assert.True(Of(probabilities, "A+") >= 0.5);
    }

    [Fact]
    public void Thousands_of_random_forecasts_all_have_the_band_of_their_marks_as_headline_and_median_even_after_rounding()
    {
        var rng = new Random(7);
        var labels = Scale.Labels;
        for (var trial = 0; trial < 5_000; trial++)
        {
            var p = labels.Select(_ => rng.NextDouble() < 0.3 ? 0 : Math.Pow(rng.NextDouble(), 3)).ToArray();
            var marks = rng.NextDouble() * 100;

            var (grade, probabilities) = CoherentGrades.Reconcile(Scale, marks, labels, p);

            Assert.Equal(Scale.GradeFor(marks), grade);
            Assert.Equal(grade, CoherentGrades.Median(probabilities));
            Assert.Equal(grade, CoherentGrades.Median([.. probabilities.Select(g => g with { Probability = Math.Round(g.Probability, 3) })]));
            Assert.Equal(grade, CoherentGrades.Median([.. probabilities.Reverse()]));
            Assert.Equal(1, probabilities.Sum(g => g.Probability), 9);
            Assert.All(probabilities, g => Assert.InRange(g.Probability, 0, 1));
        }
    }

    private static double Of(IEnumerable<GradeProbability> probabilities, string grade) => probabilities.Single(g => g.Grade == grade).Probability;
}
