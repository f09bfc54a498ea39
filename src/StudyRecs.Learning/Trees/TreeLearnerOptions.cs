namespace StudyRecs.Learning.Trees;

/// <summary>Settings the leaf-wise learner needs; boosting and forest both map onto these.</summary>
internal sealed record TreeLearnerOptions(
    int NumberOfLeaves,
    int MinimumExampleCountPerLeaf,
    double MinimumHessianPerLeaf,
    double L2Regularization,
    double MinimumSplitGain,
    double MaximumTreeOutput,
    int Threads,
    double FeatureFractionPerSplit = 1.0,
    int Seed = 0);
