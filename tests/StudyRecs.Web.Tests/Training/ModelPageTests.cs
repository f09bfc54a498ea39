using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Auditing;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Training;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>
/// The live model pages over a (bUnit) circuit with the real portal services: unpin and activation through a dialog
/// with a reason, what teachers do not get, unknown versions, and the list following versions trained meanwhile.
/// Versions are made by hand (no training needed to switch them); each test uses its own task or versions.
/// </summary>
public class ModelPageTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private static TrainedModel Version(ModelTask task, string version, bool active, double score = 5) => new()
    {
        Version = version,
        Task = task,
        Algorithm = "gbdt",
        SettingsJson = "{}",
        MetricsJson = "{}",
        FeatureSchemaJson = "{}",
        ArtifactFormat = ArtifactFormats.EngineTrees,
        ArtifactSha256 = new string('0', 64),
        CreatedBy = "job",
        CreatedAt = DateTimeOffset.UtcNow,
        IsActive = active,
        DatasetIdsJson = "[]",
        DataHash = new string('0', 64),
        SelectionMetric = "cv_rmse",
        SelectionScore = score,
    };

    private async Task AddAsync(params object[] entities)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        db.AddRange(entities);
        await db.SaveChangesAsync();
    }

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> read)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider);
    }

    [Fact]
    public async Task Unpin_asks_for_a_reason_cancel_leaves_the_task_pinned_and_confirm_unpins_it_with_an_audit_entry()
    {
        await AddAsync(Version(ModelTask.Classification, "20261001000000", active: true),
            new ModelPin { Task = ModelTask.Classification, Version = "20261001000000", PinnedBy = "chair@uni.test", PinnedAt = DateTimeOffset.UtcNow, Reason = "Exam rules changed" });
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "unpinner@test.local");
        var dialogs = ctx.Render<MudDialogProvider>();
        var snackbars = ctx.Render<MudSnackbarProvider>();
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("models?task=classification");
        var page = ctx.Render<Models>();
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".pin-notice button.unpin")), ModelPageDriver.Patience);
        Assert.Contains("Pinned to version 20261001000000", page.Find(".pin-notice").TextContent, StringComparison.Ordinal);

        await LiveEvents.ClickAsync(() => page.Find(".pin-notice button.unpin"));
        await ModelPageDriver.CancelAsync(dialogs);
        Assert.NotNull(await WithAsync(sp => sp.GetRequiredService<ModelPins>().GetAsync(ModelTask.Classification, default)));
        Assert.NotEmpty(page.FindAll(".pin-notice"));

        await LiveEvents.ClickAsync(() => page.Find(".pin-notice button.unpin"));
        await ModelPageDriver.ConfirmWithReasonAsync(dialogs, "Let the nightly training decide again");
        Assert.Contains("is no longer pinned", await ModelPageDriver.SnackbarAsync(snackbars), StringComparison.Ordinal);
        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll(".pin-notice")), ModelPageDriver.Patience);

        Assert.Null(await WithAsync(sp => sp.GetRequiredService<ModelPins>().GetAsync(ModelTask.Classification, default)));
        var audit = await WithAsync(sp => sp.GetRequiredService<StudyRecsDbContext>().Set<AuditEntry>().AsNoTracking()
            .Where(a => a.Action == AuditActions.ModelUnpinned).ToListAsync());
        var entry = Assert.Single(audit);
        Assert.Equal("unpinner@test.local", entry.By);
        Assert.Contains("Let the nightly training decide again", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_and_activation_go_through_a_dialog_with_a_reason_audit_the_switch_and_pin_the_chosen_version()
    {
        await AddAsync(Version(ModelTask.Regression, "20261101000000", active: false, score: 4.1), Version(ModelTask.Regression, "20261102000000", active: true, score: 4.4));

        // Cancelling the dialog changes nothing.
        await using (var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "roller@test.local"))
        {
            var dialogs = ctx.Render<MudDialogProvider>();
            var page = ModelPageDriver.RenderVersion(ctx, ModelTask.Regression, "20261101000000");
            await page.WaitForAssertionAsync(() => Assert.Equal("Roll back to this version", page.Find("button.activate").TextContent.Trim()), ModelPageDriver.Patience);
            Assert.Contains("Serving now: 20261102000000", page.Find(".serving-line").TextContent, StringComparison.Ordinal);
            await LiveEvents.ClickAsync(() => page.Find("button.activate"));
            await ModelPageDriver.CancelAsync(dialogs);
            Assert.Equal("20261102000000", (await WithAsync(sp => sp.GetRequiredService<ModelRegistry>().GetActiveAsync(ModelTask.Regression, default)))!.Version);
        }

        var rolledBack = await ModelPageDriver.ActivateAsync(Factory, ModelTask.Regression, "20261101000000", "Spring forecasts got worse", "roller@test.local");
        Assert.Contains("Version 20261101000000 replaced 20261102000000", rolledBack, StringComparison.Ordinal);
        Assert.Equal("20261101000000", (await WithAsync(sp => sp.GetRequiredService<ModelRegistry>().GetActiveAsync(ModelTask.Regression, default)))!.Version);
        Assert.Contains(await WithAsync(sp => sp.GetRequiredService<ModelRegistry>().AuditAsync(ModelTask.Regression, default)),
            a => (a.FromVersion, a.ToVersion, a.By, a.Reason) == ("20261102000000", "20261101000000", "roller@test.local", "Spring forecasts got worse"));
        Assert.Equal(("20261101000000", "Spring forecasts got worse"), await WithAsync(async sp =>
        {
            var pin = (await sp.GetRequiredService<ModelPins>().GetAsync(ModelTask.Regression, default))!;
            return (pin.Version, pin.Reason);
        }));

        // The serving, pinned version offers nothing more; the newer one offers to serve again.
        await using (var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "roller@test.local"))
        {
            var serving = ModelPageDriver.RenderVersion(ctx, ModelTask.Regression, "20261101000000");
            await serving.WaitForAssertionAsync(() => Assert.Contains("Serving · pinned", serving.Find(".page-header").TextContent, StringComparison.Ordinal), ModelPageDriver.Patience);
            Assert.Empty(serving.FindAll("button.activate"));
        }

        var forward = await ModelPageDriver.ActivateAsync(Factory, ModelTask.Regression, "20261102000000", "Back to the newest", "roller@test.local");
        Assert.Contains("Version 20261102000000 replaced 20261101000000", forward, StringComparison.Ordinal);
        Assert.Equal("20261102000000", (await WithAsync(sp => sp.GetRequiredService<ModelRegistry>().GetActiveAsync(ModelTask.Regression, default)))!.Version);
    }

    [Fact]
    public async Task A_teacher_sees_versions_and_the_pin_but_no_admin_action()
    {
        await AddAsync(Version(ModelTask.Regression, "20261201000000", active: false),
            new ModelPin { Task = ModelTask.Recommendation, Version = "20261201000000", PinnedBy = "chair@uni.test", PinnedAt = DateTimeOffset.UtcNow, Reason = "Keep it" },
            Version(ModelTask.Recommendation, "20261201000000", active: true));
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Teacher, "teacher-models@test.local");

        var version = ModelPageDriver.RenderVersion(ctx, ModelTask.Regression, "20261201000000");
        await version.WaitForAssertionAsync(() => Assert.Contains("20261201000000", version.Find("h1").TextContent, StringComparison.Ordinal), ModelPageDriver.Patience);
        Assert.Empty(version.FindAll("button.activate"));

        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("models?task=recommendation");
        var list = ctx.Render<Models>();
        await list.WaitForAssertionAsync(() => Assert.Contains("Pinned to version 20261201000000", list.Find(".pin-notice").TextContent, StringComparison.Ordinal), ModelPageDriver.Patience);
        Assert.Empty(list.FindAll("button.unpin"));
        Assert.DoesNotContain("Activation log", list.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("regression", "19990101000000")]
    [InlineData("grades", "20261101000000")]
    public async Task An_unknown_task_or_version_is_not_found(string task, string version)
    {
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Admin, "admin-404@test.local");
        var notFound = false;
        ctx.Services.GetRequiredService<NavigationManager>().OnNotFound += (_, _) => notFound = true;

        var page = ctx.Render<ModelDetail>(p => p.Add(x => x.TaskSlug, task).Add(x => x.Version, version));

        await page.WaitForAssertionAsync(() => Assert.True(notFound), ModelPageDriver.Patience);
        Assert.Contains("There is no such model version", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("button.activate"));
    }

    [Fact]
    public async Task The_open_models_list_shows_a_version_trained_meanwhile_without_a_reload()
    {
        await AddAsync(Version(ModelTask.Classification, "20260901000000", active: false));
        await using var ctx = PortalComponents.ForPortal(Factory, Roles.Teacher, "watcher@test.local");
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("models?task=classification");
        var page = ctx.Render<Models>();
        await page.WaitForAssertionAsync(() => Assert.Contains("20260901000000", page.Find(".version-table").TextContent, StringComparison.Ordinal), ModelPageDriver.Patience);
        Assert.DoesNotContain("20260902000000", page.Find(".version-table").TextContent, StringComparison.Ordinal);

        await AddAsync(Version(ModelTask.Classification, "20260902000000", active: false));

        await page.WaitForAssertionAsync(() => Assert.Contains("20260902000000", page.Find(".version-table").TextContent, StringComparison.Ordinal), ModelPageDriver.Patience);
    }
}
