using System.Text;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Datasets;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Tests.Datasets;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Monitoring;

/// <summary>The data quality of an upload on its live page (issue 16): per column figures, charts, repeated rows.</summary>
public sealed class DatasetQualityPanelTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private async Task<long> ImportAsync(string userId, string content, string fileName)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<DatasetImportService>()
            .ImportAsync(new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(content)), fileName, UploaderId: userId, OnOverlap: OverlapPolicy.Replace), default);
        Assert.True(result.Dataset.Id > 0, "the upload was stored");
        return result.Dataset.Id;
    }

    [Fact]
    public async Task The_dataset_page_shows_missing_values_outliers_charts_and_rows_repeated_from_another_upload()
    {
        var (ctx, me) = await DatasetPageDriver.SignedInAsync(portal.Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var prefix = "Q" + Guid.NewGuid().ToString("N")[..6];
        // Eleven rows: attendance 80..90 plus one of 5 (an outlier); one quiz mark missing; grades B and C.
        string Row(int i, string quiz, double attendance, string grade) => $"{prefix}{i},1,Math,70,{quiz},{attendance},65,3.1,,{grade}";
        var rows = Enumerable.Range(0, 10).Select(i => Row(i, "60", 80 + i, i % 2 == 0 ? "B" : "C")).Append(Row(10, "", 5, "C")).ToArray();
        var earlier = await ImportAsync(me, DatasetPageDriver.Csv(rows[..3]), "earlier.csv");
        var id = await ImportAsync(me, DatasetPageDriver.Csv(rows), "checked.csv");

        var page = ctx.Render<DatasetDetail>(p => p.Add(d => d.Id, id));

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".dataset-quality table.quality-columns")), TimeSpan.FromSeconds(30));
        var quiz = page.Find(".quality-columns tr[data-column=quiz_marks]").TextContent;
        Assert.Contains("Quiz marks", quiz, StringComparison.Ordinal);
        Assert.Contains("1 (9.1%)", quiz, StringComparison.Ordinal);
        var attendance = page.FindAll(".quality-columns tr[data-column=attendance_percentage] td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("1", attendance[2]);
        Assert.Contains("11 rows checked", page.Find(".quality-basis").TextContent, StringComparison.Ordinal);
        Assert.Contains("No model serves forecasts yet", page.Find(".quality-basis").TextContent, StringComparison.Ordinal);

        var overlap = page.Find(".quality-overlap");
        Assert.Contains("3 rows of this upload", overlap.TextContent, StringComparison.Ordinal);
        Assert.Equal($"datasets/{earlier}", overlap.QuerySelector("a")!.GetAttribute("href"));

        Assert.NotEmpty(page.FindAll(".quality-histogram svg"));
        Assert.Contains("B: 5 · C: 6", page.Find(".quality-grades figcaption").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_upload_has_no_quality_panel()
    {
        var (ctx, me) = await DatasetPageDriver.SignedInAsync(portal.Factory, Roles.Teacher);
        await using var _ctx = ctx;
        var id = await ImportAsync(me, DatasetPageDriver.Csv("S1,1,Math,170,60,80,65,3.1,72,"), "bad.csv");

        var page = ctx.Render<DatasetDetail>(p => p.Add(d => d.Id, id));

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find(".dataset-lifecycle")), TimeSpan.FromSeconds(30));
        Assert.Empty(page.FindAll(".dataset-quality"));
    }
}
