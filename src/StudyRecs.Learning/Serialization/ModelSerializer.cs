using System.Security.Cryptography;
using System.Text;
using StudyRecs.Learning.Calibration;
using StudyRecs.Learning.Data;
using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning.Serialization;

/// <summary>
/// The model file format: magic "SRTM", format version (int32), payload length (int64), payload,
/// SHA-256 of the payload. The payload holds the task, algorithm, output transform, feature schema
/// with bin boundaries, class labels, initial scores, trees, calibration, training options and
/// metadata. Reading refuses anything that does not check out rather than risk wrong predictions.
/// </summary>
internal static class ModelSerializer
{
    private static ReadOnlySpan<byte> Magic => "SRTM"u8;

    private const int HeaderLength = 16;
    private const int ChecksumLength = 32;
    private const long MaximumPayload = int.MaxValue - 64;

    public static void Write(TreeEnsembleModel model, Stream stream) =>
        WriteFramed(stream, Magic, EngineInfo.FormatVersion, w => WritePayload(model, w));

    public static TreeEnsembleModel Read(Stream stream) =>
        ReadFramed(stream, Magic, EngineInfo.FormatVersion, "a StudyRecs tree model", (r, _) => ReadPayload(r));

    /// <summary>
    /// Writes a framed file: <paramref name="magic"/> (4 bytes), <paramref name="version"/> (int32), payload length
    /// (int64), the payload <paramref name="writePayload"/> writes, SHA-256 of the payload. Every model format of the
    /// project is framed this way.
    /// </summary>
    internal static void WriteFramed(Stream stream, ReadOnlySpan<byte> magic, int version, Action<BinaryWriter> writePayload)
    {
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writePayload(w);
        }

        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        Span<byte> header = stackalloc byte[HeaderLength];
        magic.CopyTo(header);
        BitConverter.TryWriteBytes(header[4..], version);
        BitConverter.TryWriteBytes(header[8..], payload.Length);
        stream.Write(header);
        stream.Write(bytes);
        stream.Write(SHA256.HashData(bytes));
    }

    /// <summary>
    /// Reads a file <see cref="WriteFramed"/> wrote, refusing a wrong signature, a newer or invalid version, a truncated
    /// file or a checksum mismatch; <paramref name="readPayload"/> gets the payload and its version and must read all of it.
    /// </summary>
    internal static T ReadFramed<T>(Stream stream, ReadOnlySpan<byte> magic, int newestVersion, string what, Func<BinaryReader, int, T> readPayload)
    {
        var header = new byte[HeaderLength];
        if (ReadFully(stream, header) < HeaderLength)
        {
            throw new ModelFormatException("The model file is truncated: its header is incomplete.");
        }

        if (!header.AsSpan(0, 4).SequenceEqual(magic))
        {
            throw new ModelFormatException($"The data is not {what} (wrong file signature).");
        }

        var version = BitConverter.ToInt32(header, 4);
        if (version > newestVersion)
        {
            throw new ModelFormatException($"The model was written in format version {version} by a newer engine; this engine reads versions up to {newestVersion}. Upgrade StudyRecs to load it.");
        }

        if (version < 1)
        {
            throw new ModelFormatException($"The model file declares an invalid format version {version}.");
        }

        var length = BitConverter.ToInt64(header, 8);
        if (length is < 0 or > MaximumPayload)
        {
            throw new ModelFormatException("The model file is corrupt: its declared length is impossible.");
        }

        var payload = new byte[length];
        var checksum = new byte[ChecksumLength];
        if (ReadFully(stream, payload) < length || ReadFully(stream, checksum) < ChecksumLength)
        {
            throw new ModelFormatException("The model file is truncated.");
        }

        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(checksum))
        {
            throw new ModelFormatException("The model file is corrupt: its checksum does not match its contents.");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
            var model = readPayload(reader, version);
            if (reader.BaseStream.Position != payload.Length)
            {
                throw new ModelFormatException("The model file is corrupt: unexpected data after the model.");
            }

            return model;
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or IOException or DecoderFallbackException or OverflowException or IndexOutOfRangeException)
        {
            throw new ModelFormatException("The model file is corrupt: " + ex.Message, ex);
        }
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static void WritePayload(TreeEnsembleModel model, BinaryWriter w)
    {
        w.Write((int)model.Task);
        w.Write(model.Algorithm);
        w.Write((int)model.Transform);
        w.Write(model.FeatureCount);
        for (var f = 0; f < model.FeatureCount; f++)
        {
            w.Write(model.FeatureNames[f]);
            var bounds = model.Bins[f].UpperBounds;
            w.Write(bounds.Length);
            foreach (var b in bounds)
            {
                w.Write(b);
            }
        }

        w.Write(model.ClassLabels.Count);
        foreach (var label in model.ClassLabels)
        {
            w.Write(label);
        }

        w.Write(model.OutputCount);
        foreach (var s in model.InitialScores)
        {
            w.Write(s);
        }

        w.Write(model.Trees.Length);
        foreach (var tree in model.Trees)
        {
            w.Write(tree.Nodes.Length);
            for (var i = 0; i < tree.Nodes.Length; i++)
            {
                var n = tree.Nodes[i];
                w.Write(n.Feature);
                w.Write(n.Threshold);
                w.Write(n.Left);
                w.Write(n.Right);
                w.Write(n.MissingGoesLeft);
                w.Write(tree.NodeCovers[i]);
                w.Write(tree.SplitGains[i]);
            }

            for (var i = 0; i < tree.LeafCount; i++)
            {
                w.Write(tree.LeafValues[i]);
                w.Write(tree.LeafCovers[i]);
            }
        }

        WriteCalibrator(w, model.Calibrator);
        WriteDictionary(w, model.TrainingOptions);
        WriteDictionary(w, model.Metadata);
    }

    private static TreeEnsembleModel ReadPayload(BinaryReader r)
    {
        var task = (LearningTask)r.ReadInt32();
        Check(Enum.IsDefined(task), "unknown task");
        var algorithm = r.ReadString();
        var transform = (OutputTransform)r.ReadInt32();
        Check(Enum.IsDefined(transform), "unknown output transform");
        var featureCount = Count(r);
        var names = new string[featureCount];
        var bins = new FeatureBins[featureCount];
        for (var f = 0; f < featureCount; f++)
        {
            names[f] = r.ReadString();
            var bounds = new float[Count(r)];
            for (var i = 0; i < bounds.Length; i++)
            {
                bounds[i] = r.ReadSingle();
            }

            bins[f] = new FeatureBins(bounds);
        }

        var classLabels = new string[Count(r)];
        for (var i = 0; i < classLabels.Length; i++)
        {
            classLabels[i] = r.ReadString();
        }

        var outputs = Count(r);
        Check(outputs >= 1, "no outputs");
        var initial = new double[outputs];
        for (var i = 0; i < outputs; i++)
        {
            initial[i] = r.ReadDouble();
        }

        var trees = new RegressionTree[Count(r)];
        for (var t = 0; t < trees.Length; t++)
        {
            trees[t] = ReadTree(r, featureCount);
        }

        var calibrator = ReadCalibrator(r);
        var options = ReadDictionary(r);
        var metadata = ReadDictionary(r);
        var model = new TreeEnsembleModel(task, algorithm, transform, initial, trees, bins, names, classLabels, null, options, metadata);
        return calibrator is null ? model : model.WithCalibrator(calibrator);
    }

    private static RegressionTree ReadTree(BinaryReader r, int featureCount)
    {
        var nodeCount = Count(r);
        var nodes = new TreeNode[nodeCount];
        var covers = new double[nodeCount];
        var gains = new double[nodeCount];
        var leafCount = nodeCount + 1;
        for (var i = 0; i < nodeCount; i++)
        {
            var feature = r.ReadInt32();
            var threshold = r.ReadSingle();
            var left = r.ReadInt32();
            var right = r.ReadInt32();
            var missingLeft = r.ReadBoolean();
            Check(feature >= 0 && feature < featureCount, "a split uses an unknown feature");
            Check(!float.IsNaN(threshold), "a split threshold is not a number");
            // Children are numbered after their parent, which rules out cycles.
            Check(left > i || (left < 0 && ~left < leafCount), "a tree has an invalid child");
            Check(right > i || (right < 0 && ~right < leafCount), "a tree has an invalid child");
            Check(left < nodeCount && right < nodeCount, "a tree has an invalid child");
            nodes[i] = new TreeNode(feature, threshold, left, right, missingLeft);
            covers[i] = r.ReadDouble();
            gains[i] = r.ReadDouble();
        }

        var values = new double[leafCount];
        var leafCovers = new double[leafCount];
        for (var i = 0; i < leafCount; i++)
        {
            values[i] = r.ReadDouble();
            leafCovers[i] = r.ReadDouble();
            Check(double.IsFinite(values[i]), "a leaf value is not finite");
        }

        return new RegressionTree(nodes, values, covers, leafCovers, gains);
    }

    internal static void WriteCalibrator(BinaryWriter w, ProbabilityCalibrator? calibrator)
    {
        switch (calibrator)
        {
            case null:
                w.Write((byte)0);
                break;
            case PlattCalibrator platt:
                w.Write((byte)1);
                w.Write(platt.Slope);
                w.Write(platt.Intercept);
                break;
            case TemperatureCalibrator temperature:
                w.Write((byte)2);
                w.Write(temperature.Temperature);
                w.Write(temperature.ClassCount);
                break;
            default:
                throw new NotSupportedException($"Cannot save calibrator {calibrator.GetType().Name}.");
        }
    }

    internal static ProbabilityCalibrator? ReadCalibrator(BinaryReader r) => r.ReadByte() switch
    {
        0 => null,
        1 => new PlattCalibrator(r.ReadDouble(), r.ReadDouble()),
        2 => new TemperatureCalibrator(r.ReadDouble(), r.ReadInt32()),
        var kind => throw new ModelFormatException($"The model file is corrupt: unknown calibrator kind {kind}."),
    };

    internal static void WriteDictionary(BinaryWriter w, IReadOnlyDictionary<string, string> values)
    {
        var keys = values.Keys.Order(StringComparer.Ordinal).ToArray();
        w.Write(keys.Length);
        foreach (var key in keys)
        {
            w.Write(key);
            w.Write(values[key]);
        }
    }

    internal static Dictionary<string, string> ReadDictionary(BinaryReader r)
    {
        var count = Count(r);
        var result = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            result[r.ReadString()] = r.ReadString();
        }

        return result;
    }

    internal static int Count(BinaryReader r)
    {
        var count = r.ReadInt32();
        Check(count >= 0 && count <= r.BaseStream.Length - r.BaseStream.Position + 1, "a count is impossible");
        return count;
    }

    internal static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new ModelFormatException($"The model file is corrupt: {what}.");
        }
    }
}
