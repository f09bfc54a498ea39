using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Datasets;

/// <summary>
/// Inserts gradebook rows into <c>DatasetRows</c> through one prepared ADO.NET command on the context's connection,
/// inside the context's current transaction (EF's change tracker is far too slow for a million rows). Table and
/// column names come from the EF model, so the SQL follows the migrations on every provider.
/// </summary>
public sealed class DatasetRowBulkWriter : IGradebookRowSink, IAsyncDisposable
{
    private readonly long _datasetId;
    private readonly DbCommand _command;
    private readonly DbParameter[] _parameters;
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
        _command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", properties.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)))})";
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
    }

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; private set; }

    public async ValueTask WriteBatchAsync(IReadOnlyList<GradebookRow> batch, CancellationToken cancellationToken)
    {
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

    public ValueTask DisposeAsync() => _command.DisposeAsync();

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
