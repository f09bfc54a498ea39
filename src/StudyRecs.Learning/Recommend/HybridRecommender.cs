using System.Buffers;
using System.Numerics.Tensors;

namespace StudyRecs.Learning.Recommend;

/// <summary>A component of a <see cref="HybridRecommender"/> with its fixed weight.</summary>
/// <param name="Model">The fitted component.</param>
/// <param name="Weight">Its weight in the blend (scores are scaled to a maximum magnitude of 1 first).</param>
public sealed record WeightedRecommender(IRecommender Model, float Weight);

/// <summary>
/// Fixed-weight blend of fitted models, as in the original design's hybrid: each component's scores are divided by
/// their largest magnitude so components on different scales blend by their weights, then summed.
/// </summary>
public sealed class HybridRecommender : IRecommender
{
    private readonly WeightedRecommender[] _components;

    /// <summary>Blends the given components; all must share one catalog.</summary>
    public HybridRecommender(IEnumerable<WeightedRecommender> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        _components = [.. components];
        if (_components.Length == 0)
        {
            throw new ArgumentException("A hybrid needs at least one component.", nameof(components));
        }

        ItemCount = _components[0].Model.ItemCount;
        foreach (var c in _components)
        {
            if (c.Model.ItemCount != ItemCount)
            {
                throw new ArgumentException("All hybrid components must score the same catalog.", nameof(components));
            }

            if (!float.IsFinite(c.Weight) || c.Weight < 0)
            {
                throw new ArgumentException($"The weight of '{c.Model.Name}' must be a non-negative number.", nameof(components));
            }
        }
    }

    /// <inheritdoc />
    public string Name => "hybrid";

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <summary>The components and their weights.</summary>
    public IReadOnlyList<WeightedRecommender> Components => _components;

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        scores = scores[..ItemCount];
        scores.Clear();
        var buffer = ArrayPool<float>.Shared.Rent(ItemCount);
        try
        {
            var part = buffer.AsSpan(0, ItemCount);
            foreach (var c in _components)
            {
                if (c.Weight == 0)
                {
                    continue;
                }

                c.Model.Score(historyItems, historyWeights, part);
                AddScaled(part, c.Weight, scores);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>scores += weight · part / max|part| (nothing when part is all zero or the catalog is empty).</summary>
    internal static void AddScaled(ReadOnlySpan<float> part, float weight, Span<float> scores)
    {
        if (part.IsEmpty)
        {
            return;
        }

        var max = TensorPrimitives.MaxMagnitude(part);
        if (max > 0 && float.IsFinite(max))
        {
            TensorPrimitives.MultiplyAdd(part, weight / Math.Abs(max), scores, scores);
        }
    }

    internal void WritePayload(BinaryWriter writer)
    {
        writer.Write(_components.Length);
        foreach (var c in _components)
        {
            writer.Write(c.Weight);
            RecommenderSerializer.WriteNested(writer, c.Model);
        }
    }

    internal static HybridRecommender ReadPayload(BinaryReader reader)
    {
        var count = ModelBinary.ReadCount(reader, 64);
        var components = new WeightedRecommender[count];
        for (var i = 0; i < count; i++)
        {
            var weight = reader.ReadSingle();
            components[i] = new WeightedRecommender(RecommenderSerializer.ReadNested(reader), weight);
        }

        try
        {
            return new HybridRecommender(components);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The hybrid model is inconsistent: {e.Message}", e);
        }
    }
}
