using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace StudyRecs.Learning.Objectives;

/// <summary>
/// Multiclass cross-entropy on softmax probabilities: for class k, gradient p_k − y_k and hessian
/// K/(K−1)·p_k(1 − p_k), one tree per class and round.
/// </summary>
internal sealed class SoftmaxObjective : IObjective
{
    /// <summary>Rows whose softmax is computed together (a few vectors' worth per class, in L1).</summary>
    private const int SoftmaxRun = 512;

    private readonly float[] _labels;
    private readonly int _classes;

    public SoftmaxObjective(float[] labels, int classes)
    {
        _labels = labels;
        _classes = classes;
    }

    public int OutputCount => _classes;

    public bool ConstantHessian => false;

    public double[] InitialScores()
    {
        var counts = new double[_classes];
        foreach (var y in _labels)
        {
            counts[(int)y]++;
        }

        var scores = new double[_classes];
        for (var k = 0; k < _classes; k++)
        {
            scores[k] = Math.Log(Math.Max(counts[k], 1e-3) / Math.Max(1, _labels.Length));
        }

        return scores;
    }

    public void ComputeGradients(double[] scores, float[] gradients, float[] hessians, ParallelOptions parallel)
    {
        var n = _labels.Length;

        // Class-major scores make each class of a run of rows one contiguous span, so the max,
        // exponentials and sums run as vector operations across rows. Runs sit at fixed offsets
        // inside fixed chunks: results do not depend on the thread count.
        Parallel.For(0, Chunks.Count(n), parallel, c =>
        {
            var (from, to) = Chunks.Range(c, n);
            ComputeChunk(scores, gradients, hessians, from, to);
        });
    }

    /// <summary>Gradients and hessians of rows [from, to), in runs of <see cref="SoftmaxRun"/> rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeChunk(double[] scores, float[] gradients, float[] hessians, int from, int to)
    {
        var n = _labels.Length;
        var k = _classes;
        var factor = k / (k - 1.0);
        var buffer = ArrayPool<double>.Shared.Rent((k + 2) * SoftmaxRun);
        for (var start = from; start < to; start += SoftmaxRun)
        {
            var length = Math.Min(SoftmaxRun, to - start);
            var max = buffer.AsSpan(0, length);
            var sum = buffer.AsSpan(SoftmaxRun, length);
            scores.AsSpan(start, length).CopyTo(max);
            for (var j = 1; j < k; j++)
            {
                TensorPrimitives.Max(max, scores.AsSpan((j * n) + start, length), max);
            }

            sum.Clear();
            for (var j = 0; j < k; j++)
            {
                var e = buffer.AsSpan((j + 2) * SoftmaxRun, length);
                TensorPrimitives.Subtract(scores.AsSpan((j * n) + start, length), max, e);
                TensorPrimitives.Exp(e, e);
                TensorPrimitives.Add(sum, e, sum);
            }

            for (var j = 0; j < k; j++)
            {
                var e = buffer.AsSpan((j + 2) * SoftmaxRun, length);
                var g = gradients.AsSpan((j * n) + start, length);
                var h = hessians.AsSpan((j * n) + start, length);
                for (var i = 0; i < length; i++)
                {
                    var pj = e[i] / sum[i];
                    g[i] = (float)(pj - (_labels[start + i] == j ? 1 : 0));
                    h[i] = (float)Math.Max(factor * pj * (1 - pj), 1e-16);
                }
            }
        }

        ArrayPool<double>.Shared.Return(buffer);
    }
}
