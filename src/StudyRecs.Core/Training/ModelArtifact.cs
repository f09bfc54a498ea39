namespace StudyRecs.Core.Training;

/// <summary>
/// The bytes of one registered version (<see cref="TrainedModel"/>), in a table of their own: a recommender's artifact
/// is hundreds of megabytes, and neither a listing of versions nor an update of a version's row (activation, pins)
/// should ever read or rewrite them. Written and read as streams by <see cref="ModelArtifacts"/>.
/// </summary>
public class ModelArtifact
{
    /// <summary>The version's <see cref="TrainedModel.Id"/>.</summary>
    public long ModelId { get; set; }

    public byte[] Bytes { get; set; } = [];
}

/// <summary>The artifact formats a version can be stored in (<see cref="TrainedModel.ArtifactFormat"/>).</summary>
public static class ArtifactFormats
{
    /// <summary>The engine's tree ensembles.</summary>
    public const string EngineTrees = Learning.EngineInfo.TreeFormat;

    /// <summary>An ML.NET model in the project's frame (signature, version, checksum).</summary>
    public const string MLNet = Learning.MLNet.MLNetModelFormat.FormatName;

    /// <summary>A recommender's fallback chain (<see cref="Learning.Recommend.RecommenderSerializer"/>).</summary>
    public const string Recommender = "studyrecs-recommender";
}
