namespace StudyRecs.Learning.Objectives;

/// <summary>
/// LambdaMART (Burges, MSR-TR-2010-82): for each pair of rows in a query group with different
/// relevance, a RankNet gradient weighted by |ΔNDCG@k| of swapping the two, where at least one
/// of them ranks within the top k.
/// </summary>
internal sealed class LambdaRankObjective : IObjective
{
    private readonly float[] _labels;
    private readonly int[] _bounds;
    private readonly int _truncation;
    private readonly double[] _inverseIdealDcg;

    public LambdaRankObjective(float[] labels, int[] groups, int truncation)
    {
        _labels = labels;
        _bounds = QueryGroups.Bounds(groups);
        _truncation = truncation;
        _inverseIdealDcg = new double[Math.Max(0, _bounds.Length - 1)];
        for (var q = 0; q < _inverseIdealDcg.Length; q++)
        {
            var ideal = QueryGroups.IdealDcg(labels.AsSpan(_bounds[q], _bounds[q + 1] - _bounds[q]), truncation);
            _inverseIdealDcg[q] = ideal > 0 ? 1 / ideal : 0;
        }
    }

    public int OutputCount => 1;

    public bool ConstantHessian => false;

    public double[] InitialScores() => [0];

    public void ComputeGradients(double[] scores, float[] gradients, float[] hessians, ParallelOptions parallel)
    {
        Parallel.For(0, _inverseIdealDcg.Length, parallel, q => GroupGradients(q, scores, gradients, hessians));
    }

    private void GroupGradients(int q, double[] scores, float[] gradients, float[] hessians)
    {
        var from = _bounds[q];
        var count = _bounds[q + 1] - from;
        var g = new double[count];
        var h = new double[count];
        var inverseIdeal = _inverseIdealDcg[q];
        if (inverseIdeal > 0)
        {
            var order = QueryGroups.RankOrder(scores.AsSpan(from, count));
            var rank = new int[count];
            for (var r = 0; r < count; r++)
            {
                rank[order[r]] = r;
            }

            for (var i = 0; i < count; i++)
            {
                for (var j = 0; j < count; j++)
                {
                    var li = _labels[from + i];
                    var lj = _labels[from + j];
                    if (li <= lj || Math.Min(rank[i], rank[j]) >= _truncation)
                    {
                        continue;
                    }

                    var delta = Math.Abs((QueryGroups.Gain(li) - QueryGroups.Gain(lj)) * (QueryGroups.Discount(rank[i]) - QueryGroups.Discount(rank[j]))) * inverseIdeal;
                    var p = 1 / (1 + Math.Exp(scores[from + i] - scores[from + j]));
                    var lambda = p * delta;
                    var hessian = Math.Max(p * (1 - p) * delta, 1e-16);
                    g[i] -= lambda;
                    g[j] += lambda;
                    h[i] += hessian;
                    h[j] += hessian;
                }
            }
        }

        for (var i = 0; i < count; i++)
        {
            gradients[from + i] = (float)g[i];
            hessians[from + i] = (float)Math.Max(h[i], 1e-16);
        }
    }
}
