using System.Buffers.Binary;

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
    /// Serialises a fitted model (any recommender of this namespace, including hybrids and fallback chains). The payload
    /// is written twice, once to measure it and take its checksum, once into an array of exactly the model's size: a
    /// model of hundreds of megabytes (EASE's dense matrix) costs its own size in memory, not the three to four times
    /// that growing buffers and copies would.
    /// </summary>
    public static byte[] Serialize(IRecommender model)
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

        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)(header.Length + measure.Length)));
        header.GetBuffer().AsSpan(0, (int)header.Length).CopyTo(bytes);
        using var payload = new MemoryStream(bytes, (int)header.Length, (int)measure.Length, writable: true);
        using (var payloadWriter = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            WritePayload(payloadWriter, model);
        }

        // A model that wrote different bytes the second time (a bug in a payload writer) would fail its checksum later.
        if (payload.Position != measure.Length || Crc32.Compute(bytes.AsSpan((int)header.Length)) != measure.Checksum)
        {
            throw new InvalidOperationException($"The '{model.Name}' model did not serialise to the same bytes twice.");
        }

        return bytes;
    }

    /// <summary>Reads a model written by <see cref="Serialize"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a model, are from a newer format, truncated or corrupt.</exception>
    public static IRecommender Deserialize(ReadOnlySpan<byte> bytes) => Deserialize(bytes.ToArray());

    /// <summary>Reads a model written by <see cref="Serialize"/> without copying <paramref name="bytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a model, are from a newer format, truncated or corrupt.</exception>
    public static IRecommender Deserialize(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < Magic.Length + sizeof(ushort) || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a StudyRecs recommender model (missing 'SRRM' header).");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(Magic.Length));
        if (version == 0 || version > FormatVersion)
        {
            throw new InvalidDataException($"Recommender model format version {version} is not supported (this build reads up to {FormatVersion}).");
        }

        using var stream = new MemoryStream(bytes, writable: false);
        using var reader = new BinaryReader(stream);
        stream.Position = Magic.Length + sizeof(ushort);
        try
        {
            var name = reader.ReadString();
            var length = reader.ReadInt64();
            var checksum = reader.ReadUInt32();
            var start = (int)stream.Position;
            if (length != bytes.Length - start)
            {
                throw new InvalidDataException($"The '{name}' model is truncated or has trailing bytes: the header announces {length} payload bytes, the file holds {bytes.Length - start}.");
            }

            if (Crc32.Compute(bytes.AsSpan(start)) != checksum)
            {
                throw new InvalidDataException($"The '{name}' model is corrupt: its checksum does not match.");
            }

            var model = ReadPayload(reader, name);
            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException($"The '{name}' model has unread bytes after its payload.");
            }

            return model;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The recommender model ended early.", e);
        }
    }

    internal static void WriteNested(BinaryWriter writer, IRecommender model)
    {
        writer.Write(model.Name);
        WritePayload(writer, model);
    }

    internal static IRecommender ReadNested(BinaryReader reader) => ReadPayload(reader, reader.ReadString());

    private static void WritePayload(BinaryWriter writer, IRecommender model)
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
        "ranker" => RankerRecommender.ReadPayload(reader),
        _ => throw new InvalidDataException($"Unknown recommender model kind '{name}'."),
    };
}

/// <summary>CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320).</summary>
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

/// <summary>A write-only stream that keeps nothing but the length and the CRC-32 of what was written.</summary>
internal sealed class MeasuringStream : Stream
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
        _crc = Crc32.Update(_crc, buffer);
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
