using System.Text;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Auditing;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Datasets;

/// <summary>
/// Archive, restore and delete from the live dataset page (issue 19): each asks in a dialog, keeps the reason in the audit
/// log, says how it went and shows the new state in place; cancelling changes nothing.
/// </summary>
public sealed class DatasetLifecyclePageTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private async Task<long> ImportAsync(string userId, string content, string fileName)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<DatasetImportService>()
            .ImportAsync(new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(content)), fileName, UploaderId: userId), default);
        return result.Dataset.Id;
    }

    private static async Task<string> AnswerAsync(IRenderedComponent<MudDialogProvider> dialogs, string button, string? reason = null)
    {
        await dialogs.WaitForAssertionAsync(() => Assert.NotEmpty(dialogs.FindAll(".mud-dialog-actions button")), TimeSpan.FromSeconds(10));
        var text = dialogs.Find(".mud-dialog").TextContent;
        if (reason is not null)
        {
            await LiveEvents.InputAsync(() => dialogs.Find(".mud-dialog textarea"), reason);
        }

        if (reason is not null && button != "Cancel")
        {
            // The reason reaches the dialog asynchronously; its button is enabled once it has.
            await dialogs.WaitForAssertionAsync(() => Assert.False(ConfirmButton(dialogs, button).HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        }

        await LiveEvents.ClickAsync(() => ConfirmButton(dialogs, button));
        return text;
    }

    private static AngleSharp.Dom.IElement ConfirmButton(IRenderedComponent<MudDialogProvider> dialogs, string button) =>
        dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == button);

    [Fact]
    public async Task A_teacher_archives_restores_and_deletes_an_upload_from_its_page_with_reasons_in_the_audit_log()
    {
        var (ctx, me) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var dialogs = ctx.Render<MudDialogProvider>();
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var id = await ImportAsync(me, DatasetPageDriver.UniqueCsv(4), "term.csv");
        var page = ctx.Render<DatasetDetail>(p => p.Add(d => d.Id, id));
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button.archive-button")), TimeSpan.FromSeconds(30));
        Assert.Empty(page.FindAll(".archived-notice"));

        // Cancelling the dialog changes nothing.
        await LiveEvents.ClickAsync(() => page.Find("button.archive-button"));
        await AnswerAsync(dialogs, "Cancel");
        Assert.Null((await Factory.QueryAsync(db => db.Set<UploadedDataset>().AsNoTracking().SingleAsync(d => d.Id == id))).ArchivedAt);

        await LiveEvents.ClickAsync(() => page.Find("button.archive-button"));
        var question = await AnswerAsync(dialogs, "Archive", "Wrong term");
        Assert.Contains("training leaves its 4 rows out", question, StringComparison.Ordinal);
        await page.WaitForAssertionAsync(() => Assert.Contains("training leaves them out", page.Find(".archived-notice").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.NotNull(page.Find("button.restore-button"));
        snackbars.WaitForAssertion(() => Assert.Contains($"Dataset #{id} is archived", snackbars.Find(".mud-snackbar").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var archived = await Factory.QueryAsync(db => db.Set<AuditEntry>().AsNoTracking().SingleAsync(a => a.Action == AuditActions.DatasetArchived && a.Target == $"dataset #{id}"));
        Assert.Contains("Reason: Wrong term", archived.Details, StringComparison.Ordinal);

        await Factory.WaitForIdleTrainingAsync();
        await LiveEvents.ClickAsync(() => page.Find("button.restore-button"));
        await AnswerAsync(dialogs, "Restore");
        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll(".archived-notice")), TimeSpan.FromSeconds(30));
        Assert.Null((await Factory.QueryAsync(db => db.Set<UploadedDataset>().AsNoTracking().SingleAsync(d => d.Id == id))).ArchivedAt);

        // Delete needs a reason: the dialog's button stays disabled without one.
        await Factory.WaitForIdleTrainingAsync();
        await page.WaitForAssertionAsync(() => Assert.False(page.Find("button.delete-button").HasAttribute("disabled")), TimeSpan.FromSeconds(30));
        await LiveEvents.ClickAsync(() => page.Find("button.delete-button"));
        await dialogs.WaitForAssertionAsync(() => Assert.NotEmpty(dialogs.FindAll(".mud-dialog-actions button")), TimeSpan.FromSeconds(10));
        Assert.True(dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == "Delete").HasAttribute("disabled"));
        await AnswerAsync(dialogs, "Delete", "Uploaded by mistake");

        var navigation = ctx.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        await page.WaitForAssertionAsync(() => Assert.EndsWith("/datasets", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.False(await Factory.QueryAsync(db => db.Set<UploadedDataset>().AnyAsync(d => d.Id == id)));
        Assert.Equal(0, await Factory.QueryAsync(db => db.Set<DatasetRow>().CountAsync(r => r.DatasetId == id)));
        Assert.Contains("Reason: Uploaded by mistake",
            (await Factory.QueryAsync(db => db.Set<AuditEntry>().AsNoTracking().SingleAsync(a => a.Action == AuditActions.DatasetDeleted && a.Target == $"dataset #{id}"))).Details,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_upload_can_only_be_deleted()
    {
        var (ctx, me) = await DatasetPageDriver.SignedInAsync(Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var id = await ImportAsync(me, DatasetPageDriver.Csv("S1,1,Math,170,60,80,65,3.1,72,"), "bad.csv");

        var page = ctx.Render<DatasetDetail>(p => p.Add(d => d.Id, id));

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button.delete-button")), TimeSpan.FromSeconds(30));
        Assert.Empty(page.FindAll("button.archive-button"));
        Assert.Empty(page.FindAll("button.restore-button"));
        Assert.Contains("Training never uses a rejected upload", page.Find(".dataset-lifecycle").TextContent, StringComparison.Ordinal);
    }
}
