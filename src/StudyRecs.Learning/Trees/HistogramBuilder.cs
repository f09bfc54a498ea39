using System.Buffers;
using System.Runtime.CompilerServices;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        if (constantHessian && !hessians.IsEmpty)
        {
            BuildConstantHessian(rowBins, stride, columns, starts, binOffsets, rows, allRows, n, gradients, hessians[0], hist);
            return;
        }

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
    }

    /// <summary>
    /// With one hessian for every row (squared error), only (gradient, count) pairs are summed,
    /// 16 bytes a bin in a compact scratch histogram: half the memory of the full layout, so a
    /// thread's feature group stays in L1. Every feature of the group gets the same number of bins
    /// there, so a row's updates are four features at a time at fixed distances, with no per-feature
    /// offset to look up. The full histogram is then filled with the same sums and hessian = count × hessian.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BuildConstantHessian(
        ReadOnlySpan<byte> rowBins,
        int stride,
        ReadOnlySpan<int> columns,
        ReadOnlySpan<int> starts,
        ReadOnlySpan<int> binOffsets,
        ReadOnlySpan<int> rows,
        bool allRows,
        int n,
        ReadOnlySpan<float> gradients,
        float hessian,
        Span<double> hist)
    {
        var m = columns.Length;
        var widest = 0;
        for (var j = 0; j < m; j++)
        {
            widest = Math.Max(widest, binOffsets[columns[j] + 1] - binOffsets[columns[j]]);
        }

        var featureStride = widest * 2;
        var total = featureStride * m;
        var scratch = ArrayPool<double>.Shared.Rent(total);
        var compact = scratch.AsSpan(0, total);
        compact.Clear();
        fixed (byte* b = rowBins)
        fixed (int* r = rows)
        fixed (float* g = gradients)
        fixed (double* o = compact)
        fixed (int* column = columns)
        {
            if (allRows)
            {
                for (var row = 0; row < n; row++)
                {
                    AddRow(o, featureStride, b + ((long)row * stride), column, m, g[row]);
                }
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    // A leaf's rows are scattered: fetch a later row's bins and gradient while this one is added.
                    if (Sse.IsSupported && i + PrefetchRows < n)
                    {
                        var ahead = r[i + PrefetchRows];
                        Sse.Prefetch0(b + ((long)ahead * stride));
                        Sse.Prefetch0(g + ahead);
                    }

                    var row = r[i];
                    AddRow(o, featureStride, b + ((long)row * stride), column, m, g[row]);
                }
            }
        }

        for (var j = 0; j < m; j++)
        {
            var source = compact[(j * featureStride)..];
            var target = hist[starts[j]..];
            var bins = binOffsets[columns[j] + 1] - binOffsets[columns[j]];
            for (var bin = 0; bin < bins; bin++)
            {
                var count = source[(bin * 2) + 1];
                target[bin * SplitFinder.Slots] = source[bin * 2];
                target[(bin * SplitFinder.Slots) + 1] = count * hessian;
                target[(bin * SplitFinder.Slots) + 2] = count;
            }
        }

        ArrayPool<double>.Shared.Return(scratch);
    }

    /// <summary>Adds (gradient, 1) to the bin of each of the <paramref name="m"/> features of one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(double* histogram, int featureStride, byte* bins, int* column, int m, float gradient)
    {
        var update = Vector128.Create((double)gradient, 1);
        var f0 = histogram;
        var j = 0;
        for (; j + 4 <= m; j += 4)
        {
            var f1 = f0 + featureStride;
            var f2 = f1 + featureStride;
            var f3 = f2 + featureStride;
            var s0 = f0 + (bins[column[j]] * 2);
            Vector128.Store(Vector128.Load(s0) + update, s0);
            var s1 = f1 + (bins[column[j + 1]] * 2);
            Vector128.Store(Vector128.Load(s1) + update, s1);
            var s2 = f2 + (bins[column[j + 2]] * 2);
            Vector128.Store(Vector128.Load(s2) + update, s2);
            var s3 = f3 + (bins[column[j + 3]] * 2);
            Vector128.Store(Vector128.Load(s3) + update, s3);
            f0 = f3 + featureStride;
        }

        for (; j < m; j++, f0 += featureStride)
        {
            var s = f0 + (bins[column[j]] * 2);
            Vector128.Store(Vector128.Load(s) + update, s);
        }
    }

    /// <summary>The larger child's histogram: parent minus the smaller child, in place in the parent.</summary>
    public static void Subtract(Span<double> parentBecomesLarger, ReadOnlySpan<double> smaller)
    {
        System.Numerics.Tensors.TensorPrimitives.Subtract(parentBecomesLarger, smaller, parentBecomesLarger);
    }
}
