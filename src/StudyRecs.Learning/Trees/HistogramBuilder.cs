using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace StudyRecs.Learning.Trees;

/// <summary>
/// Accumulates per-bin gradient sums, hessian sums and counts over a leaf's rows, for a group
/// of features at once. Rows are visited once each in leaf order; a row's bins for the group sit
/// in one cache line of the row-major bin matrix, and each bin's (gradient, hessian, count)
/// update is a single 32-byte vector add. Within every bin, rows are summed in leaf order, so
/// the sums do not depend on how features are grouped over threads.
/// </summary>
internal static unsafe class HistogramBuilder
{
    /// <summary>How many rows ahead a leaf's row bins and gradients are prefetched.</summary>
    private const int PrefetchRows = 16;

    /// <summary>
    /// Histograms of <paramref name="features"/> over <paramref name="rows"/> (all rows in order
    /// when <paramref name="allRows"/>), cleared first.
    /// </summary>
    /// <param name="rowBins">Row-major bins, <paramref name="stride"/> bytes per row.</param>
    /// <param name="stride">Features per row.</param>
    /// <param name="features">Features to build.</param>
    /// <param name="binOffsets">Start of each feature's bins in the histogram (indexed by feature).</param>
    /// <param name="rows">The leaf's rows, ascending.</param>
    /// <param name="allRows">True to use rows 0..n−1 (the root without bagging) and ignore <paramref name="rows"/>.</param>
    /// <param name="gradients">Gradients of all rows.</param>
    /// <param name="hessians">Hessians of all rows.</param>
    /// <param name="constantHessian">True when every hessian equals the first: hessian sums are set to count × hessian.</param>
    /// <param name="hist">The leaf's whole histogram (every feature's bins, <see cref="SplitFinder.Slots"/> per bin).</param>
    public static void Build(
        ReadOnlySpan<byte> rowBins,
        int stride,
        ReadOnlySpan<int> features,
        ReadOnlySpan<int> binOffsets,
        ReadOnlySpan<int> rows,
        bool allRows,
        ReadOnlySpan<float> gradients,
        ReadOnlySpan<float> hessians,
        bool constantHessian,
        Span<double> hist)
    {
        var m = features.Length;
        Span<int> columns = stackalloc int[m];
        Span<int> starts = stackalloc int[m];
        for (var j = 0; j < m; j++)
        {
            var f = features[j];
            columns[j] = f;
            starts[j] = binOffsets[f] * SplitFinder.Slots;
            hist.Slice(starts[j], (binOffsets[f + 1] - binOffsets[f]) * SplitFinder.Slots).Clear();
        }

        var n = allRows ? gradients.Length : rows.Length;
        fixed (byte* b = rowBins)
        fixed (int* r = rows)
        fixed (float* g = gradients)
        fixed (float* h = hessians)
        fixed (double* o = hist)
        fixed (int* column = columns)
        fixed (int* start = starts)
        {
            for (var i = 0; i < n; i++)
            {
                var row = allRows ? i : r[i];

                // A leaf's rows are scattered: fetch a later row's bins and gradients while this one is added.
                if (!allRows && Sse.IsSupported && i + PrefetchRows < n)
                {
                    var ahead = r[i + PrefetchRows];
                    Sse.Prefetch0(b + ((long)ahead * stride));
                    Sse.Prefetch0(g + ahead);
                    Sse.Prefetch0(h + ahead);
                }

                var update = Vector256.Create((double)g[row], h[row], 1, 0);
                var bins = b + ((long)row * stride);
                for (var j = 0; j < m; j++)
                {
                    var slot = o + start[j] + (bins[column[j]] * SplitFinder.Slots);
                    Vector256.Store(Vector256.Load(slot) + update, slot);
                }
            }
        }

        if (constantHessian && !hessians.IsEmpty)
        {
            var hessian = hessians[0];
            for (var j = 0; j < m; j++)
            {
                var f = columns[j];
                var end = binOffsets[f + 1] * SplitFinder.Slots;
                for (var i = starts[j]; i < end; i += SplitFinder.Slots)
                {
                    hist[i + 1] = hist[i + 2] * hessian;
                }
            }
        }
    }

    /// <summary>The larger child's histogram: parent minus the smaller child, in place in the parent.</summary>
    public static void Subtract(Span<double> parentBecomesLarger, ReadOnlySpan<double> smaller)
    {
        System.Numerics.Tensors.TensorPrimitives.Subtract(parentBecomesLarger, smaller, parentBecomesLarger);
    }
}
