namespace StudyRecs.Core.Training;

/// <summary>
/// A model this node serves from the registry's active version: refreshed after a local activation at once, and
/// polled by <see cref="RefreshableModelWatcher"/> so a switch made on another node arrives within <see cref="RefreshInterval"/>.
/// </summary>
public interface IRefreshableModel
{
    /// <summary>What is served, in log messages ("the active grade models").</summary>
    string Description { get; }

    /// <summary>How often the registry is polled for a switch made elsewhere.</summary>
    TimeSpan RefreshInterval { get; }

    /// <summary>Whether this serves the active version of <paramref name="task"/>.</summary>
    bool Serves(ModelTask task);

    /// <summary>Reads the active version and loads it when it changed; true when what is served changed.</summary>
    Task<bool> RefreshAsync(CancellationToken cancellationToken);
}
