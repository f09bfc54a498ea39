using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Data;

/// <summary>The key ring behind cookies and tokens lives in the shared database, not on a node's disk.</summary>
public class DataProtectionKeyTests
{
    [Fact]
    public async Task A_token_issued_by_one_node_is_accepted_by_another_node_that_shares_only_the_database()
    {
        var first = new PortalFactory();
        var script = await first.SignInWithBearerTokenAsync(Roles.Teacher);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/datasets")).StatusCode);
        var token = script.DefaultRequestHeaders.Authorization;
        Assert.False(Directory.Exists(Path.Combine(first.DataDirectory, "keys")), "no key ring on the node's disk");

        // Same database, a data folder of its own: what a second node behind the balancer has.
        var otherFolder = Directory.CreateTempSubdirectory("studyrecs-other-node-").FullName;
        using var second = first.Restart();
        second.Settings["Storage:DataDirectory"] = otherFolder;
        try
        {
            var client = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
            client.DefaultRequestHeaders.Authorization = token;

            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/datasets")).StatusCode);
            await using var scope = second.Services.CreateAsyncScope();
            Assert.NotEmpty(await scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>().DataProtectionKeys.ToListAsync());
        }
        finally
        {
            Directory.Delete(otherFolder, recursive: true);
        }
    }
}
