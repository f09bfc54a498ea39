using System.Data;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using StudyRecs.Core.Data;

namespace StudyRecs.Core.Training;

/// <summary>
/// Model artifacts of hundreds of megabytes (a recommender with EASE's dense matrix) streamed to and from the registry's
/// table (a table of its own, so that updates of a version's row never copy its bytes), so that neither a retraining nor a node loading the version holds a second copy of the model as bytes. SQLite
/// writes and reads the blob in place (incremental blob I/O); SQL Server appends it in chunks (<c>UPDATE ... SET
/// column.WRITE(...)</c>, logged minimally) and streams it back; PostgreSQL reads it from the wire and is written as an
/// array, which Npgsql sends without copying it.
/// </summary>
public static class ModelArtifacts
{
    /// <summary>True when this database writes an artifact in place (<see cref="WriteInPlaceAsync"/>); otherwise store it as an array.</summary>
    public static bool CanWriteInPlace(StudyRecsDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.IsSqlite() || db.Database.IsSqlServer();
    }

    /// <summary>
    /// Writes the artifact of the saved model <paramref name="modelId"/>: <paramref name="length"/> bytes that
    /// <paramref name="write"/> puts into the stream it is given, inside the current transaction. Returns the bytes'
    /// SHA-256 in lower-case hex. Only where <see cref="CanWriteInPlace"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="write"/> wrote another number of bytes.</exception>
    public static async Task<string> WriteInPlaceAsync(StudyRecsDbContext db, long modelId, long length, Action<Stream> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(write);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!CanWriteInPlace(db))
        {
            throw new InvalidOperationException("Only SQLite and SQL Server write model artifacts in place; store the artifact as an array.");
        }

        var (table, key, column) = Names(db);
        if (db.Database.IsSqlServer())
        {
            var target = new SqlServerArtifactStream(db, table, key, column, modelId);
            await target.StartAsync(cancellationToken);
            using var appending = new HashingStream(target);
            write(appending);
            appending.Flush();
            if (appending.Length != length)
            {
                throw new InvalidOperationException($"The artifact announced {length} bytes but {appending.Length} were written.");
            }

            return appending.Sha256;
        }

        // The names come from the EF model, not from input; the values are parameters.
#pragma warning disable EF1002
        await db.Database.ExecuteSqlRawAsync($"UPDATE \"{table}\" SET \"{column}\" = zeroblob({{0}}) WHERE \"{key}\" = {{1}}", [length, modelId], cancellationToken);
#pragma warning restore EF1002
        var blob = new SqliteBlob((SqliteConnection)db.Database.GetDbConnection(), table, column, modelId);
        await using (blob.ConfigureAwait(false))
        {
            using var hashing = new HashingStream(blob);
            write(hashing);
            if (hashing.Length != length)
            {
                throw new InvalidOperationException($"The artifact announced {length} bytes but {hashing.Length} were written.");
            }

            return hashing.Sha256;
        }
    }

    /// <summary>
    /// Reads the artifact of the saved model <paramref name="modelId"/> with <paramref name="read"/>, which gets a
    /// forward-only stream over the bytes (in place on SQLite, from the wire on PostgreSQL). Default when no such model exists.
    /// </summary>
    public static async Task<T?> ReadAsync<T>(StudyRecsDbContext db, long modelId, Func<Stream, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(read);
        var (table, key, column) = Names(db);
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var id = command.CreateParameter();
            id.ParameterName = "@id";
            id.Value = modelId;
            command.Parameters.Add(id);
            if (connection is SqliteConnection sqlite)
            {
                // The key is the row id: the blob is read in place, page by page.
                command.CommandText = $"SELECT COUNT(*) FROM {Quote(db, table)} WHERE {Quote(db, key)} = @id";
                if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    return default;
                }

                var blob = new SqliteBlob(sqlite, table, column, modelId, readOnly: true);
                await using (blob.ConfigureAwait(false))
                {
                    return read(blob);
                }
            }

            command.CommandText = $"SELECT {Quote(db, column)} FROM {Quote(db, table)} WHERE {Quote(db, key)} = @id";
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return default;
            }

            await using var stream = reader.GetStream(0);
            return read(stream);
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private static string Quote(StudyRecsDbContext db, string identifier) => db.GetService<ISqlGenerationHelper>().DelimitIdentifier(identifier);

    /// <summary>
    /// Appends what is written to the artifact column of one row on SQL Server, a chunk per statement: the column is
    /// emptied first, then each chunk goes on its end with <c>.WRITE(@chunk, NULL, NULL)</c>, so neither side holds
    /// the whole artifact. Chunks are a multiple of 8,040 bytes, the size SQL Server logs minimally.
    /// </summary>
    private sealed class SqlServerArtifactStream(StudyRecsDbContext db, string table, string key, string column, long modelId) : WriteOnlyStream
    {
        private const int ChunkBytes = 8040 * 128;

        private readonly byte[] _buffer = new byte[ChunkBytes];
        private int _buffered;
        private long _length;

        public override long Length => _length;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            // The names come from the EF model, not from input; the values are parameters.
#pragma warning disable EF1002
            await db.Database.ExecuteSqlRawAsync($"UPDATE {Quote(db, table)} SET {Quote(db, column)} = 0x WHERE {Quote(db, key)} = {{0}}", [modelId], cancellationToken);
#pragma warning restore EF1002
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (buffer.Length > 0)
            {
                var taken = Math.Min(buffer.Length, ChunkBytes - _buffered);
                buffer[..taken].CopyTo(_buffer.AsSpan(_buffered));
                _buffered += taken;
                _length += taken;
                buffer = buffer[taken..];
                if (_buffered == ChunkBytes)
                {
                    Flush();
                }
            }
        }


        public override void Flush()
        {
            if (_buffered == 0)
            {
                return;
            }

            var chunk = new Microsoft.Data.SqlClient.SqlParameter("@chunk", SqlDbType.VarBinary, -1) { Value = _buffered == ChunkBytes ? _buffer : _buffer[.._buffered] };
            var id = new Microsoft.Data.SqlClient.SqlParameter("@id", modelId);
#pragma warning disable EF1002
            db.Database.ExecuteSqlRaw($"UPDATE {Quote(db, table)} SET {Quote(db, column)}.WRITE(@chunk, NULL, NULL) WHERE {Quote(db, key)} = @id", chunk, id);
#pragma warning restore EF1002
            _buffered = 0;
        }

    }

    // The artifact's own table (see TrainedModelEntityTypeConfiguration), its key column and its bytes column, from the EF model.
    private static (string Table, string Key, string Column) Names(StudyRecsDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(TrainedModel))!;
        var column = entity.FindProperty(nameof(TrainedModel.Artifact))!.GetTableColumnMappings().Single().Column;
        var table = StoreObjectIdentifier.Table(column.Table.Name, column.Table.Schema);
        return (column.Table.Name, entity.FindPrimaryKey()!.Properties.Single().GetColumnName(table)!, column.Name);
    }

    // Passes writes on and keeps their count and SHA-256.
    private sealed class HashingStream(Stream inner) : WriteOnlyStream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public string Sha256 => Convert.ToHexStringLower(_hash.GetCurrentHash());

        public override long Length => _length;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            _hash.AppendData(buffer);
            _length += buffer.Length;
        }


        public override void Flush() => inner.Flush();


        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    // What the two write-only streams above share: forward-only, written from spans.
    private abstract class WriteOnlyStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Position
        {
            get => Length;
            set => throw new NotSupportedException();
        }

        public abstract override void Write(ReadOnlySpan<byte> buffer);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
