using System.ComponentModel.DataAnnotations;

namespace StudyRecs.Core.Training;

/// <summary>Settings section <c>Training</c>: how models are trained, compared and scheduled.</summary>
public sealed class TrainingOptions
{
    public const string SectionName = "Training";

    /// <summary>Labelled rows a run needs per task; null uses <c>Datasets:MinimumLabelledRowsToTrain</c>.</summary>
    [Range(10, int.MaxValue)]
    public int? MinimumRows { get; set; }

    /// <summary>Folds of the student-grouped cross-validation.</summary>
    [Range(2, 20)]
    public int CvFolds { get; set; } = 5;

    /// <summary>Seed for fold assignment and the trainers' sampling; equal data and seed give equal models.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// How much worse than the active model a new one may score and still be activated (RMSE in marks, weighted F1
    /// as a fraction). 0: it must be at least as good.
    /// </summary>
    [Range(0, double.MaxValue)]
    public double ActivationTolerance { get; set; }

    /// <summary>Quartz cron expression of the nightly retraining.</summary>
    [Required]
    public string NightlyCron { get; set; } = "0 0 2 * * ?";

    /// <summary>Worker threads for training; null uses every core.</summary>
    [Range(1, 256)]
    public int? Threads { get; set; }

    /// <summary>
    /// Learner libraries whose candidates every run cross-validates on the same folds: <c>studyrecs</c> (the engine's
    /// boosting and forest) and <c>ml.net</c> (FastTree, FastForest, LightGbm); null or empty means both. The best of
    /// all serves. (Null rather than a filled default: the configuration binder appends to an array it finds filled.)
    /// </summary>
    [AllowedLibraries]
    public string[]? Libraries { get; set; }

    /// <summary>The libraries a run draws candidates from: <see cref="Libraries"/>, or every known one.</summary>
    public IReadOnlyList<string> LibrariesToTrain => Libraries is { Length: > 0 } chosen ? chosen : TrainingCandidate.KnownLibraries;

    /// <summary>A running run whose progress has not been saved for this long is treated as interrupted (another node died).</summary>
    [Range(1, 24 * 60)]
    public int StaleRunMinutes { get; set; } = 30;
}

/// <summary>Accepts only the learner libraries <see cref="TrainingCandidate.KnownLibraries"/> lists.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class AllowedLibrariesAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var unknown = (value as IEnumerable<string> ?? []).Where(l => !TrainingCandidate.KnownLibraries.Contains(l, StringComparer.Ordinal)).ToArray();
        return unknown.Length == 0
            ? ValidationResult.Success
            : new ValidationResult($"Unknown learner librar{(unknown.Length == 1 ? "y" : "ies")} {string.Join(", ", unknown)}; use {string.Join(" or ", TrainingCandidate.KnownLibraries)}.", [validationContext.MemberName ?? "Libraries"]);
    }
}
