using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Training;

/// <summary>
/// A model's bytes as the trainer hands them over: their length and a writer, so that a recommender of hundreds of
/// megabytes is written straight into the database where it can be (<see cref="ModelArtifacts"/>) and only turned
/// into an array where it must.
/// </summary>
public sealed class ArtifactContent
{
    private readonly Action<Stream> _write;
    private readonly Func<byte[]> _toArray;

    public ArtifactContent(string format, long length, Action<Stream> write, Func<byte[]> toArray)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(format);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Format = format;
        Length = length;
        _write = write ?? throw new ArgumentNullException(nameof(write));
        _toArray = toArray ?? throw new ArgumentNullException(nameof(toArray));
    }

    /// <summary>Bytes already in memory (a grade model's artifact).</summary>
    public static ArtifactContent Of(string format, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new ArtifactContent(format, bytes.Length, s => s.Write(bytes), () => bytes);
    }

    /// <summary>What reads the bytes (<see cref="ArtifactFormats"/>).</summary>
    public string Format { get; }

    public long Length { get; }

    /// <summary>Writes exactly <see cref="Length"/> bytes to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream) => _write(stream);

    public byte[] ToArray() => _toArray();
}

/// <summary>
/// A trained version ready to register: what every task stores, the task's own metadata (a grade model's feature
/// schema and datasets, a recommender's catalog map) and the artifact, made once the version's name is known (a grade
/// model's artifact carries it in its metadata).
/// </summary>
public sealed record NewModelVersion(ModelTask Task, string Algorithm, string SettingsJson, string MetricsJson, Func<string, ArtifactContent> Artifact,
    string CreatedBy, int RowsUsed, string DataHash, double DurationSeconds, string SelectionMetric, double SelectionScore)
{
    public long? TrainingRunId { get; init; }

    /// <summary>A grade model's <see cref="FeatureSchema"/> as JSON.</summary>
    public string? FeatureSchemaJson { get; init; }

    /// <summary>The datasets a grade model learned from, as a JSON array.</summary>
    public string? DatasetIdsJson { get; init; }

    /// <summary>A recommender's catalog map as JSON.</summary>
    public string? CatalogJson { get; init; }
}

/// <summary>What registering did: the stored version, whether it became active, and why (or why not) in words.</summary>
public sealed record RegisteredVersion(TrainedModel Model, bool Activated, string Reason);

/// <summary>The one way a trained version enters the registry, for every task.</summary>
internal static class ModelRegistration
{
    /// <summary>
    /// Inside the caller's transaction: gives the version its id (UTC time, unique per task), stores its row and its
    /// artifact (see <see cref="ModelArtifacts.WriteAsync"/>), and applies the activation rule: the version becomes
    /// active when it scores at least as well as the active one (within <paramref name="tolerance"/>) and the task
    /// is not pinned, otherwise it is kept with the reason. Everything the context tracks is saved with it.
    /// </summary>
    public static async Task<RegisteredVersion> RegisterAsync(StudyRecsDbContext db, NewModelVersion version, DateTimeOffset now, double tolerance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(version);
        var task = version.Task;
        var name = await ModelVersions.NextAsync(db, task, now, cancellationToken);
        var artifact = version.Artifact(name);
        var model = new TrainedModel
        {
            Version = name,
            Task = task,
            Algorithm = version.Algorithm,
            SettingsJson = version.SettingsJson,
            MetricsJson = version.MetricsJson,
            FeatureSchemaJson = version.FeatureSchemaJson,
            CatalogJson = version.CatalogJson,
            ArtifactFormat = artifact.Format,
            ArtifactLength = artifact.Length,
            ArtifactSha256 = "",
            CreatedBy = version.CreatedBy,
            CreatedAt = now,
            TrainingRunId = version.TrainingRunId,
            RowsUsed = version.RowsUsed,
            DatasetIdsJson = version.DatasetIdsJson,
            DataHash = version.DataHash,
            DurationSeconds = version.DurationSeconds,
            SelectionMetric = version.SelectionMetric,
            SelectionScore = version.SelectionScore,
        };
        var active = await db.Set<TrainedModel>().AsNoTracking().Where(m => m.Task == task && m.IsActive)
            .Select(m => new ActiveScore(m.Version, m.SelectionScore)).SingleOrDefaultAsync(cancellationToken);
        var (activate, reason) = ActivationRule.Hold(task,
            ActivationRule.Decide(task, version.SelectionMetric, version.SelectionScore, active, tolerance),
            await ModelPins.CurrentAsync(db, task, cancellationToken));
        db.Add(model);
        await db.SaveChangesAsync(cancellationToken);
        model.ArtifactSha256 = await ModelArtifacts.WriteAsync(db, model.Id, artifact, cancellationToken);
        if (activate)
        {
            await ModelActivation.SwitchAsync(db, model, active?.Version, version.CreatedBy, reason, now, cancellationToken);
        }
        else
        {
            model.NotActivatedReason = reason;
            await db.SaveChangesAsync(cancellationToken);
        }

        return new RegisteredVersion(model, activate, reason);
    }
}
