namespace StudyRecs.Core.Datasets.Reading;

/// <summary>
/// Read-only view of an upload that replays the already-sniffed first bytes, then continues with the rest of the
/// source, counting every byte and stopping with a clear problem once the size limit is passed.
/// </summary>
internal sealed class UploadStream(byte[] prefix, int prefixLength, int skip, Stream source, long maxBytes) : Stream
{
    private int _prefixPos = skip;

    /// <summary>Bytes taken from the upload so far, sniffed prefix included.</summary>
    public long BytesRead { get; private set; } = prefixLength;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefixPos < prefixLength)
        {
            var n = Math.Min(buffer.Length, prefixLength - _prefixPos);
            prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
            _prefixPos += n;
            return n;
        }

        return Count(source.Read(buffer));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefixPos < prefixLength)
        {
            return Read(buffer.Span);
        }

        return Count(await source.ReadAsync(buffer, cancellationToken));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Copies the whole upload into memory (workbooks need a seekable stream), within the size limit.</summary>
    public async Task<MemoryStream> BufferAsync(CancellationToken cancellationToken)
    {
        var memory = new MemoryStream();
        await CopyToAsync(memory, 81920, cancellationToken);
        memory.Position = 0;
        return memory;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        BytesRead += read;
        if (BytesRead > maxBytes)
        {
            throw new DatasetFileException(DatasetRules.FileTooLarge, TooLargeMessage(maxBytes));
        }

        return read;
    }

    public static string TooLargeMessage(long maxBytes) =>
        $"The file is larger than the upload limit of {maxBytes / (1024.0 * 1024):0.#} MB.";
}
