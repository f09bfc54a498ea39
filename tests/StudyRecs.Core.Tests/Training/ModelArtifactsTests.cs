using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StudyRecs.Core.Data;
using StudyRecs.Core.Tests.Data;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Tests.Training;

/// <summary>Artifacts written in place (SQLite, SQL Server) or as an array (PostgreSQL) and read back as a stream, on every provider.</summary>
public class ModelArtifactsTests
{
    public static TheoryData<DatabaseProvider> Providers() => ProviderDatabase.Providers();

    [SqlServerFact]
    public Task An_artifact_reads_back_as_the_bytes_written_and_a_short_write_leaves_no_version_on_sql_server() =>
        An_artifact_reads_back_as_the_bytes_written_and_a_short_write_leaves_no_version(DatabaseProvider.SqlServer);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_artifact_reads_back_as_the_bytes_written_and_a_short_write_leaves_no_version(DatabaseProvider provider)
    {
        await using var database = await ProviderDatabase.CreateAsync(provider, "artifacts");
        // Larger than any page or buffer, and not a repeating pattern.
        var bytes = new byte[3_000_017];
        new Random(5).NextBytes(bytes);

        // Written in pieces, as a serialiser does; PostgreSQL asks for the array instead.
        var content = new ArtifactContent(ArtifactFormats.Recommender, bytes.Length, s =>
        {
            for (var at = 0; at < bytes.Length; at += 65_536)
            {
                s.Write(bytes, at, Math.Min(65_536, bytes.Length - at));
            }
        }, () => bytes);
        long id;
        await using (var scope = database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            Assert.Equal(provider != DatabaseProvider.Postgres, ModelArtifacts.CanWriteInPlace(db));
            await using var transaction = await db.Database.BeginTransactionAsync();
            var model = Model("v1");
            db.Add(model);
            await db.SaveChangesAsync();
            model.ArtifactSha256 = await ModelArtifacts.WriteAsync(db, model.Id, content, CancellationToken.None);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), model.ArtifactSha256);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            id = model.Id;
        }

        await using (var scope = database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            Assert.Equal(bytes, await ModelArtifacts.ReadAsync(db, id, ReadAll, CancellationToken.None));
            // The artifact's entity sees the same row.
            Assert.Equal(bytes, (await db.Set<ModelArtifact>().SingleAsync(a => a.ModelId == id)).Bytes);
            Assert.Null(await ModelArtifacts.ReadAsync(db, id + 1000, ReadAll, CancellationToken.None));
        }

        // A content that writes fewer bytes than it announced fails the registration, and its transaction leaves nothing.
        await using (var scope = database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            var shortWrite = new ArtifactContent(ArtifactFormats.Recommender, 100, s => s.Write(bytes, 0, 99), () => bytes[..99]);
            await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                var model = Model("v2");
                db.Add(model);
                await db.SaveChangesAsync();
                await ModelArtifacts.WriteAsync(db, model.Id, shortWrite, CancellationToken.None);
                await transaction.CommitAsync();
            });
            db.ChangeTracker.Clear();
            Assert.Equal(["v1"], await db.Set<TrainedModel>().Select(m => m.Version).ToListAsync());
            Assert.Equal([id], await db.Set<ModelArtifact>().Select(a => a.ModelId).ToListAsync());
        }
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static TrainedModel Model(string version) => new()
    {
        Version = version,
        Task = ModelTask.Recommendation,
        Algorithm = "popularity",
        SettingsJson = "{}",
        MetricsJson = "{}",
        CatalogJson = "{}",
        ArtifactFormat = ArtifactFormats.Recommender,
        ArtifactSha256 = "",
        CreatedBy = "test",
        CreatedAt = DateTimeOffset.UnixEpoch,
        DataHash = "",
        SelectionMetric = "ndcg_at_10",
    };
}
