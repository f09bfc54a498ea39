using Bunit;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Web.Features.Training;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>Presses a button of the live jobs page the way an admin does: click, confirm in the dialog, read the snackbar.</summary>
internal static class JobsPageDriver
{
    /// <summary>
    /// Opens /admin/jobs as an admin with the portal's real services, presses <paramref name="button"/> on the card of
    /// the job whose heading contains <paramref name="card"/>, confirms when asked and returns the outcome message.
    /// </summary>
    public static async Task<string> PressAsync(PortalFactory portal, string button, string card = "Train models")
    {
        await using var ctx = PortalComponents.ForPortal(portal, Roles.Admin, "admin-jobs@test.local");
        var dialogs = ctx.Render<MudDialogProvider>();
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var page = ctx.Render<Jobs>();

        // The page loads its state asynchronously (on a server database the first render has only part of it): wait for the button.
        AngleSharp.Dom.IElement Button() => page.FindAll(".card")
            .Single(c => c.QuerySelector("h2")?.TextContent.Contains(card, StringComparison.Ordinal) == true)
            .QuerySelectorAll("button").Single(b => b.TextContent.Trim() == button);
        await page.WaitForAssertionAsync(() => Assert.NotNull(Button()), TimeSpan.FromSeconds(30));
        await LiveEvents.ClickAsync(Button);
        if (button != "Resume")
        {
            dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindAll(".mud-dialog-actions button")), TimeSpan.FromSeconds(10));
            await LiveEvents.ClickAsync(() => dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == button));
        }

        snackbars.WaitForAssertion(() => Assert.NotEmpty(snackbars.FindAll(".mud-snackbar")), TimeSpan.FromSeconds(30));
        return snackbars.Find(".mud-snackbar").TextContent;
    }
}
