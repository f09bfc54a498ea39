using System.Buffers;
using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Json;
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

namespace StudyRecs.Core.Datasets;

/// <summary>
/// Inserts gradebook rows into <c>DatasetRows</c> on the context's connection, inside its current transaction (EF's
/// change tracker is far too slow for a million rows): on SQLite through native prepared multi-row INSERTs, on
/// PostgreSQL through a binary COPY, on SQL Server through <see cref="SqlBulkCopy"/> (a TDS bulk load). Table and column names come from the EF model, so the SQL follows the migrations.
/// Call <see cref="CompleteAsync"/> before committing; disposing without it abandons the rows written.
/// </summary>
public sealed class DatasetRowBulkWriter : IGradebookRowSink, IAsyncDisposable
{
    /// <summary>Rows per multi-row INSERT on SQLite: far fewer statement steps (and AUTOINCREMENT bookkeeping) per row.</summary>
    private const int RowsPerSqliteStatement = 50;

    private static readonly string[] Properties =
    [
        nameof(DatasetRow.DatasetId), nameof(DatasetRow.RowNumber), nameof(DatasetRow.StudentId), nameof(DatasetRow.Semester),
        nameof(DatasetRow.Subject), nameof(DatasetRow.AssignmentMarks), nameof(DatasetRow.QuizMarks), nameof(DatasetRow.AttendancePercentage),
        nameof(DatasetRow.MidtermMarks), nameof(DatasetRow.PreviousCgpa), nameof(DatasetRow.FinalMarks), nameof(DatasetRow.FinalGrade),
        nameof(DatasetRow.ExtraFeaturesJson),
    ];

    private readonly long _datasetId;
    private readonly ArrayBufferWriter<byte> _json = new(256);
    private readonly sqlite3? _sqlite;
    private readonly sqlite3_stmt? _statement;
    private readonly sqlite3_stmt? _multiRowStatement;
    private readonly NpgsqlConnection? _postgres;
    private readonly string? _copyCommand;
    private NpgsqlBinaryImporter? _copy;
    private readonly SqlBulkCopy? _bulkCopy;
    private readonly DataTable? _bulkRows;

    /// <param name="db">A context with an open transaction (<c>db.Database.BeginTransactionAsync()</c>).</param>
    public DatasetRowBulkWriter(StudyRecsDbContext db, long datasetId)
    {
        _ = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Start a transaction before writing dataset rows, so a rejected file can be rolled back.");
        _datasetId = datasetId;

        var entity = db.Model.FindEntityType(typeof(DatasetRow))!;
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
                // Inside the import's transaction, so a rejected file rolls back; checks constraints like an INSERT would.
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
                    var type = Nullable.GetUnderlyingType(mapped.ClrType) ?? mapped.ClrType;
                    _bulkRows.Columns.Add(property, type);
                    _bulkCopy.ColumnMappings.Add(property, mapped.GetColumnName(table)!);
                }

