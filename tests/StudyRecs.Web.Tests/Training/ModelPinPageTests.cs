using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Training;

/// <summary>The models page says who pinned a task's version, when and why, so nobody wonders why a better version waits.</summary>
public class ModelPinPageTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task A_pinned_task_shows_who_pinned_which_version_and_why_and_an_unpinned_one_shows_nothing()
    {
        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            db.Add(new ModelPin { Task = ModelTask.Regression, Version = "20261130120000", PinnedBy = "chair@uni.test", PinnedAt = DateTimeOffset.UtcNow, Reason = "Rolled back after the exam change" });
            await db.SaveChangesAsync();
        }

        var admin = await portal.Factory.SignInAsync(Roles.Admin);
        var teacher = await portal.Factory.SignInAsync(Roles.Teacher);

        var pinned = (await Html.GetAsync(teacher, "/models?task=regression")).QuerySelector("main .pin-notice")!.TextContent;
        Assert.Contains("Pinned to version 20261130120000", pinned, StringComparison.Ordinal);
        Assert.Contains("chair@uni.test", pinned, StringComparison.Ordinal);
        Assert.Contains("Rolled back after the exam change", pinned, StringComparison.Ordinal);
        Assert.DoesNotContain("studyrecs models unpin", pinned, StringComparison.Ordinal);
        Assert.Contains("studyrecs models unpin --task regression", (await Html.GetAsync(admin, "/models?task=regression")).QuerySelector("main .pin-notice")!.TextContent, StringComparison.Ordinal);
        Assert.Null((await Html.GetAsync(teacher, "/models?task=classification")).QuerySelector("main .pin-notice"));
    }
}
