using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Resources;
using StudyRecs.Core.StudyPlans;
using static StudyRecs.Core.Tests.Resources.ResourceTestKit;

namespace StudyRecs.Core.Tests.Resources;

public sealed class StudyLinkCacheTests
{
    private static async Task<IReadOnlyList<string>> TitlesAsync(ResourceTestHost host, string subject)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var finder = scope.ServiceProvider.GetRequiredService<IStudyResourceFinder>();
        return [.. (await finder.FindAsync(subject, StudyLevel.Beginner, 3, CancellationToken.None)).Select(l => l.Title)];
    }

    [Fact]
    public async Task Plan_links_come_from_the_cache_until_a_catalog_change_or_the_end_of_its_lifetime()
    {
        await using var host = await ResourceTestHost.StartAsync();
        Assert.Empty(await TitlesAsync(host, "Calculus"));

        // A resource added through the catalog clears the cache at once.
        var added = await host.CreateAsync(Input(title: "Limits, gently"));
        Assert.Equal(["Limits, gently"], await TitlesAsync(host, "calculus"));

        // Retired: never suggested again, at once; and an import is a catalog change too.
        Assert.True((await host.CatalogAsync(c => c.RetireAsync(added.Id, "teacher", CancellationToken.None))).Succeeded);
        Assert.Empty(await TitlesAsync(host, "Calculus"));
        Assert.True((await host.ImportAsync(Csv(Row(1, subject: "Calculus")))).Report.ImportedRows == 1);
        Assert.Single(await TitlesAsync(host, "Calculus"));

        // A write the change tracker does not see (another node's, say) shows once the lifetime has passed.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<LearningResource>().ExecuteUpdateAsync(s => s.SetProperty(r => r.IsRetired, false));
        }

        Assert.Single(await TitlesAsync(host, "Calculus"));
        host.Clock.Now += StudyLinkCache.Lifetime;
        Assert.Equal(2, (await TitlesAsync(host, "Calculus")).Count);
    }
}
