using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Web;

namespace StudyRecs.Web.Tests.Components;

/// <summary>Clicks on live pages, which redraw on their own (a change seen by the activity watcher, a field's value arriving).</summary>
internal static class LiveClicks
{
    /// <summary>
    /// Clicks the element <paramref name="find"/> returns, finding it again when a redraw replaced it between the find
    /// and the click. The handler is not awaited past a moment: a button that opens a dialog finishes only when the
    /// dialog closes, so wait for the dialog (or the effect) afterwards.
    /// </summary>
    public static async Task ClickAsync(Func<IElement> find)
    {
        for (var attempt = 1; ; attempt++)
        {
            Task click;
            try
            {
                click = find().ClickAsync(new MouseEventArgs());
            }
            catch (Bunit.Rendering.UnknownEventHandlerIdException) when (attempt < 10)
            {
                await Task.Delay(50);
                continue;
            }

            await Task.WhenAny(click, Task.Delay(250));
            if (click.IsFaulted && attempt < 10 && click.Exception!.InnerExceptions.Any(Stale))
            {
                await Task.Delay(50);
                continue;
            }

            if (click.IsFaulted)
            {
                await click;
            }

            return;
        }
    }

    private static bool Stale(Exception e) =>
        e is Bunit.Rendering.UnknownEventHandlerIdException || e.Message.Contains("no event handler", StringComparison.Ordinal);
}
