using Microsoft.AspNetCore.Components;
using StudyRecs.Core.Data;

namespace StudyRecs.Web.Components.UI;

/// <summary>
/// Base of the portal's live pages: <see cref="PageToken"/> is cancelled when the user leaves the page or the
/// connection ends, so queries started by the page stop with it. Pass it to every Core call the page makes.
/// </summary>
public abstract class PortalPage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource leaving = new();
    private IDisposable? following;
    private volatile bool disposed;

    protected CancellationToken PageToken => leaving.Token;

    /// <summary>
    /// Keeps the page live: whenever <paramref name="activity"/> sees a change of <paramref name="kinds"/> (made on
    /// this node or any other, by a page, a job or the CLI), runs <paramref name="reload"/> and redraws, until the page
    /// is left. Call it before the page loads what it shows, so no change falls between the two.
    /// </summary>
    protected void Follow(PortalActivity activity, ActivityKinds kinds, Func<Task> reload)
    {
        if (!RendererInfo.IsInteractive)
        {
            return; // Prerendered once and thrown away: nothing to keep live.
        }

        following?.Dispose();
        following = activity.Subscribe(async changed =>
        {
            if ((changed & kinds) == ActivityKinds.None || disposed)
            {
                return;
            }

            await InvokeAsync(async () =>
            {
                if (!disposed)
                {
                    await reload();
                    StateHasChanged();
                }
            });
        });
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        following?.Dispose();
        leaving.Cancel();
        OnLeaving();
        leaving.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Unsubscribe from other feeds and timers here; <see cref="PageToken"/> is already cancelled.</summary>
    protected virtual void OnLeaving()
    {
    }
}
