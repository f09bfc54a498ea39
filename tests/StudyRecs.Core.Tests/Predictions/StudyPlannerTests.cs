using Microsoft.Extensions.Options;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.StudyPlans;
using StudyRecs.Core.Tests.Training;

namespace StudyRecs.Core.Tests.Predictions;

public sealed class StudyPlannerTests
{
    private static Forecast Forecast(string subject, double marks, double fail, bool atRisk) => new(
        subject, 2, marks, new MarksInterval(marks - 5, marks + 5, 0.9), "C", [new GradeProbability("C", 1 - fail), new GradeProbability("F", fail)],
        fail, atRisk, 60, [], true, "r1", "c1");

    private sealed class FixedFinder : IStudyResourceFinder
    {
        public List<(string Subject, StudyLevel Level)> Calls { get; } = [];

        public Task<IReadOnlyList<StudyResourceLink>> FindAsync(string subject, StudyLevel level, int take, CancellationToken cancellationToken)
        {
            Calls.Add((subject, level));
            IReadOnlyList<StudyResourceLink> links = Enumerable.Range(0, 5).Select(i => new StudyResourceLink(i, $"{subject} {i}", "https://example.org/" + i, "Video", level.ToString(), 10)).Take(take).ToList();
            return Task.FromResult(links);
        }
    }

    private static StudyPlanner Planner(StudyPlanOptions options, DateTimeOffset now, IStudyResourceFinder? finder = null) =>
        new(Options.Create(options), Options.Create(new DatasetOptions()), new ManualClock(now), finder is null ? [] : [finder]);

    [Fact]
    public void Weak_subjects_are_the_at_risk_and_below_target_ones_ranked_by_risk_then_gap()
    {
        var planner = Planner(new StudyPlanOptions(), DateTimeOffset.UnixEpoch);
        var weak = planner.WeakSubjects(
        [
            Forecast("Physics", 62, 0.05, atRisk: false),      // 8 marks under B (70)
            Forecast("Calculus", 48, 0.45, atRisk: true),      // at risk, 22 under
            Forecast("Algorithms", 81, 0.01, atRisk: false),   // fine
            Forecast("Networks", 66, 0.05, atRisk: false),     // 4 under, same risk as Physics
        ], "B");

        Assert.Equal(["Calculus", "Physics", "Networks"], weak.Select(w => w.Forecast.Subject));
        Assert.Equal(22, weak[0].GapMarks, 6);
        Assert.Equal("45% chance of failing and 22 marks below your B target", weak[0].Reason);
        Assert.Equal("8 marks below your B target", weak[1].Reason);
        Assert.Empty(planner.WeakSubjects([Forecast("Algorithms", 81, 0.01, false)], "B"));
    }

    [Fact]
    public async Task Hours_follow_the_gap_the_risk_and_the_weeks_left_and_resources_match_the_level()
    {
        var finder = new FixedFinder();
        var options = new StudyPlanOptions { TermEnds = new DateOnly(2026, 12, 20), HoursPerMarkGap = 1.5, HoursForCertainFail = 30, MinimumHoursPerWeek = 1, MaximumHoursPerWeek = 10, ResourcesPerSubject = 3 };
        var planner = Planner(options, new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), finder);
        Assert.Equal(4, planner.WeeksRemaining()); // 28 days

        var weak = planner.WeakSubjects([Forecast("Calculus", 60, 0.4, atRisk: true), Forecast("Physics", 69, 0.0, atRisk: false)], "B");
        var plan = await planner.PlanAsync(weak, CancellationToken.None);

        // Calculus: 10 marks × 1.5 h + 0.4 × 30 h = 27 h over 4 weeks = 6.75 → 7 h/week; Physics: 1.5 h / 4 = 0.375 → at least 1.
        Assert.Equal(7, plan[0].HoursPerWeek);
        Assert.Equal(StudyLevel.Beginner, plan[0].Level);
        Assert.Equal(1, plan[1].HoursPerWeek);
        Assert.Equal(StudyLevel.Intermediate, plan[1].Level);
        Assert.All(plan, p => Assert.Equal(3, p.Resources.Count));
        Assert.Equal([("Calculus", StudyLevel.Beginner), ("Physics", StudyLevel.Intermediate)], finder.Calls);
        Assert.Contains("about 27 hours over the 4 weeks left", plan[0].Reason, StringComparison.Ordinal);

        // A term that already ended falls back to the default number of weeks.
        var late = Planner(options, new DateTimeOffset(2027, 1, 10, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(options.DefaultWeeksRemaining, late.WeeksRemaining());
    }
}
