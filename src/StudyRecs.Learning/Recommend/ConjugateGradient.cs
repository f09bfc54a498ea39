using System.Numerics.Tensors;

namespace StudyRecs.Learning.Recommend;

/// <summary>A symmetric positive definite linear operator y = A·v.</summary>
internal interface ILinearOperator
{
    void Multiply(scoped ReadOnlySpan<float> vector, scoped Span<float> result);
}

/// <summary>
/// A few conjugate-gradient steps on A·x = b, warm-started from the current x (Takács, Pilászy &amp; Tikk, RecSys 2011):
/// in ALS the previous iteration's factor is already close, so three steps do the work of a full solve.
/// </summary>
internal static class ConjugateGradient
{
    /// <summary>Refines <paramref name="x"/> in place. <paramref name="scratch"/> needs 3·dimension floats.</summary>
    public static void Solve<TOperator>(scoped ref TOperator op, scoped ReadOnlySpan<float> b, scoped Span<float> x, int steps, scoped Span<float> scratch)
        where TOperator : ILinearOperator, allows ref struct
    {
        var k = x.Length;
        var r = scratch[..k];
        var p = scratch.Slice(k, k);
        var ap = scratch.Slice(2 * k, k);
        op.Multiply(x, ap);
        TensorPrimitives.Subtract(b, ap, r);
        r.CopyTo(p);
        var rr = TensorPrimitives.Dot(r, r);
        for (var s = 0; s < steps && rr > 1e-12f; s++)
        {
            op.Multiply(p, ap);
            var pap = TensorPrimitives.Dot(p, ap);
            if (!(pap > 0))
            {
                return;
            }

            var alpha = rr / pap;
            TensorPrimitives.MultiplyAdd(p, alpha, x, x);
            TensorPrimitives.MultiplyAdd(ap, -alpha, r, r);
            var next = TensorPrimitives.Dot(r, r);
            TensorPrimitives.MultiplyAdd(p, next / rr, r, p);
            rr = next;
        }
    }
}

/// <summary>
/// The implicit-feedback normal equations of one user (or item) in Hu, Koren &amp; Volinsky's ALS:
/// (YᵀY + λI + Σᵢ (cᵢ − 1) yᵢyᵢᵀ)·x with cᵢ = 1 + α·wᵢ; YᵀY + λI is shared and precomputed.
/// </summary>
internal readonly ref struct ConfidenceSystem : ILinearOperator
{
    private readonly ReadOnlySpan<float> _gram;
    private readonly ReadOnlySpan<float> _factors;
    private readonly ReadOnlySpan<int> _indices;
    private readonly ReadOnlySpan<float> _weights;
    private readonly float _alpha;
    private readonly int _k;

    public ConfidenceSystem(ReadOnlySpan<float> gram, ReadOnlySpan<float> factors, int k, ReadOnlySpan<int> indices, ReadOnlySpan<float> weights, float alpha)
    {
        _gram = gram;
        _factors = factors;
        _k = k;
        _indices = indices;
        _weights = weights;
        _alpha = alpha;
    }

    public void Multiply(scoped ReadOnlySpan<float> vector, scoped Span<float> result)
    {
        for (var a = 0; a < _k; a++)
        {
            result[a] = TensorPrimitives.Dot(_gram.Slice(a * _k, _k), vector);
        }

        for (var t = 0; t < _indices.Length; t++)
        {
            var y = _factors.Slice(_indices[t] * _k, _k);
            var s = _alpha * _weights[t] * TensorPrimitives.Dot(y, vector);
            TensorPrimitives.MultiplyAdd(y, s, result, result);
        }
    }

    /// <summary>b = Σᵢ cᵢ·yᵢ (all preferences are 1).</summary>
    public void RightHandSide(Span<float> b)
    {
        b.Clear();
        for (var t = 0; t < _indices.Length; t++)
        {
            TensorPrimitives.MultiplyAdd(_factors.Slice(_indices[t] * _k, _k), 1f + (_alpha * _weights[t]), b, b);
        }
    }
}
