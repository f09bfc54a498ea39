using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Datasets;

/// <summary>
/// Inserts gradebook rows into <c>DatasetRows</c> through one prepared statement on the context's connection, inside
/// the context's current transaction (EF's change tracker is far too slow for a million rows). On SQLite the statement
/// is driven through the native handle with positional binding; other providers use a prepared ADO.NET command.
/// Table and column names come from the EF model, so the SQL follows the migrations on every provider.
/// </summary>
public sealed class DatasetRowBulkWriter : IGradebookRowSink, IAsyncDisposable
{
    /// <summary>Rows per multi-row INSERT on SQLite: far fewer statement steps (and AUTOINCREMENT bookkeeping) per row.</summary>
    private const int RowsPerSqliteStatement = 50;

    private const int Columns = 13;

    private readonly long _datasetId;
    private readonly DbCommand _command;
    private readonly DbParameter[] _parameters;
    private readonly sqlite3? _sqlite;
    private readonly sqlite3_stmt? _statement;
    private readonly sqlite3_stmt? _multiRowStatement;
    private readonly ArrayBufferWriter<byte> _json = new(256);
    private bool _prepared;

    /// <param name="db">A context with an open transaction (<c>db.Database.BeginTransactionAsync()</c>).</param>
    public DatasetRowBulkWriter(StudyRecsDbContext db, long datasetId)
    {
        var transaction = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Start a transaction before writing dataset rows, so a rejected file can be rolled back.");
        _datasetId = datasetId;

        var entity = db.Model.FindEntityType(typeof(DatasetRow))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        string[] properties =
        [
            nameof(DatasetRow.DatasetId), nameof(DatasetRow.RowNumber), nameof(DatasetRow.StudentId), nameof(DatasetRow.Semester),
            nameof(DatasetRow.Subject), nameof(DatasetRow.AssignmentMarks), nameof(DatasetRow.QuizMarks), nameof(DatasetRow.AttendancePercentage),
            nameof(DatasetRow.MidtermMarks), nameof(DatasetRow.PreviousCgpa), nameof(DatasetRow.FinalMarks), nameof(DatasetRow.FinalGrade),
            nameof(DatasetRow.ExtraFeaturesJson),
        ];
        var columns = properties.Select(p => sql.DelimitIdentifier(entity.FindProperty(p)!.GetColumnName(table)!)).ToArray();

        _command = db.Database.GetDbConnection().CreateCommand();
        _command.Transaction = transaction.GetDbTransaction();
        var insert = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns)}) VALUES ";
        _command.CommandText = insert + $"({string.Join(", ", properties.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)))})";
        _parameters = new DbParameter[properties.Length];
        for (var i = 0; i < properties.Length; i++)
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            parameter.DbType = i switch
            {
                0 or 1 => System.Data.DbType.Int64,
                3 => System.Data.DbType.Int32,
                >= 5 and <= 10 => System.Data.DbType.Double,
                _ => System.Data.DbType.String,
            };
            _parameters[i] = parameter;
            _command.Parameters.Add(parameter);
        }

        if (_command.Connection is SqliteConnection { Handle: { } handle })
        {
            _sqlite = handle;
            var oneRow = "(" + string.Join(", ", Enumerable.Repeat("?", Columns)) + ")";
            Check(raw.sqlite3_prepare_v2(handle, insert + oneRow, out var statement));
            _statement = statement;
            Check(raw.sqlite3_prepare_v2(handle, insert + string.Join(", ", Enumerable.Repeat(oneRow, RowsPerSqliteStatement)), out var multiRow));
            _multiRowStatement = multiRow;
        }
    }

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; private set; }

    public async ValueTask WriteBatchAsync(IReadOnlyList<GradebookRow> batch, CancellationToken cancellationToken)
    {
        if (_statement is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WriteSqlite(batch);
            RowsWritten += batch.Count;
            return;
        }

        if (!_prepared)
        {
            await _command.PrepareAsync(cancellationToken);
            _prepared = true;
        }

        foreach (var row in batch)
        {
            _parameters[0].Value = _datasetId;
            _parameters[1].Value = row.Row;
            _parameters[2].Value = row.StudentId;
            _parameters[3].Value = row.Semester;
            _parameters[4].Value = row.Subject;
            _parameters[5].Value = Db(row.AssignmentMarks);
            _parameters[6].Value = Db(row.QuizMarks);
            _parameters[7].Value = Db(row.AttendancePercentage);
            _parameters[8].Value = Db(row.MidtermMarks);
            _parameters[9].Value = Db(row.PreviousCgpa);
            _parameters[10].Value = Db(row.FinalMarks);
            _parameters[11].Value = (object?)row.FinalGrade ?? DBNull.Value;
            _parameters[12].Value = (object?)ExtraFeaturesJson(row) ?? DBNull.Value;
            await _command.ExecuteNonQueryAsync(cancellationToken);
        }

        RowsWritten += batch.Count;
    }

    public ValueTask DisposeAsync()
    {
        _statement?.Dispose();
        _multiRowStatement?.Dispose();
        return _command.DisposeAsync();
    }

    private void WriteSqlite(IReadOnlyList<GradebookRow> batch)
    {
        var i = 0;
        for (; i + RowsPerSqliteStatement <= batch.Count; i += RowsPerSqliteStatement)
        {
            for (var k = 0; k < RowsPerSqliteStatement; k++)
            {
                BindRow(_multiRowStatement!, k * Columns, batch[i + k]);
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

    private void Step(sqlite3_stmt statement)
    {
        var result = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (result != raw.SQLITE_DONE)
        {
            Check(result);
        }
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

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK && result != raw.SQLITE_DONE)
        {
            throw new SqliteException(raw.sqlite3_errmsg(_sqlite!).utf8_to_string(), result);
        }
    }

    private static object Db(double? value) => value.HasValue ? value.Value : DBNull.Value;

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
