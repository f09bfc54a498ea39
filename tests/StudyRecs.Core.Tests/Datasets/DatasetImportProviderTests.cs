using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Core.Tests.Data;
using static StudyRecs.Core.Tests.Datasets.DatasetTestKit;

namespace StudyRecs.Core.Tests.Datasets;

/// <summary>
/// The bulk insert paths of both database providers: SQLite always, PostgreSQL when STUDYRECS_TEST_POSTGRES holds a
/// server connection string (CI starts one); each run gets a fresh database, dropped afterwards.
/// </summary>
public class DatasetImportProviderTests
{
    public static TheoryData<DatabaseProvider> Providers() => ProviderDatabase.Providers();

    [SqlServerFact]
    public Task Accepted_rows_are_stored_and_a_rejected_file_leaves_no_rows_on_sql_server() => Accepted_rows_are_stored_and_a_rejected_file_leaves_no_rows(DatabaseProvider.SqlServer);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Accepted_rows_are_stored_and_a_rejected_file_leaves_no_rows(DatabaseProvider provider)
    {
        await using var database = await ProviderDatabase.CreateAsync(provider, "datasets", services => services.AddStudyRecsDatasets());
        var good = GeneratedCsv(students: 11, seed: 4);
        var badRows = Enumerable.Range(0, 120).Select(i => Row(id: $"S{i}", grade: i == 119 ? "?" : "B")).ToArray();
        var withExtras = Encoding.UTF8.GetBytes(Header + ",Hours,Track\n" + Row(id: "X1") + ",12.5,Evening\n");

        var accepted = await ImportAsync(database, new DatasetUpload(new MemoryStream(good), "good.csv"));
        var rejected = await ImportAsync(database, new DatasetUpload(new MemoryStream(Encoding.UTF8.GetBytes(Csv(badRows))), "bad.csv"));
        var extras = await ImportAsync(database, new DatasetUpload(new MemoryStream(withExtras), "extras.csv"));

        Assert.True(accepted.IsAccepted);
        Assert.Equal(DatasetStatus.Rejected, rejected.Dataset.Status);
        await using var scope = database.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
        Assert.Equal(110, await db.Set<DatasetRow>().CountAsync(r => r.DatasetId == accepted.Dataset.Id));
        Assert.Equal(0, await db.Set<DatasetRow>().CountAsync(r => r.DatasetId == rejected.Dataset.Id));
        var last = await db.Set<DatasetRow>().Where(r => r.DatasetId == accepted.Dataset.Id).OrderByDescending(r => r.RowNumber).FirstAsync();
        Assert.Equal(111, last.RowNumber);
        var extra = await db.Set<DatasetRow>().SingleAsync(r => r.DatasetId == extras.Dataset.Id);
        Assert.Equal("{\"Hours\":12.5,\"Track\":\"Evening\"}", extra.ExtraFeaturesJson);
        Assert.Equal(1, await db.Set<UploadedDatasetFile>().CountAsync(f => f.DatasetId == accepted.Dataset.Id));
    }

    private static async Task<DatasetImportResult> ImportAsync(ProviderDatabase database, DatasetUpload upload)
    {
        await using var scope = database.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DatasetImportService>().ImportAsync(upload, CancellationToken.None);
    }
}
