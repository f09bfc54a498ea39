using System.Runtime.CompilerServices;
using StudyRecs.Learning.Data;

namespace StudyRecs.Learning.Trees;

/// <summary>
/// Grows one regression tree on gradients and hessians, leaf-wise (always splitting the leaf
/// with the largest gain) up to the leaf budget. Rows of each leaf are a slice of one index
/// array partitioned in place (LightGBM's DataPartition); only the smaller child's histogram is
/// built, the larger one is the parent's minus it. Histogram work runs in parallel over
/// features; every result is reduced in feature order, so trees do not depend on the thread count.
/// The learner knows nothing about objectives: it sees gradients only.
/// </summary>
internal sealed class LeafWiseTreeLearner
{
    /// <summary>Below this many row × feature visits a leaf is processed on one thread.</summary>
    private const long ParallelThreshold = 200_000;

    /// <summary>Leaves with at least this many rows are partitioned by several threads.</summary>
    private const int ParallelPartitionRows = 65_536;

    private readonly BinnedDataset _data;
    private readonly TreeLearnerOptions _options;
    private readonly ParallelOptions _parallel;
    private readonly int[] _indices;
    private readonly int[] _scratch;
    private readonly Histogram?[] _histograms;
    private readonly int[] _leafBegin;
    private readonly int[] _leafCount;
    private readonly double[] _leafGradient;
    private readonly double[] _leafHessian;
    private readonly SplitCandidate[] _leafBest;
    private readonly int[] _leafParent;
    private readonly bool[] _leafIsLeft;
    private readonly int[] _nodeThresholdBins;
    private readonly SplitCandidate[] _featureBestSmall;
    private readonly SplitCandidate[] _featureBestLarge;
    private readonly int[] _activeFeatures;
    private readonly bool[] _splitFeatureAllowed;
    private readonly int[] _featurePool;
    private readonly Random _random;
    private int _activeFeatureCount;
    private float[] _gradients = [];
    private float[] _hessians = [];
    private int _offset;
    private bool _constantHessian;
    private bool _identityRoot;
    private TreeNode[] _nodes = [];

    public LeafWiseTreeLearner(BinnedDataset data, TreeLearnerOptions options)
    {
        _data = data;
        _options = options;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };
        _indices = new int[data.Rows];
        _scratch = new int[data.Rows];
        var leaves = Math.Max(2, options.NumberOfLeaves);
        // Allocated on first use: deep forests have many leaf slots but small data.
        _histograms = new Histogram?[leaves];

