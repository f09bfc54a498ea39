namespace StudyRecs.Learning.Objectives;

/// <summary>
/// A loss seen by the booster only through first and second derivatives of raw scores.
/// Scores, gradients and hessians are class-major: output k of row i sits at k × rows + i.
/// </summary>
internal interface IObjective
{
    /// <summary>Raw outputs per row (K for multiclass, else 1).</summary>
    int OutputCount { get; }

    /// <summary>True when every hessian is the same constant (lets histograms skip hessian sums).</summary>
    bool ConstantHessian { get; }

    /// <summary>Starting raw score of each output (boost from the average).</summary>
    double[] InitialScores();

    /// <summary>Fills gradients and hessians of the loss at the current scores.</summary>
    void ComputeGradients(double[] scores, float[] gradients, float[] hessians, ParallelOptions parallel);
}
