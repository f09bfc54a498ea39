using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Predictions;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Tests.Training;

namespace StudyRecs.Core.Tests.Recommendations;

public class RecommendationExperimentTests
{
    private static readonly string[] Servable = ["fallback", "popularity", "content", "itemknn"];

    private static StudentOverview Overview(string student) => new(student, 2, "B", true, true, [], [], [], ServingModels.None);

    private static Task<(RecommendationExperiment? Created, IReadOnlyList<string> Errors)> CreateAsync(CoreTestHost host, ExperimentDraft draft) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationExperiments>().CreateAsync(draft, Servable, "admin@test", CancellationToken.None));

    private static DateOnly Today(CoreTestHost host) => DateOnly.FromDateTime(host.Clock.Now.UtcDateTime);

    [Fact]
    public void The_split_is_stable_about_half_and_half_and_new_for_every_test()
    {
        var students = Enumerable.Range(0, 10_000).Select(i => $"S{i:00000}").ToList();
        var first = students.Select(s => ExperimentSplit.ArmOf("salt-one", s)).ToList();

        Assert.Equal(first, students.Select(s => ExperimentSplit.ArmOf("salt-one", s)));
        var inB = first.Count(a => a == ExperimentArm.B);
        Assert.InRange(inB, 4_800, 5_200); // 4 standard deviations of a fair split
        Assert.True(ExperimentStatistics.SplitPValue(10_000 - inB, inB) > 0.0001);

        var second = students.Select(s => ExperimentSplit.ArmOf("salt-two", s)).ToList();
        var moved = first.Zip(second).Count(p => p.First != p.Second);
        Assert.InRange(moved, 4_800, 5_200); // another test splits independently of the first
        Assert.NotEqual(ExperimentSplit.NewSalt(), ExperimentSplit.NewSalt());
    }

    [Fact]
    public void Rates_use_the_student_as_the_unit()
    {
        // Two students: 1 of 10 and 3 of 10 clicked. R = 4/20; residuals -1 and +1; Var = 2/1 * 2 / 20^2 = 0.01.
        var rate = ExperimentStatistics.Rate([new StudentCounts(10, 1), new StudentCounts(10, 3)]);
        Assert.Equal(0.2, rate.Value, 12);
        Assert.True(rate.HasInterval);
        Assert.Equal(0.2 - 1.959963984540054 * 0.1, rate.Low, 9);
        Assert.Equal(0.2 + 1.959963984540054 * 0.1, rate.High, 9);

        // One student is not an interval; nobody shown is a zero rate without one.
        Assert.False(ExperimentStatistics.Rate([new StudentCounts(10, 1)]).HasInterval);
        Assert.Equal(0, ExperimentStatistics.Rate([]).Value);

        // Clicks concentrated in a few students: the interval is much wider than a binomial one over impressions would be.
        var clustered = Enumerable.Range(0, 20).Select(i => new StudentCounts(50, i < 2 ? 25 : 0)).ToList();
        var c = ExperimentStatistics.Rate(clustered);
        var binomialHalfWidth = 1.96 * Math.Sqrt(c.Value * (1 - c.Value) / 1000);
        Assert.True((c.High - c.Low) / 2 > 2 * binomialHalfWidth, $"{c.Low}..{c.High} against ±{binomialHalfWidth}");
    }

    [Fact]
    public void Differences_are_tested_per_student_and_need_enough_students()
    {
        Assert.Equal(1, ExperimentStatistics.Erfc(0), 7);
        Assert.Equal(0.05, ExperimentStatistics.TwoSidedP(1.959963984540054), 6);
        Assert.Equal(2, ExperimentStatistics.Erfc(-6), 7);
        Assert.Equal(1, ExperimentStatistics.SplitPValue(50, 50), 7);
        Assert.True(ExperimentStatistics.SplitPValue(600, 400) < 1e-9);

        var a = Enumerable.Range(0, 30).Select(i => new StudentCounts(20, i % 10 == 0 ? 2 : 1)).ToList(); // about 5.5 %
        var b = Enumerable.Range(0, 30).Select(i => new StudentCounts(20, i % 2 == 0 ? 4 : 3)).ToList();  // 17.5 %
        var d = ExperimentStatistics.Difference(a, b);
        Assert.Equal(0.175 - 0.055, d.Value, 9);
        Assert.True(d.Significant);
        Assert.True(d.Low > 0 && d.High > d.Low);
        Assert.True(d.PValue < 0.001);

        var same = ExperimentStatistics.Difference(a, a);
        Assert.False(same.Significant);
        Assert.Equal(1, same.PValue, 6);

        // The same rates over only five students per group are no verdict, however large the gap.
        Assert.False(ExperimentStatistics.Difference(a.Take(5).ToList(), b.Take(5).ToList()).Significant);
        Assert.False(ExperimentStatistics.Difference([new StudentCounts(10, 0)], [new StudentCounts(10, 9)]).Significant);
    }

    [Fact]
    public async Task A_test_is_checked_field_by_field_and_tests_never_overlap()
    {
        await using var host = await CoreTestHost.StartAsync();
        var today = Today(host);

        async Task<string> Refused(ExperimentDraft draft)
        {
            var (created, errors) = await CreateAsync(host, draft);
            Assert.Null(created);
            return Assert.Single(errors);
        }

        Assert.Contains("name", await Refused(new ExperimentDraft("  ", "popularity", "fallback", null, today.AddDays(7))));
        Assert.Contains("at most 100", await Refused(new ExperimentDraft(new string('x', 101), "popularity", "fallback", null, today.AddDays(7))));
        Assert.Contains("one line", await Refused(new ExperimentDraft("two\nlines", "popularity", "fallback", null, today.AddDays(7))));
        Assert.Contains("Group A: the active model cannot serve “magic”", await Refused(new ExperimentDraft("t", "magic", "fallback", null, today.AddDays(7))));
        Assert.Contains("strategy of group B", await Refused(new ExperimentDraft("t", "popularity", null, null, today.AddDays(7))));
        Assert.Contains("same strategy", await Refused(new ExperimentDraft("t", "content", "content", null, today.AddDays(7))));
        Assert.Contains("in the past", await Refused(new ExperimentDraft("t", "content", "fallback", today.AddDays(-1), today.AddDays(7))));
        Assert.Contains("last day of the test", await Refused(new ExperimentDraft("t", "content", "fallback", null, null)));
        Assert.Contains("before the first day", await Refused(new ExperimentDraft("t", "content", "fallback", today.AddDays(3), today.AddDays(2))));
        Assert.Contains("at most 366 days", await Refused(new ExperimentDraft("t", "content", "fallback", today, today.AddDays(366))));
        var (_, several) = await CreateAsync(host, new ExperimentDraft("", "magic", "magic", today.AddDays(-2), null));
        Assert.Equal(6, several.Count); // name, A, B, the same strategy twice, a past start, no last day

        var (spring, errors) = await CreateAsync(host, new ExperimentDraft(" Spring ", "popularity", "fallback", null, today.AddDays(13)));
        Assert.Empty(errors);
        Assert.Equal("Spring", spring!.Name);
        Assert.Equal(host.Clock.Now.UtcDateTime, spring.StartUtc); // today starts now
        Assert.Equal(today.AddDays(14).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), spring.EndUtc); // the last day is included
        Assert.Equal(ExperimentStatus.Running, spring.StatusAt(host.Clock.Now.UtcDateTime));
        Assert.Equal(32, spring.Salt.Length);

        Assert.Contains("“Spring” runs from", await Refused(new ExperimentDraft("Overlap", "content", "fallback", today.AddDays(13), today.AddDays(20))));
        var (summer, _) = await CreateAsync(host, new ExperimentDraft("Summer", "content", "fallback", today.AddDays(14), today.AddDays(20)));
        Assert.Equal(ExperimentStatus.Scheduled, summer!.StatusAt(host.Clock.Now.UtcDateTime));

        var experiments = host.Services.CreateScope().ServiceProvider.GetRequiredService<RecommendationExperiments>();
        Assert.Equal(spring.Id, (await experiments.RunningAsync(CancellationToken.None))!.Id);
        Assert.Equal(["Summer", "Spring"], (await experiments.ListAsync(CancellationToken.None)).Select(x => x.Name));

        // Stopping frees the days; a scheduled test is cancelled; an unknown or finished test cannot be stopped.
        host.Clock.Now = host.Clock.Now.AddDays(1);
        Assert.True(await experiments.StopAsync(spring.Id, "admin@test", CancellationToken.None));
        Assert.False(await experiments.StopAsync(spring.Id, "admin@test", CancellationToken.None));
        Assert.False(await experiments.StopAsync(999, "admin@test", CancellationToken.None));
        Assert.Null(await experiments.RunningAsync(CancellationToken.None));
        Assert.Equal(ExperimentStatus.Stopped, (await experiments.FindAsync(spring.Id, CancellationToken.None))!.StatusAt(host.Clock.Now.UtcDateTime));
        Assert.True(await experiments.StopAsync(summer.Id, "admin@test", CancellationToken.None));
        Assert.Equal(ExperimentStatus.Cancelled, (await experiments.FindAsync(summer.Id, CancellationToken.None))!.StatusAt(host.Clock.Now.UtcDateTime));
        var (autumn, _) = await CreateAsync(host, new ExperimentDraft("Autumn", "content", "fallback", null, Today(host).AddDays(5)));
        Assert.NotNull(autumn);
    }

    [Fact]
    public async Task A_running_test_serves_each_established_student_the_strategy_of_their_group_and_logs_what_they_were_served()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            db.AddRange(RecommenderTrainingTests.CommunityEvents(catalog, host.Clock.Now.UtcDateTime));
            return await db.SaveChangesAsync();
        });
        await host.WithScopeAsync(sp => sp.GetRequiredService<RecommenderTraining>().TrainAsync("job", false, CancellationToken.None));
        Assert.True(await host.Services.GetRequiredService<ActiveRecommender>().RefreshAsync(CancellationToken.None));
        await host.WithScopeAsync(async sp =>
        {
            await sp.GetRequiredService<RecommendationSettings>().PinAsync("content", "admin", CancellationToken.None);
            return 0;
        });
        var (test, _) = await CreateAsync(host, new ExperimentDraft("Popularity or fallback", "popularity", "fallback", null, Today(host).AddDays(6)));

        Task<RecommendationList> RecommendAsync(RecommendationQuery query) =>
            host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationService>().RecommendAsync(query, CancellationToken.None));

        var served = new List<RecommendationList>();
        foreach (var student in new[] { "S000", "S001", "S002", "S003", "S004", "S005" })
        {
            var list = await RecommendAsync(new RecommendationQuery(student, 5, Overview: Overview(student)));
            var arm = ExperimentSplit.ArmOf(test!.Salt, student);
            Assert.Equal(arm == ExperimentArm.A ? "popularity" : "fallback", list.Strategy); // the test comes before the pin
            Assert.Equal($"A/B test “Popularity or fallback”, group {arm}", list.StrategyReason);
            served.Add(list);
        }

        // A new student keeps the fallback chain outside the test; previews and requested strategies are not exposures.
        var newcomer = await RecommendAsync(new RecommendationQuery("NEW1", 5, Overview: Overview("NEW1")));
        Assert.StartsWith("fallback chain:", newcomer.StrategyReason);
        await RecommendAsync(new RecommendationQuery("S000", 5, Overview: Overview("S000"), Preview: true));
        await RecommendAsync(new RecommendationQuery("S001", 5, Strategy: "content", Overview: Overview("S001")));

        var exposures = await host.WithScopeAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<RecommendationExposure>().AsNoTracking().ToListAsync());
        Assert.Equal(served.Select(l => l.RequestId).Order(), exposures.Select(x => x.RequestId).Order());
        Assert.All(exposures, x =>
        {
            Assert.Equal(test!.Id, x.ExperimentId);
            Assert.Equal(ExperimentSplit.ArmOf(test.Salt, x.StudentId), x.Arm);
        });

        // Once stopped, the pin serves again.
        host.Clock.Now = host.Clock.Now.AddHours(1);
        await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationExperiments>().StopAsync(test!.Id, "admin", CancellationToken.None));
        var after = await RecommendAsync(new RecommendationQuery("S000", 5, Overview: Overview("S000")));
        Assert.Equal(("content", "pinned by an administrator"), (after.Strategy, after.StrategyReason));
    }

    [Fact]
    public async Task The_report_counts_only_the_events_of_lists_served_in_the_test_and_says_which_group_is_better()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var (test, _) = await CreateAsync(host, new ExperimentDraft("Content or fallback", "content", "fallback", null, Today(host).AddDays(6)));
        var at = host.Clock.Now.UtcDateTime;
        var students = Enumerable.Range(0, 200).Select(i => $"S{i:000}").ToList();
        var inA = students.Where(s => ExperimentSplit.ArmOf(test!.Salt, s) == ExperimentArm.A).Take(12).ToList();
        var inB = students.Where(s => ExperimentSplit.ArmOf(test!.Salt, s) == ExperimentArm.B).Take(12).ToList();
        var servedOnly = students.First(s => ExperimentSplit.ArmOf(test!.Salt, s) == ExperimentArm.B && !inB.Contains(s));

        RecommendationEvent Event(string student, int resource, RecommendationEventType type, string request, string strategy) => new()
        {
            StudentId = student,
            UserName = "t",
            ResourceId = catalog[resource].Id,
            Type = type,
            Strategy = strategy,
            RequestId = request,
            AtUtc = at,
        };

        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            foreach (var (group, arm, clicksEach) in new[] { (inA, ExperimentArm.A, 1), (inB, ExperimentArm.B, 4) })
            {
                foreach (var (student, i) in group.Select((s, i) => (s, i)))
                {
                    var request = $"{arm}{i:00}";
                    db.Add(new RecommendationExposure { RequestId = request, ExperimentId = test!.Id, Arm = arm, StudentId = student, AtUtc = at });
                    for (var r = 0; r < 10; r++)
                    {
                        db.Add(Event(student, r, RecommendationEventType.Impression, request, test.StrategyOf(arm)));
                    }

                    for (var r = 0; r < clicksEach + (i % 2); r++)
                    {
                        db.Add(Event(student, r, RecommendationEventType.Click, request, test.StrategyOf(arm)));
                    }

                    if (arm == ExperimentArm.B && i < 3)
                    {
                        db.Add(Event(student, 0, RecommendationEventType.Complete, request, test.StrategyOf(arm)));
                    }

                    // Lists outside the test (before it, or from a preview) do not count, even for a student of the test.
                    db.Add(Event(student, 1, RecommendationEventType.Impression, "outside" + request, "fallback"));
                    db.Add(Event(student, 1, RecommendationEventType.Click, "outside" + request, "fallback"));
                }
            }

            // Served but never shown: counts for the split, not for the rates.
            db.Add(new RecommendationExposure { RequestId = "served-only", ExperimentId = test!.Id, Arm = ExperimentArm.B, StudentId = servedOnly, AtUtc = at });
            return await db.SaveChangesAsync();
        });

        var report = (await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationExperiments>().ReportAsync(test!.Id, CancellationToken.None)))!;

        Assert.Equal(ExperimentStatus.Running, report.Status);
        Assert.Equal((12, 12, 120L, 18L, 0L), (report.A.StudentsServed, report.A.StudentsShown, report.A.Shown, report.A.Clicks, report.A.Completions));
        Assert.Equal((13, 12, 120L, 54L, 3L), (report.B.StudentsServed, report.B.StudentsShown, report.B.Shown, report.B.Clicks, report.B.Completions));
        Assert.Equal(0.15, report.A.Ctr.Value, 9);
        Assert.Equal(0.45, report.B.Ctr.Value, 9);
        Assert.True(report.Ctr.Significant);
        Assert.Equal(0.30, report.Ctr.Value, 9);
        Assert.True(report.EnoughData);
        Assert.False(report.SplitUnbalanced);
        Assert.Contains(report.Findings, f => f.StartsWith("Group B (weak subjects, content and popularity (fallback chain)) has a higher click-through rate than group A (content similarity)", StringComparison.Ordinal));
        Assert.Contains(report.Findings, f => f.StartsWith("No significant difference in completion rate", StringComparison.Ordinal));
        Assert.Null(await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationExperiments>().ReportAsync(12345, CancellationToken.None)));
    }

    [Fact]
    public async Task A_young_test_is_too_early_to_call_and_a_lopsided_split_is_flagged()
    {
        await using var host = await CoreTestHost.StartAsync();
        var catalog = await host.SeedCatalogAsync();
        var (test, _) = await CreateAsync(host, new ExperimentDraft("Young", "content", "fallback", null, Today(host).AddDays(6)));
        var at = host.Clock.Now.UtcDateTime;
        await host.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<StudyRecsDbContext>();
            for (var i = 0; i < 40; i++)
            {
                // Every exposure in group A: a broken split.
                db.Add(new RecommendationExposure { RequestId = $"r{i}", ExperimentId = test!.Id, Arm = ExperimentArm.A, StudentId = $"S{i}", AtUtc = at });
                db.Add(new RecommendationEvent { StudentId = $"S{i}", UserName = "t", ResourceId = catalog[0].Id, Type = RecommendationEventType.Impression, RequestId = $"r{i}", Strategy = "content", AtUtc = at });
            }

            return await db.SaveChangesAsync();
        });

        var report = (await host.WithScopeAsync(sp => sp.GetRequiredService<RecommendationExperiments>().ReportAsync(test!.Id, CancellationToken.None)))!;

        Assert.False(report.EnoughData);
        Assert.True(report.SplitUnbalanced);
        Assert.Equal("Too early to compare: each group needs at least 10 students who saw recommendations (group A has 40, group B 0).", report.Findings[0]);
        Assert.StartsWith("The groups are unbalanced (40 students served in A, 0 in B", report.Findings[1]);
        Assert.False(report.Ctr.Significant);
    }
}
