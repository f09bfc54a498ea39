namespace StudyRecs.Learning;

/// <summary>How a model turns its raw outputs (sums of tree outputs) into predictions.</summary>
public enum OutputTransform
{
    /// <summary>Raw output is the prediction (regression, ranking scores).</summary>
    Identity = 0,

    /// <summary>Binary probability σ(raw).</summary>
    Sigmoid = 1,

    /// <summary>Multiclass probabilities softmax(raw).</summary>
    Softmax = 2,

    /// <summary>Raw outputs are averaged class frequencies (random forest): clipped and normalised.</summary>
    AveragedProbability = 3,
}
