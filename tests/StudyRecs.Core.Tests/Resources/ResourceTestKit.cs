using System.Text;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Resources;
using StudyRecs.Core.Tests.Training;

namespace StudyRecs.Core.Tests.Resources;

/// <summary>Builders for catalog rows and files.</summary>
internal static class ResourceTestKit
{
    public const string Header = "title,description,subject,topic,difficulty,type,url,minutes,tags";

    public static ResourceInput Input(string title = "Limits explained", string subject = "Calculus", string difficulty = "beginner",
        string type = "video", string url = "https://example.edu/limits", string minutes = "12", string? tags = "limits, continuity",
        string? topic = "Limits", string? description = "A short video on limits.") => new()
        {
            Title = title,
            Subject = subject,
            Difficulty = difficulty,
            Type = type,
            Url = url,
            Minutes = minutes,
            Tags = tags,
            Topic = topic,
            Description = description,
        };

    /// <summary>A valid row; pass <paramref name="n"/> to make title and address unique.</summary>
    public static string Row(int n = 1, string subject = "Calculus", string difficulty = "beginner", string type = "video", string minutes = "12",
        string? title = null, string? url = null) =>
        $"{title ?? $"Resource {n}"},A description of resource {n},{subject},Topic {n},{difficulty},{type},{url ?? $"https://example.edu/r/{n}"},{minutes},\"tag{n}; shared\"";

    public static string Csv(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    public static Task<(ResourceImportReport Report, IReadOnlyList<ResourceRow> Rows)> ReadAsync(string csv, string fileName = "catalog.csv", ResourceOptions? options = null) =>
        ReadAsync(Encoding.UTF8.GetBytes(csv), fileName, options);

    public static Task<(ResourceImportReport Report, IReadOnlyList<ResourceRow> Rows)> ReadAsync(byte[] content, string fileName, ResourceOptions? options = null) =>
        new ResourceImporter(options ?? new ResourceOptions()).ReadAsync(new MemoryStream(content), fileName, null, CancellationToken.None);
}

/// <summary>The catalog services of a <see cref="CoreTestHost"/>, with the catalog's own helpers.</summary>
internal sealed class ResourceTestHost : IAsyncDisposable
{
    private readonly CoreTestHost _core;

    private ResourceTestHost(CoreTestHost core) => _core = core;

    public ManualClock Clock => _core.Clock;

    public ServiceProvider Services => _core.Services;

    public static async Task<ResourceTestHost> StartAsync()
    {
        var host = new ResourceTestHost(await CoreTestHost.StartAsync());
        host.Clock.Now = new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
        return host;
    }

    /// <summary>Runs <paramref name="action"/> with a fresh scope's catalog, as one request would.</summary>
    public async Task<T> CatalogAsync<T>(Func<ResourceCatalog, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ResourceCatalog>());
    }

    public async Task<LearningResource> CreateAsync(ResourceInput input)
    {
        var result = await CatalogAsync(c => c.CreateAsync(input, "teacher@test", CancellationToken.None));
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Message)));
        return result.Resource!;
    }

    public async Task<ResourceImportResult> ImportAsync(string csv, string fileName = "catalog.csv")
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ResourceImportService>()
            .ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), fileName, null, "teacher@test", CancellationToken.None);
    }

    public Task<int> CountAsync() =>
        CatalogAsync(async c => (await c.ListAsync(new ResourceQuery(Status: ResourceStatusFilter.All), 0, 1, CancellationToken.None)).Total);

    public ValueTask DisposeAsync() => _core.DisposeAsync();
}
