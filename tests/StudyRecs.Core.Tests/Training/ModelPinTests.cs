using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Auditing;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Training;

/// <summary>A hand activation pins the task: trainings register versions but leave the pinned one active until an unpin.</summary>
public sealed class ModelPinTests
{
    [Fact]
    public async Task Training_after_a_hand_activation_registers_without_activating_and_after_an_unpin_activates_again()
    {
        await using var host = await CoreTestHost.StartAsync(minimumRows: 100, folds: 3);
        await host.ImportGeneratedAsync(20);
        var first = (await host.TrainAsync()).Models.Single(m => m.Task == ModelTask.Regression);
        Assert.True(first.IsActive);

        // Pinning the version that is already active: nothing switches, but the task is pinned.
        var pinned = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelActivations>()
            .ActivateAsync(ModelTask.Regression, first.Version, "admin@example.org", "rollback after a bad term", CancellationToken.None));
        Assert.True(pinned.Succeeded, pinned.Message);
        Assert.Contains("It is pinned", pinned.Message, StringComparison.Ordinal);
        var pin = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelPins>().GetAsync(ModelTask.Regression, CancellationToken.None));
        Assert.Equal((first.Version, "admin@example.org", "rollback after a bad term", host.Clock.Now), (pin!.Version, pin.PinnedBy, pin.Reason, pin.PinnedAt));

        host.Clock.Now = host.Clock.Now.AddMinutes(5);
        var whilePinned = await host.TrainAsync(by: "nightly schedule");
        var held = whilePinned.Models.Single(m => m.Task == ModelTask.Regression);
        Assert.False(held.IsActive);
        Assert.Contains($"Not activated: the regression model is pinned to {first.Version} by admin@example.org", held.NotActivatedReason, StringComparison.Ordinal);
        Assert.Contains("CV RMSE", held.NotActivatedReason, StringComparison.Ordinal);
        Assert.Contains("kept inactive", whilePinned.Run.ResultSummary, StringComparison.Ordinal);
        var active = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ActiveVersionsAsync(CancellationToken.None));
        Assert.Equal(first.Version, active[ModelTask.Regression]);

        // Classification was not pinned: its new version is judged by the activation rule alone.
        Assert.True(whilePinned.Models.Single(m => m.Task == ModelTask.Classification).IsActive);

        var unpinned = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelPins>().UnpinAsync(ModelTask.Regression, "admin@example.org", "term fixed", CancellationToken.None));
        Assert.True(unpinned.Succeeded, unpinned.Message);
        var entry = Assert.Single(await host.WithScopeAsync(sp => sp.GetRequiredService<AuditLog>().ListAsync(AuditActions.ModelUnpinned, 10, CancellationToken.None)));
        Assert.Equal(("admin@example.org", "regression model"), (entry.By, entry.Target));
        Assert.Contains($"Unpinned version {first.Version}", entry.Details, StringComparison.Ordinal);
        Assert.Contains("Reason: term fixed", entry.Details, StringComparison.Ordinal);
        Assert.Null(await host.WithScopeAsync(sp => sp.GetRequiredService<ModelPins>().GetAsync(ModelTask.Regression, CancellationToken.None)));

        host.Clock.Now = host.Clock.Now.AddMinutes(5);
        var afterUnpin = (await host.TrainAsync()).Models.Single(m => m.Task == ModelTask.Regression);
        Assert.True(afterUnpin.IsActive, afterUnpin.NotActivatedReason);
        Assert.Equal(afterUnpin.Version, (await host.WithScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ActiveVersionsAsync(CancellationToken.None)))[ModelTask.Regression]);
    }

    [Fact]
    public void A_pin_turns_an_activation_into_a_registration_that_keeps_the_comparison()
    {
        var decision = ActivationRule.Decide(ModelTask.Recommendation, Core.Recommendations.RecommendationReport.SelectionMetric, 0.4, new ActiveScore("20261101000000", 0.3), 0);
        var pin = new ModelPin { Task = ModelTask.Recommendation, Version = "20261101000000", PinnedBy = "admin", PinnedAt = new DateTimeOffset(2026, 11, 2, 9, 30, 0, TimeSpan.Zero), Reason = "r" };

        var held = ActivationRule.Hold(ModelTask.Recommendation, decision, pin);

        Assert.True(decision.Activate);
        Assert.False(held.Activate);
        Assert.Equal(decision.Reason + " Not activated: the recommendation model is pinned to 20261101000000 by admin since 2026-11-02 09:30 UTC; an admin unpins it to let trainings activate versions again.", held.Reason);
        Assert.Equal(decision, ActivationRule.Hold(ModelTask.Recommendation, decision, null));
    }

    [Fact]
    public async Task Unpinning_refuses_an_empty_reason_and_a_task_that_is_not_pinned_and_audits_nothing()
    {
        await using var host = await CoreTestHost.StartAsync();

        var noReason = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelPins>().UnpinAsync(ModelTask.Regression, "admin", " ", CancellationToken.None));
        var notPinned = await host.WithScopeAsync(sp => sp.GetRequiredService<ModelPins>().UnpinAsync(ModelTask.Classification, "admin", "why", CancellationToken.None));

        Assert.Equal((false, "Give a reason for unpinning; it is kept in the audit log."), (noReason.Succeeded, noReason.Message));
        Assert.False(notPinned.Succeeded);
        Assert.StartsWith("The classification model is not pinned", notPinned.Message, StringComparison.Ordinal);
        Assert.Empty(await host.WithScopeAsync(sp => sp.GetRequiredService<AuditLog>().ListAsync(null, 10, CancellationToken.None)));
    }
}
