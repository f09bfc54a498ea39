namespace StudyRecs.Learning;

/// <summary>Identifies the engine build that wrote a model file.</summary>
public static class EngineInfo
{
    /// <summary>The model file format version this engine writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The library name of this engine's learners (<see cref="ILearner.Library"/>).</summary>
    public const string Library = "studyrecs";

    /// <summary>The <see cref="IModel.Format"/> of this engine's tree ensembles.</summary>
    public const string TreeFormat = "studyrecs-trees";
}
