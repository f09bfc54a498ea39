using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Predictions;

/// <summary>
/// Prediction logs are plain inserts. On SQLite they go through one prepared INSERT run once per log inside one
/// transaction: the change tracker's per-entity work (and reading back every generated key) cost more than the insert
/// itself, and every answered forecast is one of these. Other databases take EF's batched inserts (one round trip per
/// batch). The columns and how each value is written come from the EF model, so the rows are the ones EF would write.
/// </summary>
public sealed class PredictionLogStore : IBatchStore<PredictionLog>
{
    public string Noun => "prediction logs";

    public async Task<int> StoreAsync(StudyRecsDbContext db, IReadOnlyList<PredictionLog> batch, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.AddRange(batch);
            await db.SaveChangesAsync(cancellationToken);
            return batch.Count;
        }

        var columns = InsertColumns.Of(db);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = columns.Sql;
            var parameters = new DbParameter[columns.Properties.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                var property = columns.Properties[i];
                parameters[i] = property.GetRelationalTypeMapping().CreateParameter(command, "@p" + i.ToString(CultureInfo.InvariantCulture), null, property.IsNullable);
                command.Parameters.Add(parameters[i]);
            }

            foreach (var log in batch)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    var value = columns.Getters[i].GetClrValueUsingContainingEntity(log);
                    if (value is not null && columns.Converters[i] is { } converter)
                    {
                        value = converter.ConvertToProvider(value);
                    }

                    parameters[i].Value = value ?? DBNull.Value;
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return batch.Count;
    }

    public void Reset(PredictionLog item) => item.Id = 0;

    /// <summary>The INSERT of one log (every column but the generated key), read from the model once per model.</summary>
    private sealed class InsertColumns
    {
        private static readonly ConditionalWeakTable<IModel, InsertColumns> OfModel = new();

        private InsertColumns(StudyRecsDbContext db)
        {
            var entity = db.Model.FindEntityType(typeof(PredictionLog))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var sql = db.GetService<ISqlGenerationHelper>();
            Properties = entity.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never && p.GetColumnName(table) is not null).ToArray();
            Getters = Properties.Select(p => p.GetGetter()).ToArray();
            Converters = Properties.Select(p => p.GetRelationalTypeMapping().Converter).ToArray();
            Sql = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", Properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) "
                + $"VALUES ({string.Join(", ", Properties.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)))})";
        }

        public IProperty[] Properties { get; }

        public IClrPropertyGetter[] Getters { get; }

        public ValueConverter?[] Converters { get; }

        public string Sql { get; }

        public static InsertColumns Of(StudyRecsDbContext db) => OfModel.GetValue(db.Model, _ => new InsertColumns(db));
    }
}

/// <summary>Hands prediction logs from requests to <see cref="PredictionAuditWriter"/>, which stores them in batches.</summary>
public sealed class PredictionAuditInbox(IOptions<PredictionOptions> options, PredictionLogStore store, IDbContextFactory<StudyRecsDbContext> dbs, ILogger<PredictionAuditInbox> logger)
    : BatchInbox<PredictionLog>(options.Value.AuditQueueCapacity, store, dbs, logger);

/// <summary>
/// Stores queued prediction logs in batches of <see cref="PredictionOptions.AuditBatchSize"/>; drains the queue on a
/// graceful stop. Under steady traffic it gathers logs for <see cref="Gather"/> between batches (one per request
/// otherwise, each with its own transaction and commit); an idle portal's log is stored at once.
/// </summary>
public sealed class PredictionAuditWriter(PredictionAuditInbox inbox, PredictionLogStore store, IDbContextFactory<StudyRecsDbContext> dbs, IOptions<PredictionOptions> options, ILogger<PredictionAuditWriter> logger)
    : BatchWriter<PredictionLog>(inbox, store, dbs, () => options.Value.AuditBatchSize, logger, Gather)
{
    /// <summary>Longest wait between two batches that did not fill up.</summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);
}

/// <summary>Filters of the prediction audit list; every part optional.</summary>
public sealed record PredictionLogFilter(string? User = null, string? Subject = null, string? ModelVersion = null, bool? AtRisk = null, DateTime? FromUtc = null, DateTime? ToUtc = null);

/// <summary>Reads the prediction audit for the admin page, newest first.</summary>
public sealed class PredictionAuditLog(IDbContextFactory<StudyRecsDbContext> dbs)
{
    public async Task<(IReadOnlyList<PredictionLog> Page, int Total)> ListAsync(PredictionLogFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = db.Set<PredictionLog>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.User))
        {
            var user = filter.User.Trim();
            query = query.Where(p => p.UserName.Contains(user) || (p.StudentId != null && p.StudentId == user));
        }

        if (!string.IsNullOrWhiteSpace(filter.Subject))
        {
            var subject = filter.Subject.Trim();
            query = query.Where(p => p.Subject == subject);
        }

        if (!string.IsNullOrWhiteSpace(filter.ModelVersion))
        {
            var version = filter.ModelVersion.Trim();
            query = query.Where(p => p.RegressionVersion == version || p.ClassificationVersion == version);
        }

        if (filter.AtRisk is { } risk)
        {
            query = query.Where(p => p.AtRisk == risk);
        }

        if (filter.FromUtc is { } from)
        {
            query = query.Where(p => p.AtUtc >= from);
        }

        if (filter.ToUtc is { } to)
        {
            query = query.Where(p => p.AtUtc < to);
        }

        var total = await query.CountAsync(cancellationToken);
        var page = await query.OrderByDescending(p => p.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return (page, total);
    }
}