                break;
            default:
                throw new NotSupportedException($"Bulk dataset inserts support SQLite, PostgreSQL and SQL Server, not {db.Database.ProviderName}.");
        }
    }

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; private set; }

    public async ValueTask WriteBatchAsync(IReadOnlyList<GradebookRow> batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_sqlite is not null)
        {
            WriteSqlite(batch);
        }
        else if (_bulkCopy is not null)
        {
            await WriteSqlServerAsync(batch, cancellationToken);
        }
        else
        {
            await WritePostgresAsync(batch, cancellationToken);
        }

        RowsWritten += batch.Count;
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

    private void WriteSqlite(IReadOnlyList<GradebookRow> batch)
    {
        var i = 0;
        for (; i + RowsPerSqliteStatement <= batch.Count; i += RowsPerSqliteStatement)
        {
            for (var k = 0; k < RowsPerSqliteStatement; k++)
            {
                BindRow(_multiRowStatement!, k * Properties.Length, batch[i + k]);
            }

            Step(_multiRowStatement!);
        }

        for (; i < batch.Count; i++)
        {
            BindRow(_statement!, 0, batch[i]);
            Step(_statement!);
        }
    }

    private void BindRow(sqlite3_stmt statement, int offset, GradebookRow row)
    {
        raw.sqlite3_bind_int64(statement, offset + 1, _datasetId);
        raw.sqlite3_bind_int64(statement, offset + 2, row.Row);
        raw.sqlite3_bind_text(statement, offset + 3, row.StudentId);
        raw.sqlite3_bind_int(statement, offset + 4, row.Semester);
        raw.sqlite3_bind_text(statement, offset + 5, row.Subject);
        Bind(statement, offset + 6, row.AssignmentMarks);
        Bind(statement, offset + 7, row.QuizMarks);
        Bind(statement, offset + 8, row.AttendancePercentage);
        Bind(statement, offset + 9, row.MidtermMarks);
        Bind(statement, offset + 10, row.PreviousCgpa);
        Bind(statement, offset + 11, row.FinalMarks);
        Bind(statement, offset + 12, row.FinalGrade);
        Bind(statement, offset + 13, ExtraFeaturesJson(row));
    }

    private static void Bind(sqlite3_stmt statement, int index, double? value)
    {
        if (value.HasValue)
        {
            raw.sqlite3_bind_double(statement, index, value.Value);
        }
        else
        {
            raw.sqlite3_bind_null(statement, index);
        }
    }

    private static void Bind(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(statement, index);
        }
        else
        {
            raw.sqlite3_bind_text(statement, index, value);
        }
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

    private async Task WritePostgresAsync(IReadOnlyList<GradebookRow> batch, CancellationToken cancellationToken)
    {
        _copy ??= await _postgres!.BeginBinaryImportAsync(_copyCommand!, cancellationToken);
        foreach (var row in batch)
        {
            await _copy.StartRowAsync(cancellationToken);
            await _copy.WriteAsync(_datasetId, NpgsqlDbType.Bigint, cancellationToken);
            await _copy.WriteAsync(row.Row, NpgsqlDbType.Bigint, cancellationToken);
            await _copy.WriteAsync(row.StudentId, NpgsqlDbType.Varchar, cancellationToken);
            await _copy.WriteAsync(row.Semester, NpgsqlDbType.Integer, cancellationToken);
            await _copy.WriteAsync(row.Subject, NpgsqlDbType.Varchar, cancellationToken);
            await WriteAsync(_copy, row.AssignmentMarks, cancellationToken);
            await WriteAsync(_copy, row.QuizMarks, cancellationToken);
            await WriteAsync(_copy, row.AttendancePercentage, cancellationToken);
            await WriteAsync(_copy, row.MidtermMarks, cancellationToken);
            await WriteAsync(_copy, row.PreviousCgpa, cancellationToken);
            await WriteAsync(_copy, row.FinalMarks, cancellationToken);
            await WriteAsync(_copy, row.FinalGrade, NpgsqlDbType.Varchar, cancellationToken);
            await WriteAsync(_copy, ExtraFeaturesJson(row), NpgsqlDbType.Text, cancellationToken);
        }
    }

    // One batch per bulk load: the batches are what the importer holds in memory anyway, and each load is a single
    // round of TDS bulk packets.
    private async Task WriteSqlServerAsync(IReadOnlyList<GradebookRow> batch, CancellationToken cancellationToken)
    {
        _bulkRows!.Clear();
        foreach (var row in batch)
        {
            _bulkRows.Rows.Add(
                _datasetId, row.Row, row.StudentId, row.Semester, row.Subject,
                Value(row.AssignmentMarks), Value(row.QuizMarks), Value(row.AttendancePercentage), Value(row.MidtermMarks),
                Value(row.PreviousCgpa), Value(row.FinalMarks), (object?)row.FinalGrade ?? DBNull.Value, (object?)ExtraFeaturesJson(row) ?? DBNull.Value);
        }

        await _bulkCopy!.WriteToServerAsync(_bulkRows, cancellationToken);
    }

    private static object Value(double? value) => value.HasValue ? value.Value : DBNull.Value;

    private static Task WriteAsync(NpgsqlBinaryImporter copy, double? value, CancellationToken cancellationToken) =>
        value.HasValue ? copy.WriteAsync(value.Value, NpgsqlDbType.Double, cancellationToken) : copy.WriteNullAsync(cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is not null ? copy.WriteAsync(value, type, cancellationToken) : copy.WriteNullAsync(cancellationToken);

    /// <summary>Extra columns as a JSON object; values that read as numbers become JSON numbers.</summary>
    private string? ExtraFeaturesJson(GradebookRow row)
    {
        if (row.ExtraFeatureNames.Count == 0)
        {
            return null;
        }

        _json.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_json))
        {
            writer.WriteStartObject();
            for (var i = 0; i < row.ExtraFeatureNames.Count; i++)
            {
                var value = row.ExtraFeatures[i];
                if (value is null)
                {
                    writer.WriteNull(row.ExtraFeatureNames[i]);
                }
                else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                {
                    writer.WriteNumber(row.ExtraFeatureNames[i], number);
                }
                else
                {
                    writer.WriteString(row.ExtraFeatureNames[i], value);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(_json.WrittenSpan);
    }
}
