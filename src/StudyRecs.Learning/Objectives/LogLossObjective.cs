using System.Runtime.CompilerServices;

namespace StudyRecs.Learning.Objectives;

/// <summary>Binary classification: log loss on p = σ(s); gradient p − y, hessian p(1 − p).</summary>
internal sealed class LogLossObjective(float[] labels) : IObjective
{
    public int OutputCount => 1;

    public bool ConstantHessian => false;

    public double[] InitialScores()
    {
        double positives = 0;
        foreach (var y in labels)
        {
            positives += y;
        }

        var p = Math.Clamp(positives / Math.Max(1, labels.Length), 1e-6, 1 - 1e-6);
        return [Math.Log(p / (1 - p))];
    }

    public void ComputeGradients(double[] scores, float[] gradients, float[] hessians, ParallelOptions parallel)
    {
        var n = labels.Length;
        Parallel.For(0, Chunks.Count(n), parallel, c =>
        {
            var (from, to) = Chunks.Range(c, n);
            Derivatives(scores.AsSpan(from, to - from), labels.AsSpan(from, to - from), gradients.AsSpan(from, to - from), hessians.AsSpan(from, to - from));
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Derivatives(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, Span<float> gradients, Span<float> hessians)
    {
        for (var i = 0; i < gradients.Length; i++)
        {
            var p = 1.0 / (1.0 + Math.Exp(-scores[i]));
            gradients[i] = (float)(p - labels[i]);
            hessians[i] = (float)Math.Max(p * (1 - p), 1e-16);
        }
    }
}
