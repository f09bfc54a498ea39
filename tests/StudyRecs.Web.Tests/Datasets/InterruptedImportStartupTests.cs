using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;
using StudyRecs.Web.Tests.Infrastructure;

namespace StudyRecs.Web.Tests.Datasets;

public sealed class InterruptedImportStartupTests
{
    [Fact]
    public async Task The_portal_marks_an_import_left_validating_by_a_crash_rejected_when_it_starts_again()
    {
        var first = new PortalFactory();
        PortalFactory? restarted = null;
        try
        {
            long id;
            var spool = Path.Combine(first.DataDirectory, "datasets", "incoming", "crashed.upload");
            await using (var scope = first.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
                var crashedAt = DateTimeOffset.UtcNow.AddHours(-1);
                var dataset = new UploadedDataset { FileName = "crashed.csv", Sha256 = new string('a', 64), UploadedAt = crashedAt, StatusChangedAt = crashedAt, Status = DatasetStatus.Validating };
                db.Add(dataset);
                await db.SaveChangesAsync();
                id = dataset.Id;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(spool)!);
            await File.WriteAllTextAsync(spool, "student_id,semester");
            File.SetLastWriteTimeUtc(spool, DateTime.UtcNow.AddHours(-1));

            restarted = first.Restart();

            await using var check = restarted.Services.CreateAsyncScope();
            var after = await check.ServiceProvider.GetRequiredService<StudyRecsDbContext>().Set<UploadedDataset>().AsNoTracking().SingleAsync(d => d.Id == id);
            Assert.Equal((DatasetStatus.Rejected, DatasetImportService.InterruptedImportError), (after.Status, after.ErrorText));
            Assert.False(File.Exists(spool));
        }
        finally
        {
            (restarted ?? first).Dispose();
        }
    }
}
