using System.Globalization;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Recommendations;

/// <summary>What an administrator asks for: a name, the two strategies, the first and the last day (UTC dates; no start date means now).</summary>
public sealed record ExperimentDraft(string? Name, string? StrategyA, string? StrategyB, DateOnly? StartDate, DateOnly? EndDate);

/// <summary>The figures of one group of a test.</summary>
/// <param name="StudentsServed">Students who were served a list in this group (the split's check counts these).</param>
/// <param name="StudentsShown">Students with at least one resource shown (the unit of the statistics).</param>
public sealed record ArmFigures(ExperimentArm Arm, string Strategy, int StudentsServed, int StudentsShown, long Shown, long Clicks, long Completions, RateEstimate Ctr, RateEstimate CompletionRate);

/// <summary>An A/B test's results: both groups, the differences B - A, the balance of the split and the verdicts in plain words.</summary>
public sealed record ExperimentReport(RecommendationExperiment Experiment, ExperimentStatus Status, ArmFigures A, ArmFigures B,
    RateDifference Ctr, RateDifference Completion, double SplitPValue, IReadOnlyList<string> Findings)
{
    public bool EnoughData => A.StudentsShown >= ExperimentStatistics.MinimumStudentsPerArm && B.StudentsShown >= ExperimentStatistics.MinimumStudentsPerArm;

    public bool SplitUnbalanced => SplitPValue < ExperimentStatistics.SplitAlarm;
}

/// <summary>A/B tests of recommendation strategies: scheduling, the split of students, the exposure log and the results.</summary>
public sealed class RecommendationExperiments(IDbContextFactory<StudyRecsDbContext> dbs, TimeProvider time)
{
    /// <summary>The longest test, in days.</summary>
    public const int MaxDays = 366;

    private static readonly RecommendationEventType[] Counted = [RecommendationEventType.Impression, RecommendationEventType.Click, RecommendationEventType.Complete];

