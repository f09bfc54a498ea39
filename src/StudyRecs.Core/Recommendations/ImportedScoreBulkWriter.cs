using System.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Recommendations;

/// <summary>
/// Inserts the scores of one imported set on the context's connection, inside its current transaction, the way
/// <see cref="Datasets.DatasetRowBulkWriter"/> inserts gradebook rows: SQLite through native prepared multi-row INSERTs,
/// PostgreSQL through a binary COPY, SQL Server through <see cref="SqlBulkCopy"/>. Table and column names come from the
/// EF model. Call <see cref="CompleteAsync"/> before committing; disposing without it abandons the rows written.
/// </summary>
internal sealed class ImportedScoreBulkWriter : IAsyncDisposable
{
    private const int RowsPerSqliteStatement = 100;

    private static readonly string[] Properties = [nameof(ImportedScore.SetId), nameof(ImportedScore.StudentId), nameof(ImportedScore.ResourceId), nameof(ImportedScore.Score)];

    private readonly long _setId;
    private readonly sqlite3? _sqlite;
    private readonly sqlite3_stmt? _statement;
    private readonly sqlite3_stmt? _multiRowStatement;
    private readonly NpgsqlConnection? _postgres;
    private readonly string? _copyCommand;
    private NpgsqlBinaryImporter? _copy;
    private readonly SqlBulkCopy? _bulkCopy;
    private readonly DataTable? _bulkRows;

    /// <param name="db">A context with an open transaction.</param>
    public ImportedScoreBulkWriter(StudyRecsDbContext db, long setId)
    {
        _ = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Start a transaction before writing imported scores, so a failed import leaves nothing behind.");
        _setId = setId;

        var entity = db.Model.FindEntityType(typeof(ImportedScore))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var target = $"{sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", Properties.Select(p => sql.DelimitIdentifier(entity.FindProperty(p)!.GetColumnName(table)!)))})";

        switch (db.Database.GetDbConnection())
        {
            case SqliteConnection { Handle: { } handle }:
                _sqlite = handle;
                var oneRow = "(" + string.Join(", ", Enumerable.Repeat("?", Properties.Length)) + ")";
                Check(raw.sqlite3_prepare_v2(handle, $"INSERT INTO {target} VALUES {oneRow}", out var statement));
                _statement = statement;
                Check(raw.sqlite3_prepare_v2(handle, $"INSERT INTO {target} VALUES {string.Join(", ", Enumerable.Repeat(oneRow, RowsPerSqliteStatement))}", out var multiRow));
                _multiRowStatement = multiRow;
                break;
            case NpgsqlConnection postgres:
                _postgres = postgres;
                _copyCommand = $"COPY {target} FROM STDIN (FORMAT BINARY)";
                break;
            case SqlConnection sqlServer:
                _bulkCopy = new SqlBulkCopy(sqlServer, SqlBulkCopyOptions.CheckConstraints, (SqlTransaction)db.Database.CurrentTransaction.GetDbTransaction())
                {
                    DestinationTableName = sql.DelimitIdentifier(table.Name, table.Schema),
                    BulkCopyTimeout = 0,
                    EnableStreaming = true,
                };
                _bulkRows = new DataTable();
                foreach (var property in Properties)
                {
                    var mapped = entity.FindProperty(property)!;
                    _bulkRows.Columns.Add(property, mapped.ClrType);
                    _bulkCopy.ColumnMappings.Add(property, mapped.GetColumnName(table)!);
                }

                break;
            default:
                throw new NotSupportedException($"Bulk score inserts support SQLite, PostgreSQL and SQL Server, not {db.Database.ProviderName}.");
        }
    }

    /// <summary>Writes the rows <paramref name="order"/> names: indexes into the aligned columns (a student is an index into <paramref name="students"/>).</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<int> order, List<string> students, List<int> student, List<long> resource, List<float> score, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_sqlite is not null)
        {
            WriteSqlite(order.Span, students, student, resource, score);
        }
        else if (_bulkCopy is not null)
        {
            _bulkRows!.Clear();
            for (var i = 0; i < order.Length; i++)
            {
                var row = order.Span[i];
                _bulkRows.Rows.Add(_setId, students[student[row]], resource[row], score[row]);
            }

            await _bulkCopy.WriteToServerAsync(_bulkRows, cancellationToken);
        }
        else
        {
            _copy ??= await _postgres!.BeginBinaryImportAsync(_copyCommand!, cancellationToken);
            for (var i = 0; i < order.Length; i++)
            {
                var row = order.Span[i];
                await _copy.StartRowAsync(cancellationToken);
                await _copy.WriteAsync(_setId, NpgsqlDbType.Bigint, cancellationToken);
                await _copy.WriteAsync(students[student[row]], NpgsqlDbType.Varchar, cancellationToken);
                await _copy.WriteAsync(resource[row], NpgsqlDbType.Bigint, cancellationToken);
                await _copy.WriteAsync(score[row], NpgsqlDbType.Real, cancellationToken);
            }
        }
    }

    /// <summary>Finishes the bulk operation so the rows become part of the transaction; call before committing.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_copy is not null)
        {
            await _copy.CompleteAsync(cancellationToken);
            await _copy.DisposeAsync();
            _copy = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        ((IDisposable?)_bulkCopy)?.Dispose();
        _bulkRows?.Dispose();
        _statement?.Dispose();
        _multiRowStatement?.Dispose();
        if (_copy is not null)
        {
            // Disposing an uncompleted COPY cancels it; the caller then rolls the transaction back.
            await _copy.DisposeAsync();
        }
    }

    private void WriteSqlite(ReadOnlySpan<int> order, List<string> students, List<int> student, List<long> resource, List<float> score)
    {
        var i = 0;
        for (; i + RowsPerSqliteStatement <= order.Length; i += RowsPerSqliteStatement)
        {
            for (var k = 0; k < RowsPerSqliteStatement; k++)
            {
                Bind(_multiRowStatement!, k * Properties.Length, order[i + k], students, student, resource, score);
            }

            Step(_multiRowStatement!);
        }

        for (; i < order.Length; i++)
        {
            Bind(_statement!, 0, order[i], students, student, resource, score);
            Step(_statement!);
        }
    }

    private void Bind(sqlite3_stmt statement, int offset, int row, List<string> students, List<int> student, List<long> resource, List<float> score)
    {
        raw.sqlite3_bind_int64(statement, offset + 1, _setId);
        raw.sqlite3_bind_text(statement, offset + 2, students[student[row]]);
        raw.sqlite3_bind_int64(statement, offset + 3, resource[row]);
        raw.sqlite3_bind_double(statement, offset + 4, score[row]);
    }

    private void Step(sqlite3_stmt statement)
    {
        var result = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (result != raw.SQLITE_DONE)
        {
            Check(result);
        }
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK && result != raw.SQLITE_DONE)
        {
            throw new SqliteException(raw.sqlite3_errmsg(_sqlite!).utf8_to_string(), result);
        }
    }
}
