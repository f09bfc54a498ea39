using System.Buffers.Binary;
using StudyRecs.Learning.Serialization;

namespace StudyRecs.Learning.Recommend;

/// <summary>
/// Fitted recommenders as bytes for the model registry. Layout: magic "SRRM", format version (uint16), model name,
/// payload length (int64), CRC-32 of the payload, payload. Reading refuses a wrong magic, a newer version, a
/// truncated or over-long file and a checksum mismatch with an <see cref="InvalidDataException"/> saying which.
/// </summary>
public static class RecommenderSerializer
{
    /// <summary>The format version written; files with a higher version are refused.</summary>
    public const ushort FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "SRRM"u8;

    /// <summary>
    /// Measures a fitted model for serialisation (any recommender of this namespace, including hybrids and fallback
    /// chains): its exact size and checksum, from a first pass that keeps nothing. <see cref="PreparedRecommender.WriteTo"/>
    /// then writes it to any stream, so a model of hundreds of megabytes (EASE's dense matrix) can go straight to its
    /// destination without a copy in memory.
    /// </summary>
    public static PreparedRecommender Prepare(IRecommender model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var measure = new MeasuringStream();
        using (var payloadWriter = new BinaryWriter(measure, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            WritePayload(payloadWriter, model);
        }

        using var header = new MemoryStream();
        using (var writer = new BinaryWriter(header, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(model.Name);
            writer.Write(measure.Length);
            writer.Write(measure.Checksum);
        }

        return new PreparedRecommender(model, header.ToArray(), measure.Length, measure.Checksum);
    }

    /// <summary>Serialises a fitted model into an array of exactly its size (see <see cref="Prepare"/>).</summary>
    public static byte[] Serialize(IRecommender model) => Prepare(model).ToArray();

    /// <summary>Reads a model written by <see cref="Serialize"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a model, are from a newer format, truncated or corrupt.</exception>
    public static IRecommender Deserialize(ReadOnlySpan<byte> bytes) => Deserialize(bytes.ToArray());

    /// <summary>Reads a model written by <see cref="Serialize"/> without copying <paramref name="bytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a model, are from a newer format, truncated or corrupt.</exception>
    public static IRecommender Deserialize(byte[] bytes) => Deserialize(bytes, ModelFormats.Engine);

    /// <summary>
    /// Reads a model written by <see cref="Serialize"/> without copying <paramref name="bytes"/>; a learned ranker's model
    /// may be of any of <paramref name="formats"/> (the engine's, or another library's when its format is given).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a model, are from a newer format, truncated or corrupt.</exception>
    public static IRecommender Deserialize(byte[] bytes, ModelFormats formats)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var stream = new MemoryStream(bytes, writable: false);
        return Deserialize(stream, formats);
    }

    /// <summary>
    /// Reads a model written by <see cref="PreparedRecommender.WriteTo"/> from its current position to its end, checking
    /// the checksum as it reads (a database blob read in place, without a copy of the bytes). A seekable stream must end
    /// where the model does; any other is read to its end.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a model, are from a newer format, truncated or corrupt.</exception>
    public static IRecommender Deserialize(Stream source) => Deserialize(source, ModelFormats.Engine);

    /// <summary>
    /// Reads a model as <see cref="Deserialize(Stream)"/> does; a learned ranker's model may be of any of
    /// <paramref name="formats"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a model, are from a newer format, truncated or corrupt.</exception>
    public static IRecommender Deserialize(Stream source, ModelFormats formats)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(formats);
        Span<byte> start = stackalloc byte[Magic.Length + sizeof(ushort)];
        if (source.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) < start.Length || !start[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a StudyRecs recommender model (missing 'SRRM' header).");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(start[Magic.Length..]);
        if (version == 0 || version > FormatVersion)
        {
            throw new InvalidDataException($"Recommender model format version {version} is not supported (this build reads up to {FormatVersion}).");
        }

        string name;
        long length;
        uint checksum;
        using (var header = new BinaryReader(source, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            try
            {
                name = header.ReadString();
                length = header.ReadInt64();
                checksum = header.ReadUInt32();
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException("The recommender model ended early.", e);
            }
        }

        if (length < 0 || (source.CanSeek && length != source.Length - source.Position))
        {
            var holds = source.CanSeek ? (source.Length - source.Position).ToString(System.Globalization.CultureInfo.InvariantCulture) : "fewer";
            throw new InvalidDataException($"The '{name}' model is truncated or has trailing bytes: the header announces {length} payload bytes, the file holds {holds}.");
        }

        var payload = new ChecksumReadStream(source, length);
        using var reader = new PayloadReader(payload, formats);
        IRecommender model;
        try
        {
            model = ReadPayload(reader, name);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            // A damaged payload can fail anywhere in parsing; the checksum says whether damage is the cause.
            payload.Drain();
            if (!payload.EndedEarly && payload.Checksum != checksum)
            {
                throw new InvalidDataException($"The '{name}' model is corrupt: its checksum does not match.", e);
            }

            if (payload.EndedEarly)
            {
                throw new InvalidDataException($"The '{name}' model is truncated: the header announces {length} payload bytes, the stream ended after {payload.Position}.", e);
            }

            throw e as InvalidDataException ?? new InvalidDataException("The recommender model ended early.", e);
        }

        if (payload.Remaining != 0)
        {
            throw new InvalidDataException($"The '{name}' model has unread bytes after its payload.");
        }

        if (payload.Checksum != checksum)
        {
            throw new InvalidDataException($"The '{name}' model is corrupt: its checksum does not match.");
        }

        if (!source.CanSeek && source.ReadByte() != -1)
        {
            throw new InvalidDataException($"The '{name}' model has trailing bytes after its payload.");
        }

        return model;
    }

    internal static void WriteNested(BinaryWriter writer, IRecommender model)
    {
        writer.Write(model.Name);
        WritePayload(writer, model);
    }

    internal static IRecommender ReadNested(BinaryReader reader) => ReadPayload(reader, reader.ReadString());

    internal static void WritePayload(BinaryWriter writer, IRecommender model)
    {
        switch (model)
        {
            case PopularityRecommender m: m.WritePayload(writer); break;
            case ItemKnnRecommender m: m.WritePayload(writer); break;
            case EaseRecommender m: m.WritePayload(writer); break;
            case AlsRecommender m: m.WritePayload(writer); break;
            case ContentRecommender m: m.WritePayload(writer); break;
            case HybridRecommender m: m.WritePayload(writer); break;
            case FallbackRecommender m: m.WritePayload(writer); break;
            case RankerRecommender m: m.WritePayload(writer); break;
            case TwoTowerRecommender m: m.WritePayload(writer); break;
            default: throw new NotSupportedException($"Recommender '{model.Name}' ({model.GetType().Name}) cannot be serialised.");
        }
    }

    private static IRecommender ReadPayload(BinaryReader reader, string name) => name switch
    {
        "popularity" => PopularityRecommender.ReadPayload(reader),
        "itemknn" => ItemKnnRecommender.ReadPayload(reader),
        "ease" => EaseRecommender.ReadPayload(reader),
        "als" => AlsRecommender.ReadPayload(reader),
        "content" => ContentRecommender.ReadPayload(reader),
        "hybrid" => HybridRecommender.ReadPayload(reader),
        "fallback" => FallbackRecommender.ReadPayload(reader),
        RankerRecommender.EngineName or RankerRecommender.FastTreeName => RankerRecommender.ReadPayload(reader, name, (reader as PayloadReader)?.Formats ?? ModelFormats.Engine),
        "two-tower" => TwoTowerRecommender.ReadPayload(reader),
        _ => throw new InvalidDataException($"Unknown recommender model kind '{name}'."),
    };
}

/// <summary>A model measured for serialisation (<see cref="RecommenderSerializer.Prepare"/>): its exact size, ready to be written.</summary>
public sealed class PreparedRecommender
{
    private readonly IRecommender _model;
    private readonly byte[] _header;
    private readonly long _payloadLength;
    private readonly uint _checksum;

    internal PreparedRecommender(IRecommender model, byte[] header, long payloadLength, uint checksum)
    {
        _model = model;
        _header = header;
        _payloadLength = payloadLength;
        _checksum = checksum;
    }

    /// <summary>The serialised model's size in bytes, header included.</summary>
    public long Length => _header.Length + _payloadLength;

    /// <summary>The model as an array of exactly <see cref="Length"/> bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        using var destination = new MemoryStream(bytes, writable: true);
        WriteTo(destination);
        return bytes;
    }

    /// <summary>Writes the model (<see cref="Length"/> bytes) to <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidOperationException">The model wrote other bytes than when it was measured.</exception>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(_header);
        var payload = new MeasuringStream(destination);
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            RecommenderSerializer.WritePayload(writer, _model);
        }

