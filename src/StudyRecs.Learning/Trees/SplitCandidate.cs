namespace StudyRecs.Learning.Trees;

/// <summary>The best split found for one leaf, with the sums of both children.</summary>
internal struct SplitCandidate
{
    public int Feature;
    public int ThresholdBin;
    public bool MissingGoesLeft;
    public double Gain;
    public double LeftGradient;
    public double LeftHessian;
    public int LeftCount;
    public double RightGradient;
    public double RightHessian;
    public int RightCount;

    public static SplitCandidate None => new() { Feature = -1, Gain = double.NegativeInfinity };

    public readonly bool IsValid => Feature >= 0;
}
