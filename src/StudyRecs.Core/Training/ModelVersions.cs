using System.Globalization;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Training;

/// <summary>The one rule for a new version's name: its UTC creation second, bumped past the task's latest version.</summary>
internal static class ModelVersions
{
    private const string Format = "yyyyMMddHHmmss";

    /// <summary>The current UTC second as yyyyMMddHHmmss, or one second past the task's latest version when that is not earlier.</summary>
    public static async Task<string> NextAsync(StudyRecsDbContext db, ModelTask task, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var latest = await db.Set<TrainedModel>().Where(m => m.Task == task).MaxAsync(m => (string?)m.Version, cancellationToken);
        var version = now.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
        if (latest is not null && string.CompareOrdinal(version, latest) <= 0)
        {
            version = DateTime.ParseExact(latest, Format, CultureInfo.InvariantCulture).AddSeconds(1).ToString(Format, CultureInfo.InvariantCulture);
        }

        return version;
    }
}
