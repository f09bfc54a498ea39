using StudyRecs.Learning.Data;
using StudyRecs.Learning.Objectives;
using StudyRecs.Learning.Trees;

namespace StudyRecs.Learning.Boosting;

/// <summary>
/// Keeps raw scores of a validation set up to date tree by tree and reports the loss used for
/// early stopping (lower is better): RMSE, log loss, or 1 − NDCG@k for ranking.
/// </summary>
internal sealed class ValidationMonitor
{
    private readonly LearningTask _task;
    private readonly TrainingSet _data;
    private readonly double[] _scores;
    private readonly int _truncation;
    private readonly int[]? _bounds;
    private readonly ParallelOptions _parallel;

    public ValidationMonitor(LearningTask task, TrainingSet data, double[] initial, int truncation, ParallelOptions parallel)
    {
        _task = task;
        _data = data;
        _truncation = truncation;
        _parallel = parallel;
        var n = data.Rows;
        _scores = new double[n * initial.Length];
        for (var k = 0; k < initial.Length; k++)
        {
            _scores.AsSpan(k * n, n).Fill(initial[k]);
        }

        _bounds = task == LearningTask.Ranking ? QueryGroups.Bounds(data.Groups!) : null;
    }

    public void Add(RegressionTree tree, int output)
    {
        var n = _data.Rows;
        var features = _data.Features;
        Parallel.For(0, Chunks.Count(n), _parallel, c =>
        {
            var (from, to) = Chunks.Range(c, n);
            for (var i = from; i < to; i++)
            {
                _scores[(output * n) + i] += tree.Predict(features.Row(i));
            }
        });
    }

    public double Loss()
    {
        var n = _data.Rows;
        var labels = _data.Labels;
        double total = 0;
        switch (_task)
        {
            case LearningTask.Regression:
                for (var i = 0; i < n; i++)
                {
                    var d = _scores[i] - labels[i];
                    total += d * d;
                }

                return Math.Sqrt(total / n);
            case LearningTask.BinaryClassification:
                for (var i = 0; i < n; i++)
                {
                    var p = Math.Clamp(1 / (1 + Math.Exp(-_scores[i])), 1e-15, 1 - 1e-15);
                    total -= labels[i] > 0.5f ? Math.Log(p) : Math.Log(1 - p);
                }

                return total / n;
            case LearningTask.MulticlassClassification:
                {
                    var k = _scores.Length / n;
                    for (var i = 0; i < n; i++)
                    {
                        var max = double.NegativeInfinity;
                        for (var j = 0; j < k; j++)
                        {
                            max = Math.Max(max, _scores[(j * n) + i]);
                        }

                        double sum = 0;
                        for (var j = 0; j < k; j++)
                        {
                            sum += Math.Exp(_scores[(j * n) + i] - max);
                        }

                        total -= _scores[((int)labels[i] * n) + i] - max - Math.Log(sum);
                    }

                    return total / n;
                }

            default:
                return 1 - QueryGroups.MeanNdcg(_scores, labels, _bounds!, _truncation);
        }
    }
}