        // A payload writer that wrote different bytes the second time would leave a model that fails its checksum.
        if (payload.Length != _payloadLength || payload.Checksum != _checksum)
        {
            throw new InvalidOperationException($"The '{_model.Name}' model did not serialise to the same bytes twice.");
        }
    }
}

/// <summary>CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320).</summary>
/// <summary>A payload's reader, with the model formats a learned ranker's model may be in.</summary>
internal sealed class PayloadReader(Stream payload, ModelFormats formats) : BinaryReader(payload, System.Text.Encoding.UTF8, leaveOpen: true)
{
    public ModelFormats Formats { get; } = formats;
}

internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    /// <summary>Continues a running (not yet complemented) CRC over more bytes; start from 0xFFFFFFFF, complement at the end.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var c = i;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}

/// <summary>
/// A write-only stream that keeps the length and the CRC-32 of what was written, and passes the bytes on to
/// <paramref name="inner"/> (or nowhere).
/// </summary>
internal sealed class MeasuringStream(Stream? inner = null) : Stream
{
    private uint _crc = 0xFFFFFFFFu;
    private long _length;

    public uint Checksum => ~_crc;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner?.Write(buffer);
        _crc = Crc32.Update(_crc, buffer);
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => inner?.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// Reads at most <paramref name="length"/> bytes of <paramref name="inner"/> and keeps their CRC-32. Its length is the
/// declared one, so length checks of the payload readers work on streams that cannot seek.
/// </summary>
internal sealed class ChecksumReadStream(Stream inner, long length) : Stream
{
    private uint _crc = 0xFFFFFFFFu;
    private long _read;

    public uint Checksum => ~_crc;

    public long Remaining => length - _read;

    /// <summary>True when the inner stream ended before the declared length.</summary>
    public bool EndedEarly { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length > Remaining)
        {
            buffer = buffer[..(int)Remaining];
        }

        var n = inner.Read(buffer);
        if (n == 0 && !buffer.IsEmpty)
        {
            EndedEarly = true;
        }

        _crc = Crc32.Update(_crc, buffer[..n]);
        _read += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Reads what is left of the declared length (to complete the checksum).</summary>
    public void Drain()
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (Remaining > 0 && Read(scratch) > 0)
        {
        }
    }

    public override void Flush()
    {
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
