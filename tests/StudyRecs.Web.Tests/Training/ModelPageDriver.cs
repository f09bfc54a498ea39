using AngleSharp.Dom;
using Bunit;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Training;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>Drives the live model pages the way an admin does: press the action, answer the dialog, read the snackbar.</summary>
internal static class ModelPageDriver
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static IRenderedComponent<ModelDetail> RenderVersion(BunitContext ctx, ModelTask task, string version) =>
        ctx.Render<ModelDetail>(p => p.Add(x => x.TaskSlug, task.ToString().ToLowerInvariant()).Add(x => x.Version, version));

    /// <summary>
    /// Opens the version's page as admin <paramref name="email"/>, presses its action (make serve, roll back, pin), checks that
    /// the dialog refuses to confirm without a reason, gives <paramref name="reason"/> and returns the snackbar's message.
    /// </summary>
    public static async Task<string> ActivateAsync(PortalFactory portal, ModelTask task, string version, string reason, string email = "admin-models@test.local")
    {
        await using var ctx = PortalComponents.ForPortal(portal, Roles.Admin, email);
        var dialogs = ctx.Render<MudDialogProvider>();
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var page = RenderVersion(ctx, task, version);
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button.activate")), Patience);
        await LiveEvents.ClickAsync(() => page.Find("button.activate"));
        await ConfirmWithReasonAsync(dialogs, reason);
        return await SnackbarAsync(snackbars);
    }

    /// <summary>Waits for the confirmation dialog, checks it cannot be confirmed without a reason, types one and confirms.</summary>
    public static async Task ConfirmWithReasonAsync(IRenderedComponent<MudDialogProvider> dialogs, string reason)
    {
        var confirm = await DialogButtonAsync(dialogs, last: true);
        Assert.True(confirm.HasAttribute("disabled"), "the dialog asks for a reason before it confirms");
        await LiveEvents.InputAsync(() => dialogs.Find(".mud-dialog textarea"), reason);
        await dialogs.WaitForAssertionAsync(() => Assert.False(Buttons(dialogs)[^1].HasAttribute("disabled")), Patience);
        await LiveEvents.ClickAsync(() => Buttons(dialogs)[^1]);
        await dialogs.WaitForAssertionAsync(() => Assert.Empty(dialogs.FindAll(".mud-dialog")), Patience);
    }

    /// <summary>Waits for the confirmation dialog and presses Cancel.</summary>
    public static async Task CancelAsync(IRenderedComponent<MudDialogProvider> dialogs)
    {
        await DialogButtonAsync(dialogs, last: false);
        await LiveEvents.ClickAsync(() => Buttons(dialogs)[0]);
        await dialogs.WaitForAssertionAsync(() => Assert.Empty(dialogs.FindAll(".mud-dialog")), Patience);
    }

    public static async Task<string> SnackbarAsync(IRenderedComponent<MudSnackbarProvider> snackbars)
    {
        await snackbars.WaitForAssertionAsync(() => Assert.NotEmpty(snackbars.FindAll(".mud-snackbar")), Patience);
        return snackbars.Find(".mud-snackbar").TextContent;
    }

    private static async Task<IElement> DialogButtonAsync(IRenderedComponent<MudDialogProvider> dialogs, bool last)
    {
        await dialogs.WaitForAssertionAsync(() => Assert.Equal(2, Buttons(dialogs).Count), Patience);
        return last ? Buttons(dialogs)[^1] : Buttons(dialogs)[0];
    }

    private static IReadOnlyList<IElement> Buttons(IRenderedComponent<MudDialogProvider> dialogs) => dialogs.FindAll(".mud-dialog-actions button");
}
