using System.Text.Json.Serialization;

namespace StudyRecs.Core.Training;

/// <summary>What a registered model predicts; each task has its own versions and one active model.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelTask>))]
public enum ModelTask
{
    /// <summary>Final marks (regression).</summary>
    Regression,

    /// <summary>Final grade on the grade scale (classification).</summary>
    Classification,

    /// <summary>Study recommendations (a later issue).</summary>
    Recommendation,
}
