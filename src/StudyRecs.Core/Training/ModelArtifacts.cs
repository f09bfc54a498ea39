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
/// Model artifacts (<see cref="ModelArtifact"/>) of hundreds of megabytes (a recommender with EASE's dense matrix)
/// streamed to and from their table, so that neither a retraining nor a node loading the version holds a second copy
/// of the model as bytes. SQLite writes and reads the blob in place (incremental blob I/O); SQL Server appends it in
/// chunks (<c>UPDATE ... SET column.WRITE(...)</c>, logged minimally) and streams it back; PostgreSQL reads it from
/// the wire and is written as an array, which Npgsql sends without copying it.
/// </summary>
public static class ModelArtifacts
{
    /// <summary>True when this database writes an artifact in place rather than from an array.</summary>
    public static bool CanWriteInPlace(StudyRecsDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.IsSqlite() || db.Database.IsSqlServer();
    }

    /// <summary>
    /// Stores the artifact of the saved version <paramref name="modelId"/> inside the current transaction and returns its
    /// SHA-256 in lower-case hex. SQLite and SQL Server take the bytes as <paramref name="content"/> writes them, in
    /// place; PostgreSQL takes them as one array.
    /// </summary>
    /// <exception cref="InvalidOperationException">The content wrote another number of bytes than it announced.</exception>
    public static async Task<string> WriteAsync(StudyRecsDbContext db, long modelId, ArtifactContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(content);
        if (!CanWriteInPlace(db))
        {
            var bytes = content.ToArray();
            if (bytes.LongLength != content.Length)
            {
                throw new InvalidOperationException($"The artifact announced {content.Length} bytes but {bytes.LongLength} were written.");
            }

            await db.Set<ModelArtifact>().Where(a => a.ModelId == modelId).ExecuteDeleteAsync(cancellationToken);
            var row = new ModelArtifact { ModelId = modelId, Bytes = bytes };
            db.Add(row);
            await db.SaveChangesAsync(cancellationToken);
            db.Entry(row).State = EntityState.Detached;
            return Convert.ToHexStringLower(SHA256.HashData(bytes));
        }

        var (table, key, column) = Names(db);
        if (db.Database.IsSqlServer())
        {
            await EnsureRowAsync(db, modelId, "0x", cancellationToken);
            var target = new SqlServerArtifactStream(db, table, key, column, modelId);
            using var appending = new HashingStream(target);
            content.WriteTo(appending);
            appending.Flush();
            return Checked(appending, content.Length);
        }

        await EnsureRowAsync(db, modelId, $"zeroblob({content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)})", cancellationToken);
        var blob = new SqliteBlob((SqliteConnection)db.Database.GetDbConnection(), table, column, modelId);
        await using (blob.ConfigureAwait(false))
        {
            using var hashing = new HashingStream(blob);
            content.WriteTo(hashing);
            return Checked(hashing, content.Length);
        }
    }

    private static string Checked(HashingStream written, long announced) => written.Length == announced
        ? written.Sha256
        : throw new InvalidOperationException($"The artifact announced {announced} bytes but {written.Length} were written.");

    // The version's artifact row with the bytes column set to an empty value of the right size (SQLite's zeroblob, SQL
    // Server's 0x); the key is the version's id, so the row id SQLite's blob I/O opens is the version's id.
    private static async Task EnsureRowAsync(StudyRecsDbContext db, long modelId, string empty, CancellationToken cancellationToken)
    {
        var (table, key, column) = Names(db);
        // The names come from the EF model and the empty value is a number or a literal of this class, not input; the id is a parameter.
#pragma warning disable EF1002
        await db.Database.ExecuteSqlRawAsync($"DELETE FROM {Quote(db, table)} WHERE {Quote(db, key)} = {{0}}", [modelId], cancellationToken);
        await db.Database.ExecuteSqlRawAsync($"INSERT INTO {Quote(db, table)} ({Quote(db, key)}, {Quote(db, column)}) VALUES ({{0}}, {empty})", [modelId], cancellationToken);
#pragma warning restore EF1002
    }

    /// <summary>Copies a stream (an artifact being read) into an array.</summary>
    public static byte[] ReadAllBytes(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
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
    /// Appends what is written to the artifact column of one row on SQL Server, a chunk per statement: the row starts
    /// empty, then each chunk goes on its end with <c>.WRITE(@chunk, NULL, NULL)</c>, so neither side holds
    /// the whole artifact. Chunks are a multiple of 8,040 bytes, the size SQL Server logs minimally.
    /// </summary>
    private sealed class SqlServerArtifactStream(StudyRecsDbContext db, string table, string key, string column, long modelId) : WriteOnlyStream
    {
        private const int ChunkBytes = 8040 * 128;

        private readonly byte[] _buffer = new byte[ChunkBytes];
        private int _buffered;
        private long _length;

        public override long Length => _length;

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

    // The artifacts' table (see ModelArtifactEntityTypeConfiguration), its key column and its bytes column, from the EF model.
    private static (string Table, string Key, string Column) Names(StudyRecsDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(ModelArtifact))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return (table.Name, entity.FindProperty(nameof(ModelArtifact.ModelId))!.GetColumnName(table)!, entity.FindProperty(nameof(ModelArtifact.Bytes))!.GetColumnName(table)!);
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
