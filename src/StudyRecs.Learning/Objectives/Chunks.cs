namespace StudyRecs.Learning.Objectives;

/// <summary>Fixed-size row chunks for parallel element-wise passes (results independent of threads).</summary>
internal static class Chunks
{
    public const int Size = 16_384;

    public static int Count(int rows) => (rows + Size - 1) / Size;

    public static (int From, int To) Range(int chunk, int rows) => (chunk * Size, Math.Min(rows, (chunk + 1) * Size));
}
