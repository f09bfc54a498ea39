using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Monitoring;
using StudyRecs.Core.Training;
using StudyRecs.Web.Features.Monitoring;
using StudyRecs.Web.Tests.Components;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Monitoring;

/// <summary>The monitoring page (issue 16) on the live portal: drift history per serving version, alerts, training triggers.</summary>
public class MonitoringPageTests
{
    [Fact]
    public async Task Before_any_model_serves_staff_see_plain_empty_states_and_students_are_turned_away()
    {
        using var portal = new PortalFactory();
        var teacher = await portal.SignInAsync(Roles.Teacher);
        var student = await portal.SignInAsync(Roles.Student, "S-MON-1");

        var page = await Html.GetAsync(teacher, "/monitoring");

        Assert.Equal("Model monitoring", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("No model is serving yet", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("No alerts", page.Body.TextContent, StringComparison.Ordinal);
        Assert.Contains("No training yet", page.Body.TextContent, StringComparison.Ordinal);
        Assert.Contains("/account/access-denied", Redirects.LocalTarget(await student.GetAsync("/monitoring")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_history_alerts_and_triggers_show_and_an_alert_is_acknowledged_in_place()
    {
        using var portal = new PortalFactory();
        var (email, _) = await portal.CreateUserAsync(Roles.Teacher);
        var alertId = await SeedAsync(portal);
        await using var ctx = PortalComponents.ForPortal(portal, Roles.Teacher, email);
        var dialogs = ctx.Render<MudDialogProvider>();
        ctx.Render<MudPopoverProvider>();

        var page = ctx.Render<MonitoringPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-task=regression] table")), TimeSpan.FromSeconds(10));
        var rows = page.FindAll("[data-task=regression] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("Attendance (%)", rows[0].Trim(), StringComparison.Ordinal);
        Assert.Contains("Drifted", rows[0], StringComparison.Ordinal);
        Assert.Contains("0.410", rows[0], StringComparison.Ordinal);
        Assert.Contains("Stable", rows[1], StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-task=regression] figure svg"));
        Assert.Contains("Input drift was found", page.Markup, StringComparison.Ordinal);

        await LiveEvents.ClickAsync(() => page.Find($"tr[data-alert='{alertId}'] button"));
        dialogs.WaitForAssertion(() => Assert.Contains("Acknowledge this alert?", dialogs.Markup, StringComparison.Ordinal));
        await LiveEvents.ClickAsync(() => dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == "Acknowledge"));

        page.WaitForAssertion(() => Assert.Contains($"Acknowledged by {email}", page.Find($"tr[data-alert='{alertId}']").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll($"tr[data-alert='{alertId}'] button"));
        await using var scope = portal.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<MonitoringAlert>().AsNoTracking().SingleAsync(a => a.Id == alertId);
        Assert.Equal(MonitoringAlertState.Acknowledged, stored.State);
        Assert.Equal(email, stored.AcknowledgedBy);
    }

    /// <summary>A serving regression version with two daily checks of two features (attendance drifting), one open alert, one drift-triggered run.</summary>
    private static async Task<long> SeedAsync(PortalFactory portal)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        var now = DateTime.UtcNow;
        db.Add(new TrainedModel
        {
            Version = "20261201000000",
            Task = ModelTask.Regression,
            Algorithm = "gbdt",
            SettingsJson = "{}",
            MetricsJson = "{}",
            FeatureSchemaJson = "{}",
            ArtifactFormat = ArtifactFormats.EngineTrees,
            ArtifactSha256 = "0",
            CreatedBy = "test",
            CreatedAt = now.AddDays(-5),
            IsActive = true,
            DatasetIdsJson = "[]",
            DataHash = "0",
            SelectionMetric = "rmse",
            SelectionScore = 5,
        });
        foreach (var (days, attendance, midterm) in new[] { (2, 0.12, 0.02), (1, 0.41, 0.03) })
        {
            db.Add(new DriftMeasurement { AtUtc = now.AddDays(-days), Task = ModelTask.Regression, ModelVersion = "20261201000000", Feature = "attendance_percentage", Psi = attendance, OutOfRangeShare = 0.05, Samples = 400, Drifted = attendance >= 0.25 });
            db.Add(new DriftMeasurement { AtUtc = now.AddDays(-days), Task = ModelTask.Regression, ModelVersion = "20261201000000", Feature = "midterm_marks", Psi = midterm, OutOfRangeShare = 0, Samples = 400, Drifted = false });
        }

        var alert = new MonitoringAlert
        {
            Kind = MonitoringAlertKind.Drift,
            Task = ModelTask.Regression,
            ModelVersion = "20261201000000",
            Subject = "attendance_percentage",
            Value = 0.41,
            Threshold = 0.25,
            Message = "Attendance has drifted (PSI 0.41)",
            State = MonitoringAlertState.Open,
            RaisedAtUtc = now.AddDays(-1),
        };
        db.Add(alert);
        db.Add(new TrainingRun { StartedAt = now.AddHours(-20), Status = TrainingRunStatus.Succeeded, TriggeredBy = "monitoring", Trigger = TrainingTrigger.Drift });
        await db.SaveChangesAsync();
        return alert.Id;
    }
}
