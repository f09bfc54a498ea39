using System.Globalization;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Predictions;

namespace StudyRecs.Core.StudyPlans;

/// <summary>The level of material a student should start from in a subject.</summary>
public enum StudyLevel
{
    Beginner,
    Intermediate,
    Advanced,
}

/// <summary>A link to a learning resource in a study plan.</summary>
public sealed record StudyResourceLink(long Id, string Title, string Url, string Type, string Difficulty, int Minutes);

/// <summary>Finds catalog resources for a subject and level (the resource catalog implements it).</summary>
public interface IStudyResourceFinder
{
    Task<IReadOnlyList<StudyResourceLink>> FindAsync(string subject, StudyLevel level, int take, CancellationToken cancellationToken);
}

/// <summary>A subject the student should work on: at risk of failing, or forecast below their target grade.</summary>
/// <param name="GapMarks">Marks between the forecast and the lowest marks of the target grade (0 when at or above).</param>
public sealed record WeakSubject(Forecast Forecast, double GapMarks, string Reason);

/// <summary>One subject of a study plan.</summary>
public sealed record StudyPlanItem(string Subject, double HoursPerWeek, int WeeksRemaining, StudyLevel Level, string Reason, IReadOnlyList<StudyResourceLink> Resources);

/// <summary>
/// Weak subjects and the study plan built on them. Weak: at risk (P(fail) at or over the setting) or forecast under
/// the target grade; ranked by risk, then by the gap. Hours per week: (gap × hours per mark + P(fail) × hours for a
/// certain fail) spread over the weeks left in the term, clamped and rounded to half hours.
/// </summary>
public sealed class StudyPlanner(IOptions<StudyPlanOptions> options, IOptions<DatasetOptions> datasetOptions, TimeProvider time, IEnumerable<IStudyResourceFinder> finders)
{
    private readonly StudyPlanOptions _options = options.Value;
    private readonly DatasetOptions _datasets = datasetOptions.Value;
    private readonly GradeScale _scale = datasetOptions.Value.BuildGradeScale();

    /// <summary>Lowest final marks that earn <paramref name="grade"/>, or null when it is not on the grade scale.</summary>
    public double? MinimumMarksFor(string grade) =>
        _scale.Bands.FirstOrDefault(b => string.Equals(b.Label, grade, StringComparison.OrdinalIgnoreCase)) is { } band
            ? band.MinPercent * _datasets.FinalMarksMax / 100
            : null;

    public IReadOnlyList<string> Grades => _scale.Labels;

    public IReadOnlyList<WeakSubject> WeakSubjects(IEnumerable<Forecast> forecasts, string targetGrade)
    {
        var target = MinimumMarksFor(targetGrade) ?? 0;
        return forecasts
            .Select(f => (Forecast: f, Gap: Math.Max(0, target - f.PredictedMarks)))
            .Where(f => f.Forecast.AtRisk || f.Gap > 0)
            .OrderByDescending(f => f.Forecast.FailProbability).ThenByDescending(f => f.Gap).ThenBy(f => f.Forecast.Subject, StringComparer.Ordinal)
            .Select(f => new WeakSubject(f.Forecast, f.Gap, Reason(f.Forecast, f.Gap, targetGrade)))
            .ToList();
    }

    public int WeeksRemaining()
    {
        if (_options.TermEnds is { } end)
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var days = end.DayNumber - today.DayNumber;
            if (days > 0)
            {
                return Math.Max(1, (int)Math.Ceiling(days / 7.0));
            }
        }

        return _options.DefaultWeeksRemaining;
    }

    public async Task<IReadOnlyList<StudyPlanItem>> PlanAsync(IReadOnlyList<WeakSubject> weak, CancellationToken cancellationToken)
    {
        var weeks = WeeksRemaining();
        var plan = new List<StudyPlanItem>(weak.Count);
        foreach (var subject in weak)
        {
            var total = (subject.GapMarks * _options.HoursPerMarkGap) + (subject.Forecast.FailProbability * _options.HoursForCertainFail);
            var perWeek = Math.Round(Math.Clamp(total / weeks, _options.MinimumHoursPerWeek, _options.MaximumHoursPerWeek) * 2, MidpointRounding.AwayFromZero) / 2;
            var level = subject.Forecast.AtRisk ? StudyLevel.Beginner : subject.GapMarks > 0 ? StudyLevel.Intermediate : StudyLevel.Advanced;
            var resources = new List<StudyResourceLink>();
            foreach (var finder in finders)
            {
                resources.AddRange(await finder.FindAsync(subject.Forecast.Subject, level, _options.ResourcesPerSubject - resources.Count, cancellationToken));
                if (resources.Count >= _options.ResourcesPerSubject)
                {
                    break;
                }
            }

            var why = string.Create(CultureInfo.InvariantCulture, $"{subject.Reason}: about {total:0} hours over the {weeks} week{(weeks == 1 ? "" : "s")} left");
            plan.Add(new StudyPlanItem(subject.Forecast.Subject, perWeek, weeks, level, why, resources));
        }

        return plan;
    }

    private static string Reason(Forecast forecast, double gap, string target)
    {
        var parts = new List<string>(2);
        if (forecast.AtRisk)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{forecast.FailProbability * 100:0}% chance of failing"));
        }

        if (gap > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{gap:0.#} marks below your {target} target"));
        }

        return string.Join(" and ", parts);
    }
}
