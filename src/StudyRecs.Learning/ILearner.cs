using StudyRecs.Learning.Data;

namespace StudyRecs.Learning;

/// <summary>
/// One learner configuration: an algorithm of a library with its settings, which fits an <see cref="IModel"/>. The
/// portal's training grid and `studyrecs learn` cross-validate lists of these with <see cref="Validation.CandidateSelection"/>.
/// </summary>
public interface ILearner
{
    /// <summary>Name that tells this configuration apart within a grid, for logs and pages.</summary>
    string Name { get; }

    /// <summary>The algorithm: "gbdt", "forest", "fasttree", "fastforest", "lightgbm".</summary>
    string Algorithm { get; }

    /// <summary>The library that trains it: <see cref="EngineInfo.Library"/> or another one's name.</summary>
    string Library { get; }

    /// <summary>The learner's settings, as an object that serialises to JSON.</summary>
    object Settings { get; }

    /// <summary>The main settings in plain words, e.g. "trees 100, leaves 20, learning rate 0.2, min leaf 10".</summary>
    string DescribeSettings();

    /// <summary>Fits a model on <paramref name="train"/> using up to <paramref name="threads"/> threads.</summary>
    /// <exception cref="ArgumentException">The labels do not fit <paramref name="task"/>, or the learner does not support it.</exception>
    IModel Fit(LearningTask task, TrainingSet train, int threads);
}
