namespace StudyRecs.Learning.Serialization;

/// <summary>One artifact format: the signature its files start with, and how to read one.</summary>
public interface IModelFormat
{
    /// <summary>The <see cref="IModel.Format"/> of the models it reads.</summary>
    string Name { get; }

    /// <summary>The bytes every file of this format starts with.</summary>
    ReadOnlyMemory<byte> Signature { get; }

    /// <summary>Reads a model; throws <see cref="ModelFormatException"/> for corrupt, truncated or newer files.</summary>
    IModel Read(Stream stream);
}

/// <summary>
/// The artifact formats a process can load, told apart by their signatures, so serving loads whatever library trained
/// the winner. Every format checks its own checksum and version.
/// </summary>
public sealed class ModelFormats
{
    private readonly IModelFormat[] _formats;

    /// <summary>Reads the given formats.</summary>
    public ModelFormats(params IEnumerable<IModelFormat> formats)
    {
        _formats = [.. formats];
        if (_formats.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() != _formats.Length)
        {
            throw new ArgumentException("Each format may be listed once.", nameof(formats));
        }
    }

    /// <summary>The engine's own tree ensembles only.</summary>
    public static ModelFormats Engine { get; } = new(TreeEnsembleFormat.Instance);

    /// <summary>These formats and <paramref name="format"/>.</summary>
    public ModelFormats With(IModelFormat format) => new([.. _formats, format]);

    /// <summary>Names of the formats read.</summary>
    public IEnumerable<string> Names => _formats.Select(f => f.Name);

    /// <summary>Reads a model of any listed format; throws <see cref="ModelFormatException"/> when none recognises it or it is invalid.</summary>
    public IModel Load(ReadOnlyMemory<byte> bytes)
    {
        foreach (var format in _formats)
        {
            if (bytes.Span.StartsWith(format.Signature.Span))
            {
                using var stream = new MemoryStream(bytes.ToArray(), writable: false);
                return format.Read(stream);
            }
        }

        throw new ModelFormatException($"The data is not a model of a known format ({string.Join(", ", Names)}): its signature matches none.");
    }

    /// <summary>The engine's tree ensembles ("SRTM" files).</summary>
    private sealed class TreeEnsembleFormat : IModelFormat
    {
        public static readonly TreeEnsembleFormat Instance = new();

        public string Name => EngineInfo.TreeFormat;

        public ReadOnlyMemory<byte> Signature { get; } = "SRTM"u8.ToArray();

        public IModel Read(Stream stream) => TreeEnsembleModel.Load(stream);
    }
}
