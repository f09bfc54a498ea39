using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace StudyRecs.Learning.Recommend;

/// <summary>
/// In-place inverse of a dense symmetric positive definite matrix stored row-major in one float array, with no
/// second n×n buffer (EASE needs catalogs of ~20k items: 1.6 GB in float). Three blocked passes:
/// Cholesky A = UᵀU into the upper triangle; X = U⁻ᵀ into the strict lower triangle (its diagonal in a side array);
/// A⁻¹ = XᵀX into the upper triangle, finally mirrored. The bulk of each pass is one register-tiled kernel,
/// C[I,J] ± Σₖ M[k,I]ᵀ M[k,J], run in parallel over column blocks; the work is about n³/2 multiply-adds.
/// </summary>
internal static unsafe class SymmetricInverse
{
    private const int Block = 64;
    private const int DepthBlock = 256;

    /// <summary>Replaces <paramref name="matrix"/> (n×n, only the upper triangle is read) by its inverse.</summary>
    /// <exception cref="ArgumentException">The matrix is not positive definite.</exception>
    public static void InvertInPlace(float[] matrix, int n, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if ((long)n * n > matrix.Length)
        {
            throw new ArgumentException("The array is smaller than n×n.", nameof(matrix));
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : -1 };
        var diagonalOfX = new float[n];
        Factorize(matrix, n, parallel);
        InvertFactor(matrix, n, diagonalOfX, parallel);
        MultiplyFactor(matrix, n, diagonalOfX, parallel);
        MirrorUpper(matrix, n, parallel);
    }

    private static int BlockCount(int n) => (n + Block - 1) / Block;

    // Upper Cholesky, left-looking by block rows: rows I receive all earlier rows' contributions in one kernel call
    // per column block, then are finished row by row.
    private static void Factorize(float[] matrix, int n, ParallelOptions parallel)
    {
        for (var i0 = 0; i0 < n; i0 += Block)
        {
            var i1 = Math.Min(i0 + Block, n);
            if (i0 > 0)
            {
                var first = i0 / Block;
                Parallel.For(first, BlockCount(n), parallel, jb =>
                {
                    var j0 = jb * Block;
                    fixed (float* m = matrix)
                    {
                        Accumulate(m, n, m + ((long)i0 * n) + j0, n, i0, i1, j0, Math.Min(j0 + Block, n), 0, i0, -1f);
                    }
                });
            }

            var span = matrix.AsSpan();
            for (var i = i0; i < i1; i++)
            {
                var row = span.Slice((i * n) + i, n - i);
                for (var k = i0; k < i; k++)
                {
                    TensorPrimitives.MultiplyAdd(span.Slice((k * n) + i, n - i), -span[(k * n) + i], row, row);
                }

                var d = row[0];
                if (!(d > 0) || !float.IsFinite(d))
                {
                    throw new ArgumentException($"The matrix is not positive definite (pivot {i} is {d}).");
                }

                var u = MathF.Sqrt(d);
                row[0] = u;
                TensorPrimitives.Multiply(row[1..], 1f / u, row[1..]);
            }
        }
    }

