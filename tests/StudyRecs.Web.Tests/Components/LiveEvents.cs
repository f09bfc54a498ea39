using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace StudyRecs.Web.Tests.Components;

/// <summary>
/// Clicks and typing on live pages, which redraw on their own (data arriving after the first render, a change seen by the
/// activity watcher, a field's value coming back): an element found just before such a redraw carries a handler the
/// page no longer has, so the event is dispatched again on the element found anew.
/// </summary>
internal static class LiveEvents
{
    /// <summary>
    /// Clicks the element <paramref name="find"/> returns. The handler is not awaited past a moment: a button that opens a
    /// dialog finishes only when the dialog closes, so wait for the dialog (or the effect) afterwards.
    /// </summary>
    public static Task ClickAsync(Func<IElement> find) => DispatchAsync(() => find().ClickAsync(new MouseEventArgs()), TimeSpan.FromMilliseconds(250));

    /// <summary>
    /// Types <paramref name="value"/> into the field <paramref name="find"/> returns (its input event) and waits until the
    /// field has taken it, so a form is not sent before its value arrived.
    /// </summary>
    public static Task InputAsync(Func<IElement> find, string value) => DispatchAsync(() => find().InputAsync(new ChangeEventArgs { Value = value }), Timeout.InfiniteTimeSpan);

    /// <summary>Sets the field <paramref name="find"/> returns to <paramref name="value"/> (its change event) and waits until the field has taken it.</summary>
    public static Task ChangeAsync(Func<IElement> find, string value) => DispatchAsync(() => find().ChangeAsync(new ChangeEventArgs { Value = value }), Timeout.InfiniteTimeSpan);

    private static async Task DispatchAsync(Func<Task> dispatch, TimeSpan handlerWait)
    {
        for (var attempt = 1; ; attempt++)
        {
            Task handled;
            try
            {
                handled = dispatch();
            }
            catch (Bunit.Rendering.UnknownEventHandlerIdException) when (attempt < 10)
            {
                await Task.Delay(50);
                continue;
            }

            await Task.WhenAny(handled, Task.Delay(handlerWait));
            if (handled.IsFaulted && attempt < 10 && handled.Exception!.InnerExceptions.Any(Stale))
            {
                await Task.Delay(50);
                continue;
            }

            if (handled.IsFaulted)
            {
                await handled;
            }

            return;
        }
    }

    private static bool Stale(Exception e) =>
        e is Bunit.Rendering.UnknownEventHandlerIdException || e.Message.Contains("no event handler", StringComparison.Ordinal);
}
