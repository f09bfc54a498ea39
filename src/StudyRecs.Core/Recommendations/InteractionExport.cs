using System.Globalization;
using Microsoft.EntityFrameworkCore;
using StudyRecs.Core.Data;
using StudyRecs.Core.Datasets;

namespace StudyRecs.Core.Recommendations;

/// <summary>What an export wrote.</summary>
public sealed record InteractionExportSummary(int Interactions, int Students, int Resources);

/// <summary>
/// The logged interactions (every event but impressions) as CSV, for a model trained outside StudyRecs: the columns
/// <c>user_id,item_id,timestamp,event</c> that <c>studyrecs recommend-eval</c> reads, then the strategy, position and
/// request id the recommendation came with. Rows are streamed in the order they were logged; the file is spreadsheet
/// safe (<see cref="SpreadsheetSafeCsv"/>).
/// </summary>
public sealed class InteractionExport(IDbContextFactory<StudyRecsDbContext> dbs)
{
    /// <summary>The header the export writes.</summary>
    public static readonly string[] Columns = ["user_id", "item_id", "timestamp", "event", "strategy", "position", "request_id"];

    /// <summary>Writes the interactions logged at or after <paramref name="since"/> (all when null) to <paramref name="output"/>.</summary>
    public async Task<InteractionExportSummary> WriteCsvAsync(TextWriter output, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var events = db.Set<RecommendationEvent>().AsNoTracking().Where(e => e.Type != RecommendationEventType.Impression);
        if (since is { } from)
        {
            var utc = from.UtcDateTime;
            events = events.Where(e => e.AtUtc >= utc);
        }

        SpreadsheetSafeCsv.WriteRecord(output, Columns);
        var (count, students, resources) = (0, new HashSet<string>(StringComparer.Ordinal), new HashSet<long>());
        await foreach (var e in events.OrderBy(e => e.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            SpreadsheetSafeCsv.WriteRecord(output,
                e.StudentId,
                e.ResourceId.ToString(CultureInfo.InvariantCulture),
                DateTime.SpecifyKind(e.AtUtc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                e.Type.ToString().ToLowerInvariant(),
                e.Strategy,
                e.Position?.ToString(CultureInfo.InvariantCulture),
                e.RequestId);
            count++;
            students.Add(e.StudentId);
            resources.Add(e.ResourceId);
        }

        return new InteractionExportSummary(count, students.Count, resources.Count);
    }
}
