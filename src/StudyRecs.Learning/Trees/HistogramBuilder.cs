namespace StudyRecs.Learning.Trees;

/// <summary>
/// Accumulates per-bin gradient sums, hessian sums and counts of one feature over a leaf's rows.
/// Gradients arrive already gathered in leaf order ("ordered gradients"), so the only random
/// access is to the feature's byte bins.
/// </summary>
internal static unsafe class HistogramBuilder
{
    /// <summary>Histogram over rows <paramref name="rows"/> (gradients ordered like the rows).</summary>
    public static void Build(ReadOnlySpan<byte> bins, ReadOnlySpan<int> rows, ReadOnlySpan<float> gradients, ReadOnlySpan<float> hessians, bool constantHessian, Span<double> hist)
    {
        hist.Clear();
        fixed (byte* b = bins)
        fixed (int* r = rows)
        fixed (float* g = gradients)
        fixed (float* h = hessians)
        fixed (double* o = hist)
        {
            var n = rows.Length;
            if (constantHessian)
            {
                for (var i = 0; i < n; i++)
                {
                    var slot = o + (b[r[i]] * SplitFinder.Slots);
                    slot[0] += g[i];
                    slot[2] += 1;
                }
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    var slot = o + (b[r[i]] * SplitFinder.Slots);
                    slot[0] += g[i];
                    slot[1] += h[i];
                    slot[2] += 1;
                }
            }
        }

        if (constantHessian)
        {
            FillConstantHessian(hessians.IsEmpty ? 1f : hessians[0], hist);
        }
    }

    /// <summary>Histogram over all rows in natural order (the root without bagging).</summary>
    public static void BuildAll(ReadOnlySpan<byte> bins, ReadOnlySpan<float> gradients, ReadOnlySpan<float> hessians, bool constantHessian, Span<double> hist)
    {
        hist.Clear();
        fixed (byte* b = bins)
        fixed (float* g = gradients)
        fixed (float* h = hessians)
        fixed (double* o = hist)
        {
            var n = bins.Length;
            if (constantHessian)
            {
                for (var i = 0; i < n; i++)
                {
                    var slot = o + (b[i] * SplitFinder.Slots);
                    slot[0] += g[i];
                    slot[2] += 1;
                }
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    var slot = o + (b[i] * SplitFinder.Slots);
                    slot[0] += g[i];
                    slot[1] += h[i];
                    slot[2] += 1;
                }
            }
        }

        if (constantHessian)
        {
            FillConstantHessian(hessians.IsEmpty ? 1f : hessians[0], hist);
        }
    }

    /// <summary>The larger child's histogram: parent minus the smaller child, in place in the parent.</summary>
    public static void Subtract(Span<double> parentBecomesLarger, ReadOnlySpan<double> smaller)
    {
        System.Numerics.Tensors.TensorPrimitives.Subtract(parentBecomesLarger, smaller, parentBecomesLarger);
    }

    private static void FillConstantHessian(float hessian, Span<double> hist)
    {
        for (var i = 0; i < hist.Length; i += SplitFinder.Slots)
        {
            hist[i + 1] = hist[i + 2] * hessian;
        }
    }
}
