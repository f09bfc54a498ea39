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

    /// <summary>Serialises a fitted model (any recommender of this namespace, including hybrids and fallback chains).</summary>
    public static byte[] Serialize(IRecommender model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var payloadStream = new MemoryStream();
        using (var payloadWriter = new BinaryWriter(payloadStream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            WritePayload(payloadWriter, model);
        }

        var payload = payloadStream.GetBuffer().AsSpan(0, (int)payloadStream.Length);
        using var output = new MemoryStream(payload.Length + 64);
        using (var writer = new BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(model.Name);
            writer.Write((long)payload.Length);
            writer.Write(Crc32.Compute(payload));
            writer.Write(payload);
        }

        return output.ToArray();
    }

    /// <summary>Reads a model written by <see cref="Serialize"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a model, are from a newer format, truncated or corrupt.</exception>
    public static IRecommender Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Magic.Length + sizeof(ushort) || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a StudyRecs recommender model (missing 'SRRM' header).");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[Magic.Length..]);
        if (version == 0 || version > FormatVersion)
        {
            throw new InvalidDataException($"Recommender model format version {version} is not supported (this build reads up to {FormatVersion}).");
        }

        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
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

            if (Crc32.Compute(bytes[start..]) != checksum)
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

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
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