    // X = U⁻ᵀ solves UᵀX = I row by row: X[i,j] = (δij − Σ_{k<i} U[k,i] X[k,j]) / U[i,i], X lower triangular.
    private static void InvertFactor(float[] matrix, int n, float[] diagonalOfX, ParallelOptions parallel)
    {
        Parallel.For(0, n, parallel, i => matrix.AsSpan(i * n, i).Clear());
        for (var i0 = 0; i0 < n; i0 += Block)
        {
            var i1 = Math.Min(i0 + Block, n);
            Parallel.For(0, i0 / Block, parallel, jb =>
            {
                var j0 = jb * Block;
                var j1 = j0 + Block;
                fixed (float* m = matrix)
                {
                    // Rows k beyond block J: both operands are strictly off-diagonal.
                    Accumulate(m, n, m + ((long)i0 * n) + j0, n, i0, i1, j0, j1, j1, i0, -1f);
                }

                // Rows k inside block J, where X[k,k] lives in the side array.
                var span = matrix.AsSpan();
                for (var k = j0; k < j1; k++)
                {
                    var xk = span.Slice((k * n) + j0, k - j0);
                    for (var i = i0; i < i1; i++)
                    {
                        var c = span[(k * n) + i];
                        var target = span.Slice((i * n) + j0, k - j0);
                        TensorPrimitives.MultiplyAdd(xk, -c, target, target);
                        span[(i * n) + k] -= c * diagonalOfX[k];
                    }
                }
            });

            var all = matrix.AsSpan();
            for (var i = i0; i < i1; i++)
            {
                for (var k = i0; k < i; k++)
                {
                    var c = all[(k * n) + i];
                    var target = all.Slice(i * n, k);
                    TensorPrimitives.MultiplyAdd(all.Slice(k * n, k), -c, target, target);
                    all[(i * n) + k] -= c * diagonalOfX[k];
                }

                var inverse = 1f / all[(i * n) + i];
                var finished = all.Slice(i * n, i);
                TensorPrimitives.Multiply(finished, inverse, finished);
                diagonalOfX[i] = inverse;
            }
        }
    }

    // A⁻¹ = XᵀX: P[i,j] = Σ_{k≥max(i,j)} X[k,i] X[k,j], written over the upper triangle (U is no longer needed).
    private static void MultiplyFactor(float[] matrix, int n, float[] diagonalOfX, ParallelOptions parallel)
    {
        var blocks = BlockCount(n);
        var pairs = new List<(int I, int J)>(blocks * (blocks + 1) / 2);
        for (var ib = 0; ib < blocks; ib++)
        {
            for (var jb = ib; jb < blocks; jb++)
            {
                pairs.Add((ib, jb));
            }
        }

        Parallel.ForEach(pairs, parallel, () => new float[Block * Block], (pair, _, scratch) =>
        {
            var i0 = pair.I * Block;
            var i1 = Math.Min(i0 + Block, n);
            var j0 = pair.J * Block;
            var j1 = Math.Min(j0 + Block, n);
            var span = matrix.AsSpan();
            if (pair.I != pair.J)
            {
                for (var i = i0; i < i1; i++)
                {
                    span.Slice((i * n) + j0, j1 - j0).Clear();
                }

                fixed (float* m = matrix)
                {
                    Accumulate(m, n, m + ((long)i0 * n) + j0, n, i0, i1, j0, j1, j1, n, 1f);
                }

                for (var k = j0; k < j1; k++)
                {
                    var xk = span.Slice((k * n) + j0, k - j0);
                    for (var i = i0; i < i1; i++)
                    {
                        var c = span[(k * n) + i];
                        var target = span.Slice((i * n) + j0, k - j0);
                        TensorPrimitives.MultiplyAdd(xk, c, target, target);
                        span[(i * n) + k] += c * diagonalOfX[k];
                    }
                }
            }
            else
            {
                // The diagonal block mixes X (strict lower) and P (upper) positions: accumulate in scratch.
                var size = i1 - i0;
                scratch.AsSpan().Clear();
                fixed (float* m = matrix)
                fixed (float* s = scratch)
                {
                    Accumulate(m, n, s, Block, i0, i1, i0, i1, i1, n, 1f);
                }

                for (var k = i0; k < i1; k++)
                {
                    for (var i = i0; i <= k; i++)
                    {
                        var xki = k == i ? diagonalOfX[k] : span[(k * n) + i];
                        for (var j = i; j <= k; j++)
                        {
                            var xkj = k == j ? diagonalOfX[k] : span[(k * n) + j];
                            scratch[((i - i0) * Block) + (j - i0)] += xki * xkj;
                        }
                    }
                }

                for (var i = 0; i < size; i++)
                {
                    scratch.AsSpan((i * Block) + i, size - i).CopyTo(span.Slice(((i0 + i) * n) + i0 + i));
                }
            }

            return scratch;
        }, _ => { });
    }

