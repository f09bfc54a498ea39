using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Accounts;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Web.Features.Datasets;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Datasets;

/// <summary>Uploads above <c>Datasets:MaxUploadBytes</c> (set to 4 KB here), on the page and on the API.</summary>
public sealed class UploadLimitTests : IDisposable
{
    private const int Limit = 4096;
    private const string Header = "student_id,semester,subject,assignment_marks,quiz_marks,attendance_percentage,midterm_marks,previous_cgpa,final_marks,final_grade";

    private readonly PortalFactory _factory = new() { Settings = { ["Datasets:MaxUploadBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) } };

    /// <summary>A valid gradebook of at least <paramref name="bytes"/> bytes.</summary>
    private static string Gradebook(int bytes)
    {
        var csv = new StringBuilder(Header).Append('\n');
        while (csv.Length < bytes)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"S{Guid.NewGuid():N},1,Math,70,60,80,65,3.1,72,\n");
        }

        return csv.ToString();
    }

    private static MultipartFormDataContent Upload(int bytes)
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(Gradebook(bytes)));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", "big.csv" } };
    }

    private async Task<(long Rows, long Datasets, long Files)> StoredAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        return (await db.Set<DatasetRow>().LongCountAsync(), await db.Set<UploadedDataset>().LongCountAsync(), await db.Set<UploadedDatasetFile>().LongCountAsync());
    }

    [Theory]
    [InlineData(Limit + 100, HttpStatusCode.UnprocessableEntity)]
    [InlineData(Limit * 50, HttpStatusCode.BadRequest)]
    public async Task Api_answers_an_oversize_upload_with_problem_details_naming_the_limit_and_stores_no_rows(int size, HttpStatusCode expected)
    {
        var script = await _factory.SignInWithBearerTokenAsync(Roles.Teacher);
        var before = await StoredAsync();

        var response = await script.PostAsync("/api/datasets", Upload(size));

        // Just over the limit the file is read up to the limit and rejected with a report; far over, the request
        // body is cut off before any record is made.
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("limit", json.RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        var after = await StoredAsync();
        Assert.Equal((before.Rows, before.Files), (after.Rows, after.Files));
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            Assert.Contains(DatasetRules.FileTooLarge, json.RootElement.GetProperty("report").ToString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(before.Datasets, after.Datasets);
        }
    }

    [Theory]
    [InlineData(Limit + 100)]
    [InlineData(Limit * 50)]
    public async Task Page_upload_above_the_limit_says_so_and_stores_nothing(int size)
    {
        var (ctx, _) = await DatasetPageDriver.SignedInAsync(_factory, Roles.Teacher);
        await using var _ctx = ctx;
        var before = await DatasetPageDriver.StoredAsync(_factory);
        var page = ctx.Render<Upload>();

        DatasetPageDriver.Choose(page, Gradebook(size), "big.csv");

        var alert = page.Find("[role=alert]").TextContent;
        Assert.Contains("limit of 4.0 KB", alert, StringComparison.Ordinal);
        Assert.Contains("big.csv", alert, StringComparison.Ordinal);
        Assert.True(page.Find("button.upload-button").HasAttribute("disabled"));
        Assert.Equal(before, await DatasetPageDriver.StoredAsync(_factory));
    }

    [Fact]
    public async Task An_upload_within_the_limit_is_accepted()
    {
        var script = await _factory.SignInWithBearerTokenAsync(Roles.Teacher);

        var response = await script.PostAsync("/api/datasets", Upload(Limit - 200));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}
