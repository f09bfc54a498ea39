using System.Runtime.CompilerServices;

namespace StudyRecs.Learning.Objectives;

/// <summary>Regression: ½(s − y)², gradient s − y, hessian 1.</summary>
internal sealed class SquaredErrorObjective(float[] labels) : IObjective
{
    public int OutputCount => 1;

    public bool ConstantHessian => true;

    public double[] InitialScores()
    {
        double sum = 0;
        foreach (var y in labels)
        {
            sum += y;
        }

        return [labels.Length == 0 ? 0 : sum / labels.Length];
    }

    public void ComputeGradients(double[] scores, float[] gradients, float[] hessians, ParallelOptions parallel)
    {
        var n = labels.Length;
        Parallel.For(0, Chunks.Count(n), parallel, c =>
        {
            var (from, to) = Chunks.Range(c, n);
            Gradients(scores.AsSpan(from, to - from), labels.AsSpan(from, to - from), gradients.AsSpan(from, to - from));
            hessians.AsSpan(from, to - from).Fill(1f);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gradients(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, Span<float> gradients)
    {
        for (var i = 0; i < gradients.Length; i++)
        {
            gradients[i] = (float)(scores[i] - labels[i]);
        }
    }
}
