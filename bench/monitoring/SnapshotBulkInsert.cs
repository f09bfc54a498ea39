using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;
using StudyRecs.Core.Data;
using StudyRecs.Core.Monitoring;

/// <summary>
/// Writes forecast snapshots straight into the table EF maps them to (column names read from the model): one prepared
/// INSERT in a transaction on SQLite, binary COPY on PostgreSQL. A million rows through EF's change tracker would
/// take longer than the job being measured; the rows are the same the snapshot writer stores.
/// </summary>
internal static class SnapshotBulkInsert
{
    private static readonly (string Property, NpgsqlDbType Type, Func<ForecastSnapshot, object?> Value)[] Columns =
    [
        (nameof(ForecastSnapshot.StudentId), NpgsqlDbType.Varchar, s => s.StudentId),
        (nameof(ForecastSnapshot.Semester), NpgsqlDbType.Integer, s => s.Semester),
        (nameof(ForecastSnapshot.Subject), NpgsqlDbType.Varchar, s => s.Subject),
        (nameof(ForecastSnapshot.RegressionVersion), NpgsqlDbType.Varchar, s => s.RegressionVersion),
        (nameof(ForecastSnapshot.ClassificationVersion), NpgsqlDbType.Varchar, s => s.ClassificationVersion),
        (nameof(ForecastSnapshot.PredictedMarks), NpgsqlDbType.Double, s => s.PredictedMarks),
        (nameof(ForecastSnapshot.IntervalLow), NpgsqlDbType.Double, s => s.IntervalLow),
        (nameof(ForecastSnapshot.IntervalHigh), NpgsqlDbType.Double, s => s.IntervalHigh),
        (nameof(ForecastSnapshot.IntervalLevel), NpgsqlDbType.Double, s => s.IntervalLevel),
        (nameof(ForecastSnapshot.PredictedGrade), NpgsqlDbType.Varchar, s => s.PredictedGrade),
        (nameof(ForecastSnapshot.GradeProbabilitiesJson), NpgsqlDbType.Text, s => s.GradeProbabilitiesJson),
        (nameof(ForecastSnapshot.AssignmentMarks), NpgsqlDbType.Double, s => s.AssignmentMarks),
        (nameof(ForecastSnapshot.QuizMarks), NpgsqlDbType.Double, s => s.QuizMarks),
        (nameof(ForecastSnapshot.AttendancePercentage), NpgsqlDbType.Double, s => s.AttendancePercentage),
        (nameof(ForecastSnapshot.MidtermMarks), NpgsqlDbType.Double, s => s.MidtermMarks),
        (nameof(ForecastSnapshot.PreviousCgpa), NpgsqlDbType.Double, s => s.PreviousCgpa),
        (nameof(ForecastSnapshot.Source), NpgsqlDbType.Varchar, s => s.Source),
        (nameof(ForecastSnapshot.AtUtc), NpgsqlDbType.TimestampTz, s => s.AtUtc),
    ];

    public static async Task InsertAsync(StudyRecsDbContext db, IReadOnlyList<ForecastSnapshot> batch, CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(ForecastSnapshot))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var names = Columns.Select(c => entity.FindProperty(c.Property)!.GetColumnName(table)!).ToArray();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (connection is NpgsqlConnection npgsql)
            {
                await CopyAsync(npgsql, table.Name, names, batch, cancellationToken);
            }
            else
            {
                await InsertAsync((SqliteConnection)connection, table.Name, names, batch, cancellationToken);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task InsertAsync(SqliteConnection connection, string table, string[] names, IReadOnlyList<ForecastSnapshot> batch, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", names.Select(n => $"\"{n}\""))}) VALUES ({string.Join(", ", names.Select((_, i) => $"$p{i}"))})";
        var parameters = names.Select((_, i) => insert.Parameters.Add(new SqliteParameter($"$p{i}", null))).ToArray();
        insert.Prepare();
        foreach (var snapshot in batch)
        {
            for (var i = 0; i < Columns.Length; i++)
            {
                parameters[i].Value = Columns[i].Value(snapshot) ?? DBNull.Value;
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string table, string[] names, IReadOnlyList<ForecastSnapshot> batch, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY \"{table}\" ({string.Join(", ", names.Select(n => $"\"{n}\""))}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var snapshot in batch)
        {
            await writer.StartRowAsync(cancellationToken);
            foreach (var (_, type, value) in Columns)
            {
                if (value(snapshot) is { } v)
                {
                    await writer.WriteAsync(v, type, cancellationToken);
                }
                else
                {
                    await writer.WriteNullAsync(cancellationToken);
                }
            }
        }

        await writer.CompleteAsync(cancellationToken);
    }
}
