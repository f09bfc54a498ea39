using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Recommendations;
using StudyRecs.Core.Training;
using StudyRecs.Web.Tests.Infrastructure;
using StudyRecs.Web.Tests.Training;

namespace StudyRecs.Web.Tests.Recommendations;

public sealed class RecommenderTrainingFlowTests(RecommendationPortalFixture portal) : IClassFixture<RecommendationPortalFixture>
{
    private PortalFactory Factory => portal.Factory;

    private async Task<IReadOnlyList<TrainedModel>> VersionsAsync(int atLeast)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            await using var scope = Factory.Services.CreateAsyncScope();
            var versions = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().ListAsync(ModelTask.Recommendation, CancellationToken.None);
            if (versions.Count >= atLeast)
            {
                return versions;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{versions.Count} recommendation version(s) after 2 minutes.");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task An_admin_retrains_from_the_jobs_page_sees_every_strategy_on_the_model_page_and_switches_versions()
    {
        await portal.SeedCommunityEventsAsync("TF");
        var admin = await Factory.SignInAsync(Roles.Admin);
        var jobs = await Html.GetAsync(admin, "/admin/jobs");
        Assert.Contains("Retrain the recommender", jobs.Body!.TextContent);
        Assert.Contains("0 0 * * * ?", jobs.Body.TextContent);

        Assert.Contains("started", await JobsPageDriver.PressAsync(Factory, "Run now", "Retrain the recommender"), StringComparison.Ordinal);
        var first = Assert.Single(await VersionsAsync(1));
        Assert.True(first.IsActive);

        var list = await Html.GetAsync(admin, "/models?task=recommendation");
        Assert.Contains(first.Version, list.Body!.TextContent);
        Assert.Contains("Offline NDCG@10", list.Body.TextContent);

        var detail = await Html.GetAsync(admin, $"/models/recommendation/{first.Version}");
        var rows = detail.QuerySelectorAll("table.data-table tbody tr").Select(r => r.TextContent).ToList();
        // Every strategy the training evaluated in plain words, the two-tower model included (it serves only when it
        // wins), and both learned rankers with the library and settings that trained them.
        Assert.Equal(9, rows.Count);
        Assert.Contains(rows, r => r.Contains("two-tower network", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains(RecommendationStrategyNames.Describe(first.Algorithm) + " (serving)", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("learned ranker (StudyRecs LambdaMART)", StringComparison.Ordinal) && r.Contains("studyrecs: trees 100", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("learned ranker (ML.NET FastTree LambdaMART)", StringComparison.Ordinal) && r.Contains("ml.net: trees 100", StringComparison.Ordinal));
        // The hybrid's weights and each ranker's choice were made on held-out students of an inner split, and say so.
        Assert.Equal(3, rows.Count(r => r.Contains("Chosen on held-out students:", StringComparison.Ordinal)));
        Assert.Contains(rows, r => r.Contains("hybrid", StringComparison.OrdinalIgnoreCase) && r.Contains("Chosen on held-out students: weights ", StringComparison.Ordinal));
        Assert.Contains(RecommendationReport.Read(first.MetricsJson)!.Reason, detail.Body!.TextContent);
        // Each ranker says where its candidates come from: on a catalog this small, an exact scan of the blend.
        Assert.Equal(2, rows.Count(r => r.Contains("Candidates: ", StringComparison.Ordinal) && r.Contains("(exact scan, up to 50,000 resources)", StringComparison.Ordinal)));
        // A catalog smaller than the candidate count is described as re-ranked whole, never as "the best 100 of 74".
        Assert.DoesNotContain(rows, r => System.Text.RegularExpressions.Regex.IsMatch(r, @"best 100 of all \d{1,2} resources"));

        // Run now trains even without new events; the second version becomes active or says why not.
        Assert.Contains("started", await JobsPageDriver.PressAsync(Factory, "Run now", "Retrain the recommender"), StringComparison.Ordinal);
        var versions = await VersionsAsync(2);
        var jobsAfter = await Html.GetAsync(admin, "/admin/jobs");
        Assert.Contains("Recommendation " + versions[0].Version, jobsAfter.Body!.TextContent);
        // Roll back to the first version, or activate the second when training kept it inactive: the same dialog either way.
        var target = Assert.Single(versions, v => !v.IsActive);
        var done = await ModelPageDriver.ActivateAsync(Factory, ModelTask.Recommendation, target.Version, "Switch the recommender");
        Assert.Contains($"Version {target.Version} replaced", done, StringComparison.Ordinal);
        var after = await VersionsAsync(2);
        Assert.Equal(target.Version, Assert.Single(after, v => v.IsActive).Version);
    }

    [Fact]
    public async Task Teachers_see_recommendation_versions_but_not_the_jobs_page()
    {
        var teacher = await Factory.SignInAsync(Roles.Teacher);
        var models = await Html.GetAsync(teacher, "/models?task=recommendation");
        Assert.Contains("Recommendations", models.QuerySelector("nav.tabs a.active")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await teacher.GetAsync("/admin/jobs")).StatusCode);
    }
}
