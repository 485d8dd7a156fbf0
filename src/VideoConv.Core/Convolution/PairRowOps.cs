using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Convolution;

/// <summary>
/// Two output rows of a direct float kernel at once, straight to bytes: the AVX2 + FMA loop behind
/// ConvolutionWorker's row pairs (ConvolutionWorker.RowPairs.cs). Each row gets the bits of <see cref="RowOps.Dot"/>
/// then <see cref="RowOps.Store"/>: the same multiply-adds in the same tap order from 0, then + bias, rounded
/// half to even and clamped — only the accumulators stay in registers instead of going through a float row.
/// </summary>
internal static unsafe partial class PairRowOps
{
    /// <summary>Whether <see cref="DotStore2"/>'s vector loop runs here (otherwise it is all scalar tail).</summary>
    /// <remarks>
    /// Also on AVX-512 machines: the 256-bit loops here, in MagnitudeRowOps and in FixedPointRowOps.MagnitudeStore give
    /// the same bits as RowOps' 512-bit tier (the same FMAs in the same order, the same sqrt), and they are faster there
    /// (the JIT gives them 32 vector registers). Measured on a 2-core AMD EPYC of family 26 with AVX-512, 1080p BGR,
    /// 2 threads, `videoconv bench`, same machine minutes apart: 3×3 float 1.42 → 0.80 ms, 5×5 3.18 → 2.04, 7×7
    /// 5.31 → 3.48, 11×11 10.1 → 9.2, sobel 5.03 → 2.35, gaussian → sharpen → sobel fused 5.21 → 3.64.
    /// There DotStore2 now runs its 512-bit loop first (<see cref="DotStore2Wide"/>, faster again) and these for the rest.
    /// </remarks>
    public static bool IsAccelerated => Avx2.IsSupported && Fma.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary>
    /// Output rows A and B of a kh-row kernel whose windows start one padded row apart. <paramref name="rows"/>
    /// holds the taps in three runs: <paramref name="onlyA"/> taps of the top window row (A's weights only),
    /// then <paramref name="both"/> taps of the kh − 1 shared rows (a weight for each, either may be 0), then
    /// <paramref name="onlyB"/> taps of the row below A's window (B's weights only). Each loaded sample of a
    /// shared row feeds both sums: a 3×3 kernel loads 12 vectors per 16 outputs instead of 18, with 18 FMAs
    /// (the earlier Dot2 multiplied every tap of kh + 1 rows by both weights: 24).
    /// </summary>
    /// <remarks>
    /// A zero weight in the shared run adds w·x = +0, which leaves a sum unchanged but for −0 → +0, and
    /// both round to byte 0: the same bytes as Dot, which skips zero taps.
    /// Tried and dropped, measured (1080p BGR, random 3×3 weights, one core, thread CPU time, frames interleaved,
    /// min / median of 40, load average 8): a 3×3 loop with the 9 weights held in registers (48 loads for 72 FMAs
    /// per 32 outputs of each row, no broadcasts) 3.25 / 4.22 ms against this loop's 3.20 / 4.52 — no gain: with 9
    /// registers for weights only 8 accumulators fit, and each sum's 9 FMAs must stay one chain (same order, same
    /// bits), so the loop is bound by that chain and the loads alike.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotStore2(float** rows, float* weightsA, float* weightsB, int onlyA, int both, int onlyB,
        float bias, byte* dstA, byte* dstB, int n)
    {
        int i = UseWide && IsWideAccelerated ? DotStore2Wide(rows, weightsA, weightsB, onlyA, both, onlyB, bias, dstA, dstB, n) : 0; // whole steps of 128 first
        int endBoth = onlyA + both, end = endBoth + onlyB;
        if (IsAccelerated)
        {
            // The bias waits in memory, and the store's constants are made where they are used: live in registers across the
            // tap loops they were three more than the 16 there are, and without a profile (tiered compilation off) the JIT spilled
            // an accumulator instead, inside the loop — a store and a reload on every tap's chain (5×5: 10.4–12.3 against
            // 7.4–8.6 ms per 1080p frame with the profile). Same operations, same bits.
            float* biasLanes = stackalloc float[8];
            Vector256.Create(bias).Store(biasLanes);
            // 48 outputs of each row per step: 12 accumulators, so each tap's two broadcasts and pointer load serve 12 FMAs
            // (measured against 32 per step, same run: 3×3 3.97 / 4.92 → 3.63 / 4.62 ms, 5×5 6.06 / 6.25 → 5.58 / 5.72,
            // 7×7 10.43 / 15.53 → 9.60 / 13.73, min / median of 30 interleaved, load average 5–8; 7 wide would not fit
            // the 16 registers); 32 per step for what is left.
            for (; i <= n - 48; i += 48)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default;
                int t = 0;
                for (; t < onlyA; t++)
                {
                    var wa = Vector256.Create(weightsA[t]);
                    float* p = rows[t] + i;
                    a0 = Fma.MultiplyAdd(wa, Vector256.Load(p + 0), a0);
                    a1 = Fma.MultiplyAdd(wa, Vector256.Load(p + 8), a1);
                    a2 = Fma.MultiplyAdd(wa, Vector256.Load(p + 16), a2);
                    a3 = Fma.MultiplyAdd(wa, Vector256.Load(p + 24), a3);
                    a4 = Fma.MultiplyAdd(wa, Vector256.Load(p + 32), a4);
                    a5 = Fma.MultiplyAdd(wa, Vector256.Load(p + 40), a5);
                }
                for (; t < endBoth; t++)
                {
                    var wa = Vector256.Create(weightsA[t]);
                    var wb = Vector256.Create(weightsB[t]);
                    float* p = rows[t] + i;
                    var x0 = Vector256.Load(p + 0); a0 = Fma.MultiplyAdd(wa, x0, a0); b0 = Fma.MultiplyAdd(wb, x0, b0);
                    var x1 = Vector256.Load(p + 8); a1 = Fma.MultiplyAdd(wa, x1, a1); b1 = Fma.MultiplyAdd(wb, x1, b1);
                    var x2 = Vector256.Load(p + 16); a2 = Fma.MultiplyAdd(wa, x2, a2); b2 = Fma.MultiplyAdd(wb, x2, b2);
                    var x3 = Vector256.Load(p + 24); a3 = Fma.MultiplyAdd(wa, x3, a3); b3 = Fma.MultiplyAdd(wb, x3, b3);
                    var x4 = Vector256.Load(p + 32); a4 = Fma.MultiplyAdd(wa, x4, a4); b4 = Fma.MultiplyAdd(wb, x4, b4);
                    var x5 = Vector256.Load(p + 40); a5 = Fma.MultiplyAdd(wa, x5, a5); b5 = Fma.MultiplyAdd(wb, x5, b5);
                }
                for (; t < end; t++)
                {
                    var wb = Vector256.Create(weightsB[t]);
                    float* p = rows[t] + i;
                    b0 = Fma.MultiplyAdd(wb, Vector256.Load(p + 0), b0);
                    b1 = Fma.MultiplyAdd(wb, Vector256.Load(p + 8), b1);
                    b2 = Fma.MultiplyAdd(wb, Vector256.Load(p + 16), b2);
                    b3 = Fma.MultiplyAdd(wb, Vector256.Load(p + 24), b3);
                    b4 = Fma.MultiplyAdd(wb, Vector256.Load(p + 32), b4);
                    b5 = Fma.MultiplyAdd(wb, Vector256.Load(p + 40), b5);
                }
                Bytes(a0, a1, a2, a3, biasLanes).Store(dstA + i);
                Bytes16(a4, a5, biasLanes).Store(dstA + i + 32);
                Bytes(b0, b1, b2, b3, biasLanes).Store(dstB + i);
                Bytes16(b4, b5, biasLanes).Store(dstB + i + 32);
            }
            for (; i <= n - 32; i += 32)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
                int t = 0;
                for (; t < onlyA; t++)
                {
                    var wa = Vector256.Create(weightsA[t]);
                    float* p = rows[t] + i;
                    a0 = Fma.MultiplyAdd(wa, Vector256.Load(p), a0);
                    a1 = Fma.MultiplyAdd(wa, Vector256.Load(p + 8), a1);
                    a2 = Fma.MultiplyAdd(wa, Vector256.Load(p + 16), a2);
                    a3 = Fma.MultiplyAdd(wa, Vector256.Load(p + 24), a3);
                }
                for (; t < endBoth; t++)
                {
                    var wa = Vector256.Create(weightsA[t]);
                    var wb = Vector256.Create(weightsB[t]);
                    float* p = rows[t] + i;
                    var x0 = Vector256.Load(p); var x1 = Vector256.Load(p + 8); var x2 = Vector256.Load(p + 16); var x3 = Vector256.Load(p + 24);
                    a0 = Fma.MultiplyAdd(wa, x0, a0); b0 = Fma.MultiplyAdd(wb, x0, b0);
                    a1 = Fma.MultiplyAdd(wa, x1, a1); b1 = Fma.MultiplyAdd(wb, x1, b1);
                    a2 = Fma.MultiplyAdd(wa, x2, a2); b2 = Fma.MultiplyAdd(wb, x2, b2);
                    a3 = Fma.MultiplyAdd(wa, x3, a3); b3 = Fma.MultiplyAdd(wb, x3, b3);
                }
                for (; t < end; t++)
                {
                    var wb = Vector256.Create(weightsB[t]);
                    float* p = rows[t] + i;
                    b0 = Fma.MultiplyAdd(wb, Vector256.Load(p), b0);
                    b1 = Fma.MultiplyAdd(wb, Vector256.Load(p + 8), b1);
                    b2 = Fma.MultiplyAdd(wb, Vector256.Load(p + 16), b2);
                    b3 = Fma.MultiplyAdd(wb, Vector256.Load(p + 24), b3);
                }
                Bytes(a0, a1, a2, a3, biasLanes).Store(dstA + i);
                Bytes(b0, b1, b2, b3, biasLanes).Store(dstB + i);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            static Vector256<byte> Bytes(Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3, float* biasLanes)
            {
                var b = Vector256.Load(biasLanes);
                var big = Vector256.Create(1e9f); // keeps cvtps2dq away from its 0x80000000 "invalid" result (as RowOps.Store)
                var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
                var p0 = Avx.ConvertToVector256Int32(Vector256.MinNative(v0 + b, big));
                var p1 = Avx.ConvertToVector256Int32(Vector256.MinNative(v1 + b, big));
                var p2 = Avx.ConvertToVector256Int32(Vector256.MinNative(v2 + b, big));
                var p3 = Avx.ConvertToVector256Int32(Vector256.MinNative(v3 + b, big));
                var bytes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(p0, p1), Avx2.PackSignedSaturate(p2, p3));
                return Avx2.PermuteVar8x32(bytes.AsInt32(), order).AsByte();
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            static Vector128<byte> Bytes16(Vector256<float> v0, Vector256<float> v1, float* biasLanes)
            {
                var b = Vector256.Load(biasLanes);
                var big = Vector256.Create(1e9f);
                var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
                var p0 = Avx.ConvertToVector256Int32(Vector256.MinNative(v0 + b, big));
                var p1 = Avx.ConvertToVector256Int32(Vector256.MinNative(v1 + b, big));
                var words = Avx2.PackSignedSaturate(p0, p1);
                return Avx2.PermuteVar8x32(Avx2.PackUnsignedSaturate(words, words).AsInt32(), order).AsByte().GetLower();
            }
        }
        for (; i < n; i++)
        {
            float a = 0, c = 0;
            int t = 0;
            for (; t < onlyA; t++) a = MathF.FusedMultiplyAdd(weightsA[t], rows[t][i], a);
            for (; t < endBoth; t++)
            {
                a = MathF.FusedMultiplyAdd(weightsA[t], rows[t][i], a);
                c = MathF.FusedMultiplyAdd(weightsB[t], rows[t][i], c);
            }
            for (; t < end; t++) c = MathF.FusedMultiplyAdd(weightsB[t], rows[t][i], c);
            dstA[i] = Saturate.ToByte(a + bias);
            dstB[i] = Saturate.ToByte(c + bias);
        }
    }

}
