using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Resources;
using static StudyRecs.Core.Tests.Resources.ResourceTestKit;

namespace StudyRecs.Core.Tests.Resources;

public class ResourceCatalogTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Create_stores_the_normalised_resource_with_who_and_when()
    {
        await using var host = await ResourceTestHost.StartAsync();

        var created = await host.CreateAsync(Input(tags: "Limits, LIMITS, epsilon"));
        var stored = await host.CatalogAsync(c => c.GetAsync(created.Id, None));

        Assert.NotNull(stored);
        Assert.Equal(["limits", "epsilon"], stored.Tags);
        Assert.Equal(("teacher@test", host.Clock.Now), (stored.CreatedBy, stored.CreatedAt));
        Assert.False(stored.IsRetired);
    }

    [Fact]
    public async Task Create_refuses_invalid_fields_and_duplicates_with_field_errors()
    {
        await using var host = await ResourceTestHost.StartAsync();
        var first = await host.CreateAsync(Input());

        var invalid = await host.CatalogAsync(c => c.CreateAsync(Input(url: "ftp://x", minutes: "0"), "t", None));
        var sameUrl = await host.CatalogAsync(c => c.CreateAsync(Input(title: "Another", url: "https://EXAMPLE.edu/limits"), "t", None));
        var sameTitle = await host.CatalogAsync(c => c.CreateAsync(Input(title: "LIMITS  explained", subject: "calculus", url: "https://example.edu/other"), "t", None));

        Assert.Equal([ResourceFields.Url, ResourceFields.Minutes], invalid.Errors.Select(e => e.Field));
        Assert.Equal((ResourceFields.Url, ResourceRules.AlreadyInCatalog), (sameUrl.Errors.Single().Field, sameUrl.Errors.Single().Rule));
        Assert.Contains($"#{first.Id}", sameUrl.Errors.Single().Message, StringComparison.Ordinal);
        Assert.Equal((ResourceFields.Title, ResourceRules.AlreadyInCatalog), (sameTitle.Errors.Single().Field, sameTitle.Errors.Single().Rule));
        Assert.Equal(1, await host.CountAsync());
    }

    [Fact]
    public async Task Update_changes_fields_keeps_the_creator_and_may_keep_its_own_address()
    {
        await using var host = await ResourceTestHost.StartAsync();
        var created = await host.CreateAsync(Input());
        host.Clock.Now = host.Clock.Now.AddHours(1);

        var result = await host.CatalogAsync(c => c.UpdateAsync(created.Id, Input(title: "Limits, revisited", difficulty: "advanced"), "admin@test", None));
        var missing = await host.CatalogAsync(c => c.UpdateAsync(9999, Input(), "admin@test", None));

        Assert.True(result.Succeeded);
        var stored = (await host.CatalogAsync(c => c.GetAsync(created.Id, None)))!;
        Assert.Equal(("Limits, revisited", ResourceDifficulty.Advanced), (stored.Title, stored.Difficulty));
        Assert.Equal(("teacher@test", "admin@test", host.Clock.Now), (stored.CreatedBy, stored.UpdatedBy, stored.UpdatedAt));
        Assert.True(missing.NotFound);
    }

    [Fact]
    public async Task Retired_resources_leave_suggestions_and_listings_until_restored()
    {
        await using var host = await ResourceTestHost.StartAsync();
        var created = await host.CreateAsync(Input());

        await host.CatalogAsync(c => c.RetireAsync(created.Id, "t", None));
        var suggestedWhileRetired = await host.CatalogAsync(c => c.ForSubjectAsync("Calculus", null, 10, None));
        var retiredList = await host.CatalogAsync(c => c.ListAsync(new ResourceQuery(Status: ResourceStatusFilter.Retired), 0, 10, None));
        var activeList = await host.CatalogAsync(c => c.ListAsync(new ResourceQuery(), 0, 10, None));
        await host.CatalogAsync(c => c.RestoreAsync(created.Id, "t", None));
        var suggestedAfterRestore = await host.CatalogAsync(c => c.ForSubjectAsync("Calculus", null, 10, None));

        Assert.Empty(suggestedWhileRetired);
        Assert.Equal(created.Id, Assert.Single(retiredList.Items).Id);
        Assert.Equal(0, activeList.Total);
        Assert.Equal(created.Id, Assert.Single(suggestedAfterRestore).Id);
    }

    [Fact]
    public async Task ForSubject_prefers_the_level_then_the_nearest_levels_and_ignores_case_and_other_subjects()
    {
        await using var host = await ResourceTestHost.StartAsync();
        var advanced = await host.CreateAsync(Input(title: "A", difficulty: "advanced", url: "https://e.edu/a", minutes: "5"));
        var beginnerLong = await host.CreateAsync(Input(title: "B long", difficulty: "beginner", url: "https://e.edu/b1", minutes: "60"));
        var beginnerShort = await host.CreateAsync(Input(title: "B short", difficulty: "beginner", url: "https://e.edu/b2", minutes: "10"));
        var intermediate = await host.CreateAsync(Input(title: "I", difficulty: "intermediate", url: "https://e.edu/i", minutes: "30"));
        await host.CreateAsync(Input(title: "Other subject", subject: "Physics", difficulty: "intermediate", url: "https://e.edu/p"));

        var forIntermediate = await host.CatalogAsync(c => c.ForSubjectAsync("  CALCULUS ", ResourceDifficulty.Intermediate, 10, None));
        var forAdvanced = await host.CatalogAsync(c => c.ForSubjectAsync("calculus", ResourceDifficulty.Advanced, 10, None));
        var forBeginnerTop2 = await host.CatalogAsync(c => c.ForSubjectAsync("calculus", ResourceDifficulty.Beginner, 2, None));
        var noLevel = await host.CatalogAsync(c => c.ForSubjectAsync("calculus", null, 10, None));
        var unknown = await host.CatalogAsync(c => c.ForSubjectAsync("Astrology", null, 10, None));

        Assert.Equal([intermediate.Id, beginnerShort.Id, beginnerLong.Id, advanced.Id], forIntermediate.Select(r => r.Id));
        Assert.Equal([advanced.Id, intermediate.Id, beginnerShort.Id, beginnerLong.Id], forAdvanced.Select(r => r.Id));
        Assert.Equal([beginnerShort.Id, beginnerLong.Id], forBeginnerTop2.Select(r => r.Id));
        Assert.Equal([beginnerShort.Id, beginnerLong.Id, intermediate.Id, advanced.Id], noLevel.Select(r => r.Id));
        Assert.Empty(unknown);
    }

    [Fact]
    public async Task Listing_filters_by_subject_type_difficulty_and_searches_text_and_tags_with_paging()
    {
        await using var host = await ResourceTestHost.StartAsync();
        await host.CreateAsync(Input(title: "Derivatives drill", type: "exercise", url: "https://e.edu/1", tags: "chain rule"));
        await host.CreateAsync(Input(title: "Integrals", type: "video", url: "https://e.edu/2", description: "Area under a CURVE."));
        await host.CreateAsync(Input(title: "Vectors", subject: "Linear Algebra", difficulty: "advanced", url: "https://e.edu/3"));

        async Task<IEnumerable<string>> Titles(ResourceQuery q) => (await host.CatalogAsync(c => c.ListAsync(q, 0, 10, None))).Items.Select(r => r.Title);

        Assert.Equal(["Derivatives drill", "Integrals"], await Titles(new ResourceQuery(Subject: "calculus")));
        Assert.Equal(["Derivatives drill"], await Titles(new ResourceQuery(Type: ResourceType.Exercise)));
        Assert.Equal(["Vectors"], await Titles(new ResourceQuery(Difficulty: ResourceDifficulty.Advanced)));
        Assert.Equal(["Derivatives drill"], await Titles(new ResourceQuery(Search: "CHAIN rule")));
        Assert.Equal(["Integrals"], await Titles(new ResourceQuery(Search: "curve")));
        var second = await host.CatalogAsync(c => c.ListAsync(new ResourceQuery(), 1, 1, None));
        Assert.Equal((3, "Integrals"), (second.Total, second.Items.Single().Title));
        Assert.Equal(["Calculus", "Linear Algebra"], await host.CatalogAsync(c => c.SubjectsAsync(None)));
    }

    [Fact]
    public async Task Listing_sorts_in_the_database_by_any_column_with_levels_in_their_own_order()
    {
        await using var host = await ResourceTestHost.StartAsync();
        await host.CreateAsync(Input(title: "Bravo", difficulty: "advanced", type: "video", minutes: "5", topic: "Series", url: "https://e.edu/b"));
        await host.CreateAsync(Input(title: "Alpha", difficulty: "intermediate", type: "exercise", minutes: "40", topic: "Limits", url: "https://e.edu/a"));
        await host.CreateAsync(Input(title: "Charlie", difficulty: "beginner", type: "article", minutes: "12", topic: "Vectors", subject: "Algebra", url: "https://e.edu/c"));

        async Task<IEnumerable<string>> Titles(ResourceOrder order, bool descending = false) =>
            (await host.CatalogAsync(c => c.ListAsync(new ResourceQuery(OrderBy: order, Descending: descending), 0, 10, None))).Items.Select(r => r.Title);

        Assert.Equal(["Charlie", "Alpha", "Bravo"], await Titles(ResourceOrder.Subject));
        Assert.Equal(["Alpha", "Bravo", "Charlie"], await Titles(ResourceOrder.Title));
        Assert.Equal(["Charlie", "Bravo", "Alpha"], await Titles(ResourceOrder.Title, descending: true));
        Assert.Equal(["Alpha", "Bravo", "Charlie"], await Titles(ResourceOrder.Topic));
        Assert.Equal(["Charlie", "Alpha", "Bravo"], await Titles(ResourceOrder.Level));
        Assert.Equal(["Bravo", "Alpha", "Charlie"], await Titles(ResourceOrder.Level, descending: true));
        Assert.Equal(["Bravo", "Charlie", "Alpha"], await Titles(ResourceOrder.Minutes));
        Assert.Equal(["Alpha", "Charlie", "Bravo"], await Titles(ResourceOrder.Minutes, descending: true));

        // The export streams in the same order.
        var exported = new List<string>();
        await host.CatalogAsync(async c =>
        {
            await foreach (var r in c.StreamAsync(new ResourceQuery(OrderBy: ResourceOrder.Minutes, Descending: true)))
            {
                exported.Add(r.Title);
            }

            return 0;
        });
        Assert.Equal(["Alpha", "Charlie", "Bravo"], exported);
    }

    [Fact]
    public async Task Import_adds_every_row_of_a_valid_file_and_records_the_import()
    {
        await using var host = await ResourceTestHost.StartAsync();

        var result = await host.ImportAsync(Csv(Row(1), Row(2), Row(3)));

        Assert.Equal(ResourceImportOutcome.Imported, result.Report.Outcome);
        Assert.Equal((3L, 3L), (result.Record.ImportedRows, result.Report.ImportedRows));
        Assert.Equal(3, await host.CountAsync());
        Assert.Equal("Imported 3 resource(s).", ResourceImportReport.Deserialize(result.Record.ReportJson)!.Summary);
    }

    [Fact]
    public async Task Import_with_one_bad_row_adds_nothing()
    {
        await using var host = await ResourceTestHost.StartAsync();

        var result = await host.ImportAsync(Csv(Row(1), Row(2, minutes: "-1"), Row(3)));

        Assert.Equal(ResourceImportOutcome.Rejected, result.Report.Outcome);
        Assert.Equal(0, result.Report.ImportedRows);
        Assert.Equal(0, await host.CountAsync());
        Assert.Equal(ResourceImportOutcome.Rejected, result.Record.Outcome);
    }

    [Fact]
    public async Task Import_reports_rows_that_repeat_resources_already_in_the_catalog_even_retired_ones()
    {
        await using var host = await ResourceTestHost.StartAsync();
        var existing = await host.CreateAsync(Input(title: "Resource 2", url: "https://example.edu/existing"));
        var retired = await host.CreateAsync(Input(title: "Old one", url: "https://example.edu/r/3"));
        await host.CatalogAsync(c => c.RetireAsync(retired.Id, "t", None));

        var result = await host.ImportAsync(Csv(Row(1), Row(2), Row(3)));

        Assert.Equal(2, result.Report.ErrorCount);
        var title = Assert.Single(result.Report.Problems, p => p.Row == 3);
        Assert.Equal((ResourceFields.Title, ResourceRules.AlreadyInCatalog), (title.Column, title.Rule));
        Assert.Contains($"#{existing.Id}", title.Message, StringComparison.Ordinal);
        var url = Assert.Single(result.Report.Problems, p => p.Row == 4);
        Assert.Contains("retired", url.Message, StringComparison.Ordinal);
        Assert.Equal(1, result.Report.ValidRows);
        Assert.Equal(2, await host.CountAsync());
    }

    [Fact]
    public async Task Starter_catalog_seeding_is_idempotent_and_respects_edits()
    {
        await using var host = await ResourceTestHost.StartAsync();
        async Task<int> SeedAsync()
        {
            await using var scope = host.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<StarterCatalogSeeder>().SeedAsync(None);
        }

        var first = await SeedAsync();
        var calculus = await host.CatalogAsync(c => c.ForSubjectAsync("Calculus", ResourceDifficulty.Beginner, 1, None));
        await host.CatalogAsync(c => c.RetireAsync(calculus[0].Id, "t", None));
        var second = await SeedAsync();

        Assert.Equal(StarterCatalog.Entries.Count, first);
        Assert.Equal(0, second);
        Assert.Equal(StarterCatalog.Entries.Count, await host.CountAsync());
        Assert.True((await host.CatalogAsync(c => c.GetAsync(calculus[0].Id, None)))!.IsRetired);
    }
}
