namespace StudyRecs.Learning.Objectives;

/// <summary>
/// Multiclass cross-entropy on softmax probabilities: for class k, gradient p_k − y_k and hessian
/// K/(K−1)·p_k(1 − p_k), one tree per class and round.
/// </summary>
internal sealed class SoftmaxObjective : IObjective
{
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
        var k = _classes;
        var factor = k / (k - 1.0);
        Parallel.For(0, Chunks.Count(n), parallel, c =>
        {
            var (from, to) = Chunks.Range(c, n);
            Span<double> p = stackalloc double[k];
            for (var i = from; i < to; i++)
            {
                var max = double.NegativeInfinity;
                for (var j = 0; j < k; j++)
                {
                    max = Math.Max(max, scores[(j * n) + i]);
                }

                double sum = 0;
                for (var j = 0; j < k; j++)
                {
                    p[j] = Math.Exp(scores[(j * n) + i] - max);
                    sum += p[j];
                }

                var label = (int)_labels[i];
                for (var j = 0; j < k; j++)
                {
                    var pj = p[j] / sum;
                    gradients[(j * n) + i] = (float)(pj - (j == label ? 1 : 0));
                    hessians[(j * n) + i] = (float)Math.Max(factor * pj * (1 - pj), 1e-16);
                }
            }
        });
    }
}
