using System.Runtime.InteropServices;

namespace StudyRecs.Learning.Recommend;

/// <summary>Length-prefixed arrays in model payloads; reads refuse lengths the remaining bytes cannot hold.</summary>
internal static class ModelBinary
{
    public static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    public static void WriteInts(BinaryWriter writer, ReadOnlySpan<int> values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    public static float[] ReadFloats(BinaryReader reader)
    {
        var values = new float[ReadLength(reader, sizeof(float))];
        ReadExactly(reader, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public static int[] ReadInts(BinaryReader reader)
    {
        var values = new int[ReadLength(reader, sizeof(int))];
        ReadExactly(reader, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public static int ReadCount(BinaryReader reader, int max)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > max)
        {
            throw new InvalidDataException($"The model payload holds an invalid count {count}.");
        }

        return count;
    }

    private static int ReadLength(BinaryReader reader, int elementSize)
    {
        var length = reader.ReadInt32();
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        if (length < 0 || (long)length * elementSize > remaining)
        {
            throw new InvalidDataException($"The model payload declares {length} values but only {remaining} bytes remain.");
        }

        return length;
    }

    private static void ReadExactly(BinaryReader reader, Span<byte> destination)
    {
        // Streams other than memory (a database blob) may return fewer bytes than asked per read.
        while (!destination.IsEmpty)
        {
            var n = reader.Read(destination);
            if (n == 0)
            {
                throw new InvalidDataException("The model payload ended early.");
            }

            destination = destination[n..];
        }
    }
}
