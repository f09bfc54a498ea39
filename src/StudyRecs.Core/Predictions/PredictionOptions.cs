using System.ComponentModel.DataAnnotations;

namespace StudyRecs.Core.Predictions;

/// <summary>Settings of forecasts, the serving cache and the prediction audit (section <c>Predictions</c>).</summary>
public sealed class PredictionOptions
{
    public const string SectionName = "Predictions";

    /// <summary>How often a node asks the database which model versions are active (a switch on another node is noticed within this).</summary>
    [Range(0.1, 60)]
    public double RefreshSeconds { get; set; } = 2;

    /// <summary>A subject is flagged at risk when the probability of a failing grade reaches this.</summary>
    [Range(0.01, 1)]
    public double AtRiskProbability { get; set; } = 0.3;

    /// <summary>Grades that count as failing (labels of the grade scale).</summary>
    public List<string> FailingGrades { get; set; } = ["F"];

    /// <summary>Grade a student aims for until they set their own.</summary>
    [Required]
    public string DefaultTargetGrade { get; set; } = "B";

    /// <summary>Factors listed per forecast.</summary>
    [Range(1, 20)]
    public int TopFactors { get; set; } = 4;

    /// <summary>Predictions kept in memory for the audit writer before requests wait for it.</summary>
    [Range(100, 1_000_000)]
    public int AuditQueueCapacity { get; set; } = 50_000;

    /// <summary>Largest batch the audit writer stores in one transaction.</summary>
    [Range(1, 10_000)]
    public int AuditBatchSize { get; set; } = 500;

    /// <summary>Rows of one dataset the teacher's at-risk list forecasts at most.</summary>
    [Range(100, 1_000_000)]
    public int AtRiskMaxRows { get; set; } = 50_000;
}

/// <summary>How study plans size their hours (section <c>StudyPlans</c>).</summary>
public sealed class StudyPlanOptions
{
    public const string SectionName = "StudyPlans";

    /// <summary>Last day of the current term; when unset or past, <see cref="DefaultWeeksRemaining"/> is used.</summary>
    public DateOnly? TermEnds { get; set; }

    [Range(1, 52)]
    public int DefaultWeeksRemaining { get; set; } = 8;

    /// <summary>Study hours a student needs per mark between the forecast and the target grade.</summary>
    [Range(0, 20)]
    public double HoursPerMarkGap { get; set; } = 1.5;

    /// <summary>Study hours added for a certain fail (scaled by the probability of failing).</summary>
    [Range(0, 200)]
    public double HoursForCertainFail { get; set; } = 30;

    [Range(0, 40)]
    public double MinimumHoursPerWeek { get; set; } = 1;

    [Range(1, 60)]
    public double MaximumHoursPerWeek { get; set; } = 10;

    /// <summary>Resources linked per weak subject.</summary>
    [Range(0, 20)]
    public int ResourcesPerSubject { get; set; } = 3;
}