    private static void MirrorUpper(float[] matrix, int n, ParallelOptions parallel)
    {
        Parallel.For(0, BlockCount(n), parallel, ib =>
        {
            var i0 = ib * Block;
            var i1 = Math.Min(i0 + Block, n);
            for (var j0 = 0; j0 <= i0; j0 += Block)
            {
                var j1 = Math.Min(j0 + Block, n);
                for (var i = i0; i < i1; i++)
                {
                    for (var j = j0; j < Math.Min(j1, i); j++)
                    {
                        matrix[(i * n) + j] = matrix[(j * n) + i];
                    }
                }
            }
        });
    }

    /// <summary>
    /// dst[i−i0, j−j0] += sign · Σ_{k0≤k&lt;k1} M[k,i] M[k,j] for i in [i0,i1), j in [j0,j1); both operands are rows of M.
    /// Depth-blocked so a strip of rows stays in cache, register-tiled 4 rows × 16 columns.
    /// </summary>
    private static void Accumulate(float* m, int n, float* dst, int dstStride, int i0, int i1, int j0, int j1, int k0, int k1, float sign)
    {
        for (var kc = k0; kc < k1; kc += DepthBlock)
        {
            var ke = Math.Min(kc + DepthBlock, k1);
            var j = j0;
            for (; j + 16 <= j1; j += 16)
            {
                var i = i0;
                for (; i + 4 <= i1; i += 4)
                {
                    Tile4x16(m, n, dst + ((long)(i - i0) * dstStride) + (j - j0), dstStride, i, j, kc, ke, sign);
                }

                for (; i < i1; i++)
                {
                    for (var jj = j; jj < j + 16; jj++)
                    {
                        dst[((long)(i - i0) * dstStride) + (jj - j0)] += sign * Dot(m, n, i, jj, kc, ke);
                    }
                }
            }

            for (; j < j1; j++)
            {
                for (var i = i0; i < i1; i++)
                {
                    dst[((long)(i - i0) * dstStride) + (j - j0)] += sign * Dot(m, n, i, j, kc, ke);
                }
            }
        }
    }

    private static float Dot(float* m, int n, int i, int j, int k0, int k1)
    {
        var sum = 0f;
        for (var k = k0; k < k1; k++)
        {
            sum += m[((long)k * n) + i] * m[((long)k * n) + j];
        }

        return sum;
    }

    private static void Tile4x16(float* m, int n, float* dst, int dstStride, int i, int j, int k0, int k1, float sign)
    {
        var c00 = Vector256<float>.Zero;
        var c01 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero;
        var c11 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero;
        var c21 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero;
        var c31 = Vector256<float>.Zero;
        var row = m + ((long)k0 * n);
        for (var k = k0; k < k1; k++, row += n)
        {
            var b0 = Vector256.Load(row + j);
            var b1 = Vector256.Load(row + j + 8);
            var a = Vector256.Create(row[i]);
            c00 = Vector256.MultiplyAddEstimate(a, b0, c00);
            c01 = Vector256.MultiplyAddEstimate(a, b1, c01);
            a = Vector256.Create(row[i + 1]);
            c10 = Vector256.MultiplyAddEstimate(a, b0, c10);
            c11 = Vector256.MultiplyAddEstimate(a, b1, c11);
            a = Vector256.Create(row[i + 2]);
            c20 = Vector256.MultiplyAddEstimate(a, b0, c20);
            c21 = Vector256.MultiplyAddEstimate(a, b1, c21);
            a = Vector256.Create(row[i + 3]);
            c30 = Vector256.MultiplyAddEstimate(a, b0, c30);
            c31 = Vector256.MultiplyAddEstimate(a, b1, c31);
        }

        var s = Vector256.Create(sign);
        Store(dst, s, c00, c01);
        Store(dst + dstStride, s, c10, c11);
        Store(dst + (2L * dstStride), s, c20, c21);
        Store(dst + (3L * dstStride), s, c30, c31);
    }

    private static void Store(float* dst, Vector256<float> sign, Vector256<float> low, Vector256<float> high)
    {
        Vector256.MultiplyAddEstimate(sign, low, Vector256.Load(dst)).Store(dst);
        Vector256.MultiplyAddEstimate(sign, high, Vector256.Load(dst + 8)).Store(dst + 8);
    }
}
