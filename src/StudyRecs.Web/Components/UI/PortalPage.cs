using Microsoft.AspNetCore.Components;

namespace StudyRecs.Web.Components.UI;

/// <summary>
/// Base of the portal's live pages: <see cref="PageToken"/> is cancelled when the user leaves the page or the
/// connection ends, so queries started by the page stop with it. Pass it to every Core call the page makes.
/// </summary>
public abstract class PortalPage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource leaving = new();
    private bool disposed;

    protected CancellationToken PageToken => leaving.Token;

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        leaving.Cancel();
        OnLeaving();
        leaving.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Unsubscribe from feeds and timers here; <see cref="PageToken"/> is already cancelled.</summary>
    protected virtual void OnLeaving()
    {
    }
}
