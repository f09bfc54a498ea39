using System.Runtime.CompilerServices;

namespace StudyRecs.Learning.Trees;

/// <summary>
/// Scans one feature's histogram for the split with the largest L2-regularised gain
/// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), trying missing values on either side (XGBoost's
/// learned default direction).
/// </summary>
internal static class SplitFinder
{
    /// <summary>
    /// Histogram slots per bin: gradient sum, hessian sum, row count, and padding so that one
    /// bin is one 32-byte vector (<see cref="HistogramBuilder"/> updates a bin with one add).
    /// </summary>
    public const int Slots = 4;

    public static double LeafObjective(double gradient, double hessian, double lambda) => gradient * gradient / (hessian + lambda);

    /// <summary>Leaf output −G/(H+λ), clamped to ±maximum (FastTree's MaximumTreeOutput).</summary>
    public static double LeafOutput(double gradient, double hessian, TreeLearnerOptions options)
    {
        var value = -gradient / (hessian + options.L2Regularization);
        if (double.IsNaN(value))
        {
            return 0;
        }

        return Math.Clamp(value, -options.MaximumTreeOutput, options.MaximumTreeOutput);
    }

    /// <summary>Best split of one feature, or <see cref="SplitCandidate.None"/>.</summary>
    /// <param name="hist">The feature's histogram: bin 0 is missing, bins 1..n values.</param>
    /// <param name="feature">Feature index recorded in the candidate.</param>
    /// <param name="sumGradient">Leaf gradient sum.</param>
    /// <param name="sumHessian">Leaf hessian sum.</param>
    /// <param name="count">Leaf row count.</param>
    /// <param name="options">Constraints and regularisation.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SplitCandidate FindBest(ReadOnlySpan<double> hist, int feature, double sumGradient, double sumHessian, int count, TreeLearnerOptions options)
    {
        var best = SplitCandidate.None;
        var valueBins = (hist.Length / Slots) - 1;
        if (valueBins < 1)
        {
            return best;
        }

        var lambda = options.L2Regularization;
        var minCount = options.MinimumExampleCountPerLeaf;
        var minHessian = options.MinimumHessianPerLeaf;
        var parent = LeafObjective(sumGradient, sumHessian, lambda);
        var missingGradient = hist[0];
        var missingHessian = hist[1];
        var missingCount = (int)hist[2];
        double accGradient = 0, accHessian = 0;
        var accCount = 0;
        var bestGain = options.MinimumSplitGain;
        for (var b = 1; b <= valueBins; b++)
        {
            var o = b * Slots;
            var binCount = (int)hist[o + 2];

            // An empty bin splits the rows exactly as the previous bin did: nothing new to try.
            if (binCount == 0)
            {
                continue;
            }

            accGradient += hist[o];
            accHessian += hist[o + 1];
            accCount += binCount;

            // Missing values to the right of the threshold.
            Consider(accGradient, accHessian, accCount, missingGoesLeft: false, b);
            if (missingCount > 0)
            {
                Consider(accGradient + missingGradient, accHessian + missingHessian, accCount + missingCount, missingGoesLeft: true, b);
            }

            if (accCount + missingCount == count)
            {
                break;
            }
        }

        return best;

        void Consider(double leftGradient, double leftHessian, int leftCount, bool missingGoesLeft, int bin)
        {
            var rightCount = count - leftCount;
            if (leftCount < minCount || rightCount < minCount)
            {
                return;
            }

            var rightHessian = sumHessian - leftHessian;
            if (leftHessian < minHessian || rightHessian < minHessian)
            {
                return;
            }

            var rightGradient = sumGradient - leftGradient;
            var gain = LeafObjective(leftGradient, leftHessian, lambda) + LeafObjective(rightGradient, rightHessian, lambda) - parent;
            if (gain > bestGain)
            {
                bestGain = gain;
                best = new SplitCandidate
                {
                    Feature = feature,
                    ThresholdBin = bin,
                    // With no missing values in this leaf, send future ones to the larger child.
                    MissingGoesLeft = missingCount > 0 ? missingGoesLeft : leftCount >= rightCount,
                    Gain = gain,
                    LeftGradient = leftGradient,
                    LeftHessian = leftHessian,
                    LeftCount = leftCount,
                    RightGradient = rightGradient,
                    RightHessian = rightHessian,
                    RightCount = rightCount,
                };
            }
        }
    }
}
