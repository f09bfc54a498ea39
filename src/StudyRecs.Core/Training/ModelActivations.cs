namespace StudyRecs.Core.Training;

/// <summary>
/// The activation use case of the model version page, the API and <c>studyrecs models activate</c>: switches the active version in
/// the registry (audited), then refreshes what this node serves for that task, so the next forecast or recommendation
/// uses it. Other nodes notice within their refresh interval; a process that serves nothing (the CLI) refreshes nothing.
/// </summary>
public sealed class ModelActivations(ModelRegistry registry, IEnumerable<IRefreshableModel> served)
{
    public async Task<ActivationResult> ActivateAsync(ModelTask task, string version, string by, string reason, CancellationToken cancellationToken)
    {
        var result = await registry.ActivateAsync(task, version, by, reason, cancellationToken);
        if (result.Succeeded)
        {
            foreach (var model in served.Where(m => m.Serves(task)))
            {
                await model.RefreshAsync(cancellationToken);
            }
        }

        return result;
    }
}
