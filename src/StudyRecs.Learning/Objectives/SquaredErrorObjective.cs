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
            for (var i = from; i < to; i++)
            {
                gradients[i] = (float)(scores[i] - labels[i]);
            }

            hessians.AsSpan(from, to - from).Fill(1f);
        });
    }
}
