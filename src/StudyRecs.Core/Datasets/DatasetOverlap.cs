using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;
using StudyRecs.Core.Training;

namespace StudyRecs.Core.Datasets;

/// <summary>What an upload does when some of its rows have the key (student, semester, subject) of rows already accepted.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OverlapPolicy>))]
public enum OverlapPolicy
{
    /// <summary>Store nothing and say how many rows overlap, so the uploader can choose.</summary>
    Ask,

    /// <summary>Store the upload; its rows replace the older ones in training (the newest row of a key wins).</summary>
    Replace,

    /// <summary>Store nothing when any row overlaps.</summary>
    Cancel,
}

/// <summary>How many rows of an upload repeat keys of accepted, non-archived datasets, which ones, and what was done.</summary>
public sealed record DatasetOverlap(long Rows, IReadOnlyList<long> DatasetIds, OverlapPolicy Policy)
{
    /// <summary>What happened, in one sentence a teacher can act on.</summary>
    public string Message
    {
        get
        {
            var datasets = (DatasetIds.Count == 1 ? "dataset #" : "datasets #") + string.Join(", #", DatasetIds.Select(id => id.ToString(CultureInfo.InvariantCulture)));
            var rows = string.Create(CultureInfo.InvariantCulture, $"{Rows:N0} row{(Rows == 1 ? "" : "s")}");
            var same = $"{rows} of this file {(Rows == 1 ? "has" : "have")} the same student, semester and subject as rows of {datasets}";
            return Policy switch
            {
                OverlapPolicy.Replace => $"{same}; they replace the older rows in training.",
                OverlapPolicy.Cancel => $"{same}; the upload was cancelled and nothing was stored.",
                _ => $"{same}. Nothing was stored: upload again choosing to replace the older rows, or cancel.",
            };
        }
    }

    /// <summary>Parses <c>ask</c>, <c>replace</c> or <c>cancel</c> (any case); null for anything else.</summary>
    public static OverlapPolicy? ParsePolicy(string? text) =>
        text?.Trim().ToLowerInvariant() switch
        {
            "ask" => OverlapPolicy.Ask,
            "replace" => OverlapPolicy.Replace,
            "cancel" => OverlapPolicy.Cancel,
            _ => null,
        };

    /// <summary>
    /// Rows of dataset <paramref name="datasetId"/> whose key also occurs in another accepted, non-archived dataset,
    /// counted in the database (inside the caller's transaction, so rows not yet committed count).
    /// </summary>
    internal static async Task<DatasetOverlap> FindAsync(StudyRecsDbContext db, long datasetId, OverlapPolicy policy, CancellationToken cancellationToken)
    {
        var others = db.Set<UploadedDataset>().Where(d => d.Id != datasetId && d.ArchivedAt == null && TrainingData.AcceptedStatuses.Contains(d.Status)).Select(d => d.Id);
        var older = db.Set<DatasetRow>().Where(o => others.Contains(o.DatasetId));
        var mine = db.Set<DatasetRow>().Where(r => r.DatasetId == datasetId);
        var rows = await mine.LongCountAsync(r => older.Any(o => o.StudentId == r.StudentId && o.Semester == r.Semester && o.Subject == r.Subject), cancellationToken);
        if (rows == 0)
        {
            return new DatasetOverlap(0, [], policy);
        }

        // From the upload's side: a join over its rows, not a scan of every accepted row.
        var datasets = await mine.Join(older, r => new { r.StudentId, r.Semester, r.Subject }, o => new { o.StudentId, o.Semester, o.Subject }, (r, o) => o.DatasetId)
            .Distinct().OrderBy(id => id).ToListAsync(cancellationToken);
        return new DatasetOverlap(rows, datasets, policy);
    }
}
