namespace StudyRecs.Learning;

/// <summary>Identifies the engine build that wrote a model file.</summary>
public static class EngineInfo
{
    /// <summary>The model file format version this engine writes and the newest it reads.</summary>
    public const int FormatVersion = 1;
}
