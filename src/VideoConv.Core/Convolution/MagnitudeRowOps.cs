using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Convolution;

/// <summary>
/// A gradient magnitude's row in one loop (AVX2): gx and gy summed exactly in 16-bit registers from one load per tap
/// position that either kernel uses, then sqrt(gx² + gy²) + bias to bytes by the float operations of
/// <see cref="FixedPointRowOps.MagnitudeStore"/> — so the same bits, without the two rows of 16-bit responses.
/// </summary>
/// <remarks>
/// Sobel's gx and gy use 6 positions each, 8 together: 8 loads per 16 samples instead of 12, and no stores and
/// reloads of gx and gy. Integer sums are exact (the plan keeps each within 16 bits), so their order is free.
/// Measured (1080p BGR `sobel`, one core, thread CPU time, frames interleaved with the two-row route, min / median of
/// 40, load average 5–7, two runs): 6.08 / 6.69 → 5.98 / 6.38 ms and 7.08 / 7.77 → 5.48 / 6.19 ms. What is left is
/// mostly the square roots (the magnitude alone over a frame's rows: 1.86 ms, ≈ 7 cycles per 8 samples — vsqrtps's
/// throughput on this core) and the sums (gx and gy as two DirectSums: 2.87 ms).
/// </remarks>
internal static unsafe class MagnitudeRowOps
{
    /// <summary>Whether <see cref="DirectMagnitudeStore"/> applies here: AVX2 and FMA, with or without AVX-512 (see <see cref="PairRowOps.IsAccelerated"/>).</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// Samples [0, returned) of dst: for each, gx = Σ_u weightsX[u] · rows[u][i] and gy likewise (weights 0 skip a
    /// kernel), then saturate_cast(sqrt(gx² + gy²) + bias). Handles whole blocks of 32; the caller finishes the rest.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int DirectMagnitudeStore(byte** rows, short* weightsX, short* weightsY, int taps, float bias, byte* dst, int n)
    {
        if (!IsSupported) return 0;
        var b = Vector256.Create(bias);
        var big = Vector256.Create(1e9f);
        var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        int i = 0;
        for (; i <= n - 32; i += 32)
        {
            Vector256<short> x0 = default, x1 = default, y0 = default, y1 = default;
            for (int u = 0; u < taps; u++)
            {
                byte* p = rows[u] + i;
                var v0 = Avx2.ConvertToVector256Int16(p);
                var v1 = Avx2.ConvertToVector256Int16(p + 16);
                (x0, x1) = Add(x0, x1, v0, v1, weightsX[u]);
                (y0, y1) = Add(y0, y1, v0, v1, weightsY[u]);
            }
            var p0 = Response(x0.GetLower(), y0.GetLower(), b, big);
            var p1 = Response(x0.GetUpper(), y0.GetUpper(), b, big);
            var p2 = Response(x1.GetLower(), y1.GetLower(), b, big);
            var p3 = Response(x1.GetUpper(), y1.GetUpper(), b, big);
            var bytes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(p0, p1), Avx2.PackSignedSaturate(p2, p3));
            Avx2.PermuteVar8x32(bytes.AsInt32(), order).AsByte().Store(dst + i);
        }
        return i;
    }

    // a += w · v for the two halves; ±1 and 0 skip the multiply.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<short>, Vector256<short>) Add(Vector256<short> a0, Vector256<short> a1, Vector256<short> v0, Vector256<short> v1, short w)
    {
        if (w == 0) return (a0, a1);
        if (w == 1) return (a0 + v0, a1 + v1);
        if (w == -1) return (a0 - v0, a1 - v1);
        var wv = Vector256.Create(w);
        return (a0 + Avx2.MultiplyLow(v0, wv), a1 + Avx2.MultiplyLow(v1, wv));
    }

    // As FixedPointRowOps' Response, from registers: the same conversions, FMA, sqrt, bias and rounding.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Response(Vector128<short> gx, Vector128<short> gy, Vector256<float> bias, Vector256<float> big)
    {
        var x = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(gx));
        var y = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(gy));
        var m = Vector256.Sqrt(Vector256.MultiplyAddEstimate(x, x, y * y));
        return Avx.ConvertToVector256Int32(Vector256.MinNative(m + bias, big));
    }
}