        _leafBegin = new int[leaves];
        _leafCount = new int[leaves];
        _leafGradient = new double[leaves];
        _leafHessian = new double[leaves];
        _leafBest = new SplitCandidate[leaves];
        _leafParent = new int[leaves];
        _leafIsLeft = new bool[leaves];
        _nodeThresholdBins = new int[leaves];
        _featureBestSmall = new SplitCandidate[data.FeatureCount];
        _featureBestLarge = new SplitCandidate[data.FeatureCount];
        _activeFeatures = new int[data.FeatureCount];
        _splitFeatureAllowed = new bool[data.FeatureCount];
        _featurePool = new int[data.FeatureCount];
        _random = new Random(options.Seed);
    }

    /// <summary>Grows a tree; leaf values are the unshrunk −G/(H+λ).</summary>
    /// <param name="gradients">Gradients of all outputs, class-major.</param>
    /// <param name="hessians">Hessians, same layout.</param>
    /// <param name="offset">Start of this output's block (class × rows).</param>
    /// <param name="bag">Sorted rows to train on, or null for all rows.</param>
    /// <param name="featureMask">Features the tree may use, or null for all.</param>
    /// <param name="constantHessian">True when every hessian equals the first (squared error).</param>
    public RegressionTree Grow(float[] gradients, float[] hessians, int offset, int[]? bag, bool[]? featureMask, bool constantHessian)
    {
        _gradients = gradients;
        _hessians = hessians;
        _offset = offset;
        _constantHessian = constantHessian;
        _activeFeatureCount = 0;
        for (var f = 0; f < _data.FeatureCount; f++)
        {
            if ((featureMask is null || featureMask[f]) && _data.Bins[f].ValueBinCount > 1)
            {
                _activeFeatures[_activeFeatureCount++] = f;
            }
        }

        var rootCount = bag?.Length ?? _data.Rows;
        double sumG = 0, sumH = 0;
        if (bag is null)
        {
            // Two independent passes over all rows: one thread numbers the rows, the other sums
            // gradients and hessians in row order (the same sums as a serial pass).
            Action number = () =>
            {
                for (var i = 0; i < _indices.Length; i++)
                {
                    _indices[i] = i;
                }
            };
            Action sum = () => (sumG, sumH) = Sum(gradients.AsSpan(offset, _data.Rows), hessians.AsSpan(offset, _data.Rows));
            if (_data.Rows >= ParallelPartitionRows && _parallel.MaxDegreeOfParallelism > 1)
            {
                Parallel.Invoke(_parallel, number, sum);
            }
            else
            {
                number();
                sum();
            }
        }
        else
        {
            bag.CopyTo(_indices, 0);
            var g = gradients.AsSpan(offset, _data.Rows);
            var h = hessians.AsSpan(offset, _data.Rows);
            foreach (var row in bag)
            {
                sumG += g[row];
                sumH += h[row];
            }
        }

        _identityRoot = bag is null;
        _leafBegin[0] = 0;
        _leafCount[0] = rootCount;
        _leafParent[0] = -1;
        _leafGradient[0] = sumG;
        _leafHessian[0] = sumH;
        var maxLeaves = _options.NumberOfLeaves;
        _nodes = new TreeNode[maxLeaves - 1];
        var nodeCovers = new double[maxLeaves - 1];
        var gains = new double[maxLeaves - 1];
        ProcessLeaves(0, -1);

        var leaves = 1;
        while (leaves < maxLeaves)
        {
            var leaf = -1;
            var bestGain = 0.0;
            for (var l = 0; l < leaves; l++)
            {
                if (_leafBest[l].IsValid && _leafBest[l].Gain > bestGain)
                {
                    bestGain = _leafBest[l].Gain;
                    leaf = l;
                }
            }

            if (leaf < 0)
            {
                break;
            }

            var split = _leafBest[leaf];
            var node = leaves - 1;
            var newLeaf = leaves;
            var bins = _data.Bins[split.Feature];
            _nodes[node] = new TreeNode(split.Feature, bins.UpperBounds[split.ThresholdBin - 1], ~leaf, ~newLeaf, split.MissingGoesLeft);
            _nodeThresholdBins[node] = split.ThresholdBin;
            nodeCovers[node] = _leafCount[leaf];
            gains[node] = split.Gain;
            var parent = _leafParent[leaf];
            if (parent >= 0)
            {
                _nodes[parent] = _leafIsLeft[leaf] ? _nodes[parent].WithLeft(node) : _nodes[parent].WithRight(node);
            }

            _leafParent[leaf] = node;
            _leafIsLeft[leaf] = true;
            _leafParent[newLeaf] = node;
            _leafIsLeft[newLeaf] = false;
            Partition(leaf, newLeaf, split);
            _leafGradient[leaf] = split.LeftGradient;
            _leafHessian[leaf] = split.LeftHessian;
            _leafGradient[newLeaf] = split.RightGradient;
            _leafHessian[newLeaf] = split.RightHessian;
            leaves++;

            // The parent's histogram sits in the split leaf's slot; the smaller child gets a fresh slot.
            if (_leafCount[leaf] <= _leafCount[newLeaf])
            {
                (_histograms[leaf], _histograms[newLeaf]) = (_histograms[newLeaf], _histograms[leaf]);
                ProcessLeaves(leaf, newLeaf);
            }
            else
            {
                ProcessLeaves(newLeaf, leaf);
            }
        }

        var leafValues = new double[leaves];
        var leafCovers = new double[leaves];
        for (var l = 0; l < leaves; l++)
        {
            leafValues[l] = SplitFinder.LeafOutput(_leafGradient[l], _leafHessian[l], _options);
            leafCovers[l] = _leafCount[l];
        }

        return new RegressionTree(_nodes[..(leaves - 1)], leafValues, nodeCovers[..(leaves - 1)], leafCovers, gains[..(leaves - 1)]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Gradient, double Hessian) Sum(ReadOnlySpan<float> gradients, ReadOnlySpan<float> hessians)
    {
        double sumG = 0, sumH = 0;
        for (var i = 0; i < gradients.Length; i++)
        {
            sumG += gradients[i];
            sumH += hessians[i];
        }

        return (sumG, sumH);
    }

    /// <summary>
    /// Adds the tree's (already scaled) leaf values to the scores of the rows it was grown on,
    /// straight from the partition; rows outside the bag are routed through the binned tree.
    /// </summary>
    public void AddToScores(RegressionTree tree, double[] scores, int offset, bool[]? inBag)
    {
        // Every leaf's rows are ascending, so rows [0, n/parts), [n/parts, 2n/parts)... are found in
        // each leaf by binary search: each part writes only its own rows, in no shared cache line
        // but at the boundaries, and every row still gets its one leaf value.
        var parts = _data.Rows >= ParallelPartitionRows ? _parallel.MaxDegreeOfParallelism : 1;
        if (parts > 1)
        {
            Parallel.For(0, parts, _parallel, p => AddLeafValues(tree, scores, offset, inBag, (int)((long)p * _data.Rows / parts), (int)((long)(p + 1) * _data.Rows / parts)));
        }
        else
        {
            AddLeafValues(tree, scores, offset, inBag, 0, _data.Rows);
        }
    }

    /// <summary>
    /// Adds each leaf's value to the scores of its rows in [firstRow, endRow), and the value of the
    /// leaf the binned tree routes them to for rows of that range outside the bag.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddLeafValues(RegressionTree tree, double[] scores, int offset, bool[]? inBag, int firstRow, int endRow)
    {
        var values = tree.LeafValues;
        for (var leaf = 0; leaf < tree.LeafCount; leaf++)
        {
            var rows = _indices.AsSpan(_leafBegin[leaf], _leafCount[leaf]);
            var from = LowerBound(rows, firstRow);
            var to = LowerBound(rows, endRow);
            var value = values[leaf];
            foreach (var row in rows[from..to])
            {
                scores[offset + row] += value;
            }
        }

        if (inBag is null)
        {
            return;
        }

        for (var row = firstRow; row < endRow; row++)
        {
            if (!inBag[row])
            {
                scores[offset + row] += values[LeafOfBinned(tree, row)];
            }
        }
    }

    /// <summary>The first position of an ascending span holding a value at least <paramref name="value"/>.</summary>
    private static int LowerBound(ReadOnlySpan<int> sorted, int value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int LeafOfBinned(RegressionTree tree, int row)
    {
        var nodes = tree.Nodes;
        if (nodes.Length == 0)
        {
            return 0;
        }

        var node = 0;
        do
        {
            var n = nodes[node];
            int bin = _data.Columns[n.Feature][row];
            var left = bin == 0 ? n.MissingGoesLeft : bin <= _nodeThresholdBins[node];
            node = left ? n.Left : n.Right;
        }
        while (node >= 0);
        return ~node;
    }

    /// <summary>
    /// Stable in-place partition of a leaf's rows: left rows first, then right rows, each in their
    /// original order. Large leaves are cut into one chunk per thread; each chunk separates its rows
    /// into two scratch areas, which are then copied back in chunk order (same result as serial).
    /// </summary>
    private void Partition(int leaf, int newLeaf, SplitCandidate split)
    {
        var begin = _leafBegin[leaf];
        var count = _leafCount[leaf];
        var chunks = count >= ParallelPartitionRows && _parallel.MaxDegreeOfParallelism > 1 ? _parallel.MaxDegreeOfParallelism : 1;
        var chunkSize = (count + chunks - 1) / chunks;
        Span<int> leftCounts = stackalloc int[chunks];
        if (chunks == 1)
        {
            leftCounts[0] = PartitionChunk(begin, begin + count, split);
        }
        else
        {
            var counts = new int[chunks];
            Parallel.For(0, chunks, _parallel, c => counts[c] = PartitionChunk(begin + (c * chunkSize), Math.Min(begin + count, begin + ((c + 1) * chunkSize)), split));
            counts.CopyTo(leftCounts);
        }

        // Chunk c's left rows sit at the start of its range in _indices (already compacted), its
        // right rows in _scratch at the same range start.
        var left = begin;
        for (var c = 0; c < chunks; c++)
        {
            var from = begin + (c * chunkSize);
            if (from != left)
            {
                Array.Copy(_indices, from, _indices, left, leftCounts[c]);
            }

            left += leftCounts[c];
        }

        var right = left;
        for (var c = 0; c < chunks; c++)
        {
            var from = begin + (c * chunkSize);
            var size = Math.Min(begin + count, from + chunkSize) - from;
            Array.Copy(_scratch, from, _indices, right, size - leftCounts[c]);
            right += size - leftCounts[c];
        }

        _leafCount[leaf] = left - begin;
        _leafBegin[newLeaf] = left;
        _leafCount[newLeaf] = right - left;
        _identityRoot = false;
    }

    /// <summary>
    /// Moves the left rows of [from, to) to its front (in order) and its right rows to _scratch[from..]; returns the left count.
    /// Every row is written to both places and only the matching cursor advances, with the side
    /// looked up per bin: no branch to mispredict on a split that sends rows both ways at random.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe int PartitionChunk(int from, int to, SplitCandidate split)
    {
        var sides = stackalloc int[256];
        sides[0] = split.MissingGoesLeft ? 1 : 0;
        for (var bin = 1; bin < 256; bin++)
        {
            sides[bin] = bin <= split.ThresholdBin ? 1 : 0;
        }

        fixed (byte* column = _data.Columns[split.Feature])
        fixed (int* indices = _indices)
        fixed (int* scratch = _scratch)
        {
            int left = from, right = from;
            for (var i = from; i < to; i++)
            {
                var row = indices[i];
                var goesLeft = sides[column[row]];
                indices[left] = row;
                scratch[right] = row;
                left += goesLeft;
                right += 1 - goesLeft;
            }

            return left - from;
        }
    }

    /// <summary>
    /// Builds the histogram of <paramref name="small"/>, derives <paramref name="large"/>'s by
    /// subtraction from the parent histogram already in its slot (none for the root), and finds
    /// both leaves' best splits. Large leaves split the features into one group per thread; each
    /// group scans the leaf's rows once.
    /// </summary>
    private void ProcessLeaves(int small, int large)
    {
        var allRows = _identityRoot && _leafCount[small] == _data.Rows;
        var smallHist = _histograms[small] ??= new Histogram(_data.BinOffsets[^1] * SplitFinder.Slots);
        var largeHist = large >= 0 ? _histograms[large]! : null;
        var work = (long)_leafCount[small] * _activeFeatureCount;
        var groups = work >= ParallelThreshold ? Math.Min(_parallel.MaxDegreeOfParallelism, _activeFeatureCount) : 1;
        if (groups > 1)
        {
            Parallel.For(0, groups, _parallel, g => ProcessFeatures(g * _activeFeatureCount / groups, (g + 1) * _activeFeatureCount / groups, small, large, allRows, smallHist, largeHist));
        }
        else
        {
            ProcessFeatures(0, _activeFeatureCount, small, large, allRows, smallHist, largeHist);
        }

        _leafBest[small] = Reduce(_featureBestSmall);
        if (large >= 0)
        {
            _leafBest[large] = Reduce(_featureBestLarge);
        }
    }

    /// <summary>Histograms and best splits of active features [from, to).</summary>
    private void ProcessFeatures(int from, int to, int small, int large, bool allRows, Histogram smallHist, Histogram? largeHist)
    {
        var features = _activeFeatures.AsSpan(from, to - from);
        HistogramBuilder.Build(
            _data.RowBins,
            _data.FeatureCount,
            features,
            _data.BinOffsets,
            _indices.AsSpan(_leafBegin[small], _leafCount[small]),
            allRows,
            _gradients.AsSpan(_offset, _data.Rows),
            _hessians.AsSpan(_offset, _data.Rows),
            _constantHessian,
            smallHist.Values);
        foreach (var feature in features)
        {
            var start = _data.BinOffsets[feature] * SplitFinder.Slots;
            var length = _data.Bins[feature].TotalBinCount * SplitFinder.Slots;
            var histogram = smallHist.Values.Slice(start, length);
            _featureBestSmall[feature] = SplitFinder.FindBest(histogram, feature, _leafGradient[small], _leafHessian[small], _leafCount[small], _options);
            if (largeHist is not null)
            {
                var larger = largeHist.Values.Slice(start, length);
                HistogramBuilder.Subtract(larger, histogram);
                _featureBestLarge[feature] = SplitFinder.FindBest(larger, feature, _leafGradient[large], _leafHessian[large], _leafCount[large], _options);
            }
        }
    }

    /// <summary>
    /// The best split over the tree's features, or over a random subset of them when
    /// <see cref="TreeLearnerOptions.FeatureFractionPerSplit"/> is below 1 (random forest).
    /// </summary>
    private SplitCandidate Reduce(SplitCandidate[] perFeature)
    {
        var sampled = _options.FeatureFractionPerSplit < 1;
        if (sampled)
        {
            var take = Math.Max(1, (int)Math.Round(_activeFeatureCount * _options.FeatureFractionPerSplit));
            Array.Clear(_splitFeatureAllowed);
            var pool = _featurePool.AsSpan(0, _activeFeatureCount);
            _activeFeatures.AsSpan(0, _activeFeatureCount).CopyTo(pool);
            for (var i = 0; i < take; i++)
            {
                var j = i + _random.Next(pool.Length - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
                _splitFeatureAllowed[pool[i]] = true;
            }
        }

        var best = SplitCandidate.None;
        for (var i = 0; i < _activeFeatureCount; i++)
        {
            var candidate = perFeature[_activeFeatures[i]];
            if (sampled && !_splitFeatureAllowed[_activeFeatures[i]])
            {
                continue;
            }

            if (candidate.IsValid && candidate.Gain > best.Gain)
            {
                best = candidate;
            }
        }

        return best;
    }
}
