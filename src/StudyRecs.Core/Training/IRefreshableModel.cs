namespace StudyRecs.Core.Training;

/// <summary>
/// A model this node serves from the registry's active version: refreshed after a local activation at once, and
/// polled by its watcher so a switch made on another node arrives within the refresh interval.
/// </summary>
public interface IRefreshableModel
{
    /// <summary>Whether this serves the active version of <paramref name="task"/>.</summary>
    bool Serves(ModelTask task);

    /// <summary>Reads the active version and loads it when it changed; true when what is served changed.</summary>
    Task<bool> RefreshAsync(CancellationToken cancellationToken);
}