    /// <summary>Every test, the latest start first.</summary>
    public async Task<IReadOnlyList<RecommendationExperiment>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<RecommendationExperiment>().AsNoTracking().OrderByDescending(x => x.StartUtc).ThenByDescending(x => x.Id).ToListAsync(cancellationToken);
    }

    public async Task<RecommendationExperiment?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<RecommendationExperiment>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
    }

    /// <summary>The test serving now, if any (tests never overlap).</summary>
    public async Task<RecommendationExperiment?> RunningAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Set<RecommendationExperiment>().AsNoTracking()
            .Where(x => x.StartUtc <= now && x.EndUtc > now && (x.StoppedAtUtc == null || x.StoppedAtUtc > now))
            .OrderBy(x => x.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Schedules a test after checking every field: a name, two different strategies the active model serves
    /// (<paramref name="servable"/>, the fallback chain included), a start today or later, an end on or after the start
    /// within <see cref="MaxDays"/>, and no overlap with another test (a student is in one test at a time).
    /// </summary>
    public async Task<(RecommendationExperiment? Created, IReadOnlyList<string> Errors)> CreateAsync(ExperimentDraft draft, IReadOnlyCollection<string> servable, string by, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var name = draft.Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors.Add("Give the test a name, such as “EASE against the fallback, spring term”.");
        }
        else if (name.Length > RecommendationExperiment.MaxNameLength || name.Any(char.IsControl))
        {
            errors.Add($"The name must be at most {RecommendationExperiment.MaxNameLength} characters on one line.");
        }

        var a = draft.StrategyA?.Trim() ?? "";
        var b = draft.StrategyB?.Trim() ?? "";
        foreach (var (label, strategy) in new[] { ("A", a), ("B", b) })
        {
            if (strategy.Length == 0)
            {
                errors.Add($"Choose the strategy of group {label}.");
            }
            else if (!servable.Contains(strategy, StringComparer.Ordinal))
            {
                errors.Add($"Group {label}: the active model cannot serve “{strategy}”; choose one of {string.Join(", ", servable)}.");
            }
        }

        if (a.Length > 0 && a == b)
        {
            errors.Add("Groups A and B have the same strategy: choose two different ones.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var startDate = draft.StartDate ?? today;
        if (startDate < today)
        {
            errors.Add($"The start date {Day(startDate)} is in the past: choose today ({Day(today)}) or a later day.");
        }

        if (draft.EndDate is not { } endDate)
        {
            errors.Add("Choose the last day of the test.");
        }
        else if (endDate < startDate)
        {
            errors.Add($"The last day {Day(endDate)} is before the first day {Day(startDate)}.");
        }
        else if (endDate.DayNumber - startDate.DayNumber + 1 > MaxDays)
        {
            errors.Add($"A test lasts at most {MaxDays} days; this one would last {endDate.DayNumber - startDate.DayNumber + 1}.");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var startUtc = startDate == today ? now : startDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var endUtc = draft.EndDate!.Value.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var pending = await db.Set<RecommendationExperiment>().AsNoTracking().Where(x => x.EndUtc > now).ToListAsync(cancellationToken);
        if (pending.FirstOrDefault(x => x.StatusAt(now) is ExperimentStatus.Scheduled or ExperimentStatus.Running && x.StartUtc < endUtc && x.EffectiveEndUtc > startUtc) is { } clash)
        {
            return (null, [$"“{clash.Name}” runs from {Day(clash.StartUtc)} to {Day(clash.EffectiveEndUtc.AddTicks(-1))}; a student is in one test at a time, so choose days after it or stop it first."]);
        }

        var experiment = new RecommendationExperiment
        {
            Name = name,
            StrategyA = a,
            StrategyB = b,
            Salt = ExperimentSplit.NewSalt(),
            StartUtc = startUtc,
            EndUtc = endUtc,
            CreatedBy = by,
            CreatedAtUtc = now,
        };
        db.Add(experiment);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (experiment, []);
    }

    /// <summary>Stops a running test now or cancels a scheduled one; false when it is unknown or already over.</summary>
    public async Task<bool> StopAsync(long id, string by, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var experiment = await db.Set<RecommendationExperiment>().FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (experiment is null || experiment.StatusAt(now) is not (ExperimentStatus.Scheduled or ExperimentStatus.Running))
        {
            return false;
        }

        experiment.StoppedAtUtc = now < experiment.StartUtc ? experiment.StartUtc : now;
        experiment.StoppedBy = by;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Logs that a list was served to a student in a group (its events then count for that group).</summary>
    internal static void AddExposure(StudyRecsDbContext db, RecommendationExperiment experiment, ExperimentArm arm, string studentId, string requestId, DateTime atUtc) =>
        db.Add(new RecommendationExposure { RequestId = requestId, ExperimentId = experiment.Id, Arm = arm, StudentId = studentId, AtUtc = atUtc });

    /// <summary>The results of a test so far, or null when there is no such test.</summary>
    public async Task<ExperimentReport?> ReportAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var experiment = await db.Set<RecommendationExperiment>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (experiment is null)
        {
            return null;
        }

        var exposures = db.Set<RecommendationExposure>().AsNoTracking().Where(x => x.ExperimentId == id);
        var served = await exposures.GroupBy(x => x.Arm).Select(g => new { Arm = g.Key, Students = g.Select(x => x.StudentId).Distinct().Count() })
            .ToDictionaryAsync(g => g.Arm, g => g.Students, cancellationToken);
        var counts = await exposures
            .Join(db.Set<RecommendationEvent>().AsNoTracking().Where(e => Counted.Contains(e.Type)), x => x.RequestId, e => e.RequestId, (x, e) => new { x.Arm, x.StudentId, e.Type })
            .GroupBy(r => new { r.Arm, r.StudentId, r.Type })
            .Select(g => new { g.Key.Arm, g.Key.StudentId, g.Key.Type, Count = g.Count() })
            .ToListAsync(cancellationToken);

        ArmFigures Figures(ExperimentArm arm, out List<StudentCounts> clicks, out List<StudentCounts> completions)
        {
            var students = counts.Where(c => c.Arm == arm).GroupBy(c => c.StudentId, StringComparer.Ordinal)
                .Select(g => (Shown: (long)g.Where(c => c.Type == RecommendationEventType.Impression).Sum(c => c.Count),
                    Clicks: (long)g.Where(c => c.Type == RecommendationEventType.Click).Sum(c => c.Count),
                    Completions: (long)g.Where(c => c.Type == RecommendationEventType.Complete).Sum(c => c.Count)))
                .Where(s => s.Shown > 0).ToList();
            clicks = [.. students.Select(s => new StudentCounts(s.Shown, s.Clicks))];
            completions = [.. students.Select(s => new StudentCounts(s.Shown, s.Completions))];
            return new ArmFigures(arm, experiment.StrategyOf(arm), served.GetValueOrDefault(arm), students.Count, students.Sum(s => s.Shown), students.Sum(s => s.Clicks), students.Sum(s => s.Completions),
                ExperimentStatistics.Rate(clicks), ExperimentStatistics.Rate(completions));
        }

        var a = Figures(ExperimentArm.A, out var clicksA, out var completionsA);
        var b = Figures(ExperimentArm.B, out var clicksB, out var completionsB);
        var ctr = ExperimentStatistics.Difference(clicksA, clicksB);
        var completion = ExperimentStatistics.Difference(completionsA, completionsB);
        var split = ExperimentStatistics.SplitPValue(a.StudentsServed, b.StudentsServed);
        var status = experiment.StatusAt(time.GetUtcNow().UtcDateTime);
        return new ExperimentReport(experiment, status, a, b, ctr, completion, split, Findings(experiment, status, a, b, ctr, completion, split));
    }

    private static List<string> Findings(RecommendationExperiment experiment, ExperimentStatus status, ArmFigures a, ArmFigures b, RateDifference ctr, RateDifference completion, double split)
    {
        var findings = new List<string>();
        if (status is ExperimentStatus.Scheduled or ExperimentStatus.Cancelled)
        {
            findings.Add(status == ExperimentStatus.Scheduled ? $"The test starts on {Day(experiment.StartUtc)}." : "The test was cancelled before it started.");
            return findings;
        }

        if (a.StudentsShown < ExperimentStatistics.MinimumStudentsPerArm || b.StudentsShown < ExperimentStatistics.MinimumStudentsPerArm)
        {
            findings.Add($"Too early to compare: each group needs at least {ExperimentStatistics.MinimumStudentsPerArm} students who saw recommendations " +
                $"(group A has {a.StudentsShown}, group B {b.StudentsShown}).");
        }
        else
        {
            findings.Add(Verdict("click-through rate", a, b, ctr));
            findings.Add(Verdict("completion rate", a, b, completion));
        }

        if (a.StudentsServed + b.StudentsServed >= 2 * ExperimentStatistics.MinimumStudentsPerArm && split < ExperimentStatistics.SplitAlarm)
        {
            findings.Add($"The groups are unbalanced ({a.StudentsServed} students served in A, {b.StudentsServed} in B; p = {P(split)} for a 50/50 split): " +
                "a strategy that fails for some students or a logging fault can cause this, so read the figures with care.");
        }

        return findings;
    }

    private static string Verdict(string metric, ArmFigures a, ArmFigures b, RateDifference d)
    {
        var interval = $"{Points(d.Value)} points, 95 % interval {Points(d.Low)} to {Points(d.High)}, p = {P(d.PValue)}";
        if (!d.Significant)
        {
            return $"No significant difference in {metric} between the groups (B − A: {interval}).";
        }

        var (better, worse) = d.Value > 0 ? (b, a) : (a, b);
        return $"Group {better.Arm} ({RecommendationStrategyNames.Describe(better.Strategy)}) has a higher {metric} than group {worse.Arm} " +
            $"({RecommendationStrategyNames.Describe(worse.Strategy)}), and the difference is significant (B − A: {interval}).";
    }

    /// <summary>A rate difference in percentage points with its sign ("+1.2", "−0.4").</summary>
    public static string Points(double difference) =>
        double.IsNaN(difference) ? "—" : (difference >= 0 ? "+" : "−") + Math.Abs(difference * 100).ToString("0.0", CultureInfo.InvariantCulture);

    public static string P(double p) => double.IsNaN(p) ? "—" : p < 0.001 ? "< 0.001" : p.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Day(DateTime utc) => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
