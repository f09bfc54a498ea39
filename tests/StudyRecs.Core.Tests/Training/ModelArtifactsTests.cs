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
    public Task An_artifact_reads_back_as_the_bytes_written_and_a_short_write_leaves_no_version_on_sql_server() => An_artifact_reads_back_as_the_bytes_written_and_a_short_write_leaves_no_version(DatabaseProvider.SqlServer);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_artifact_reads_back_as_the_bytes_written_and_a_short_write_leaves_no_version(DatabaseProvider provider)
    {
        await using var database = await ProviderDatabase.CreateAsync(provider, "artifacts");
        // Larger than any page or buffer, and not a repeating pattern.
        var bytes = new byte[3_000_017];
        new Random(5).NextBytes(bytes);

        long id;
        await using (var scope = database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            Assert.Equal(provider != DatabaseProvider.Postgres, ModelArtifacts.CanWriteInPlace(db));
            await using var transaction = await db.Database.BeginTransactionAsync();
            var model = Model("v1", ModelArtifacts.CanWriteInPlace(db) ? [] : bytes);
            db.Add(model);
            await db.SaveChangesAsync();
            if (ModelArtifacts.CanWriteInPlace(db))
            {
                // Written in pieces, as a serialiser does.
                model.ArtifactSha256 = await ModelArtifacts.WriteInPlaceAsync(db, model.Id, bytes.Length, s =>
                {
                    for (var at = 0; at < bytes.Length; at += 65_536)
                    {
                        s.Write(bytes, at, Math.Min(65_536, bytes.Length - at));
                    }
                }, CancellationToken.None);
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), model.ArtifactSha256);
                await db.SaveChangesAsync();
            }

            await transaction.CommitAsync();
            id = model.Id;
        }

        await using (var scope = database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            var read = await ModelArtifacts.ReadAsync(db, id, ReadAll, CancellationToken.None);
            Assert.Equal(bytes, read);
            // The entity sees the same column (the model download reads it so).
            Assert.Equal(bytes, (await db.Set<TrainedModel>().SingleAsync(m => m.Id == id)).Artifact);
            Assert.Null(await ModelArtifacts.ReadAsync(db, id + 1000, ReadAll, CancellationToken.None));
        }

        if (provider == DatabaseProvider.Sqlite)
        {
            await using var scope = database.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudyRecsDbContext>();
            await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                var model = Model("v2", []);
                db.Add(model);
                await db.SaveChangesAsync();
                await ModelArtifacts.WriteInPlaceAsync(db, model.Id, 100, s => s.Write(bytes, 0, 99), CancellationToken.None);
                await transaction.CommitAsync();
            });
            db.ChangeTracker.Clear();
            Assert.Equal(["v1"], await db.Set<TrainedModel>().Select(m => m.Version).ToListAsync());
        }
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static TrainedModel Model(string version, byte[] artifact) => new()
    {
        Version = version,
        Task = ModelTask.Recommendation,
        Algorithm = "popularity",
        SettingsJson = "{}",
        MetricsJson = "{}",
        FeatureSchemaJson = "{}",
        Artifact = artifact,
        ArtifactSha256 = Convert.ToHexStringLower(SHA256.HashData(artifact)),
        CreatedBy = "test",
        CreatedAt = DateTimeOffset.UnixEpoch,
        DatasetIdsJson = "[]",
        DataHash = "",
        SelectionMetric = "ndcg_at_10",
    };
}
