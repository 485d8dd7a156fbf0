using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Convolution;

internal static unsafe partial class PairRowOps
{
    /// <summary>Whether <see cref="DotStore2Wide"/> runs here: 512-bit vectors with AVX-512F, and BW for the packs.</summary>
    public static bool IsWideAccelerated => Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512BW.IsSupported;

    /// <summary>When false, <see cref="DotStore2"/> leaves its 512-bit loop out (for tests and the benchmark's A/B).</summary>
    internal static bool UseWide = true;

    /// <summary>
    /// <see cref="DotStore2"/>'s 512-bit loop: 128 outputs of each row per step, 16 accumulators of 16 lanes, the same
    /// FMAs in the same order and the same store (so the same bits). Returns how many outputs it wrote, a multiple of
    /// 128; DotStore2's 256-bit loops and scalar tail do the rest.
    /// </summary>
    /// <remarks>
    /// Measured on the 2-core family-26 EPYC (Zen 5, two 512-bit FMA pipes), 1080p BGR, random float kernels,
    /// `videoconv bench --threads 1` (thread CPU time, median of 21 per run), runs of both builds alternating, 4 each,
    /// load average 2.2–3.2 (min / median of the 4, ms):
    ///   3×3   256-bit  1.70 / 1.91   this loop  1.33 / 1.44
    ///   5×5            3.65 / 3.90              2.88 / 2.98
    ///   7×7            6.34 / 6.72              4.77 / 4.83
    ///   11×11         14.33 / 14.48            10.43 / 10.56
    /// Against the core's peak (2 FMAs × 16 lanes a cycle at the 3.67 GHz a chain of dependent adds shows, 117 G lane-FMAs
    /// a second; kh·kw FMAs per sample, 6.22 M samples) the medians are 44 % (5×5), 54 % (7×7) and 61 % (11×11); the
    /// 256-bit loop's 34 %, 39 % and 44 %. What holds it there is the loads, not the FMAs: the taps' windows start 3
    /// floats apart, so all but one tap of a kernel row load 64 bytes across two cache lines, and this core does one such
    /// load a cycle (a small C program, loops of nothing else: one FMA a cycle with a line-crossing load each, two from
    /// aligned addresses, two with one crossing load for both). The one-row runs (the top and bottom rows) pay a
    /// crossing load per FMA; the shared rows one per two FMAs, plus the two broadcasts and the row pointer, which cost
    /// more beside crossing loads than beside aligned ones (C: 1.81 FMAs a cycle aligned, 1.35 crossing). Tried and dropped, same window:
    /// - 192 outputs per step (24 accumulators, still no spill): no gain (5×5 2.98–3.36 ms against 2.99–3.75, 11×11
    ///   11.0–11.2 against 10.6–11.7);
    /// - each 64-byte load as two 32-byte halves (vmovups + vinsertf32x8, at most one half crossing a line): won in a C
    ///   model of this loop over rows in L1 (3×3 48 → 60 % of peak), lost on the frame (5×5 3.38–3.48 ms against
    ///   3.00–3.15, 11×11 12.1–13.9 against 10.5–11.4);
    /// - each kernel row's lines loaded once, 64-byte aligned, and each tap's samples shifted out of two of them in
    ///   registers (vpermt2ps, one per vector; same bits): lost (5×5 3.07–3.57 ms against 2.87–2.91, 11×11 12.96–13.70
    ///   against 10.12–10.44) — a permute per FMA in the one-row runs, and this core does about one a cycle.
    /// - each shared-row tap's two weights as one 8-byte load (vmovsd) and two register broadcasts (vbroadcastss from
    ///   the register, the second after a vpermilps) instead of two broadcast loads: no gain, one build switched, 3 runs
    ///   each, load average 3.7–4.7 (min / median, ms): 3×3 1.36 / 1.46 against 1.26 / 1.28, 5×5 2.96 / 3.00 against
    ///   2.75 / 3.07, 7×7 4.89 / 4.92 against 4.76 / 4.77, 11×11 10.10 / 10.34 against 10.19 / 10.46.
    /// Fewer loads per FMA needs more output rows per pass (four rows: a shared row's load feeds four FMAs): RowQuad's
    /// <see cref="DotStore4Wide"/> does that where this loop runs, and this loop now serves its band's last rows.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int DotStore2Wide(float** rows, float* weightsA, float* weightsB, int onlyA, int both, int onlyB,
        float bias, byte* dstA, byte* dstB, int n)
    {
        int i = 0;
        int endBoth = onlyA + both, end = endBoth + onlyB;
        // 32 registers: 16 accumulators, two weights, a sample and the store's three constants fit without a spill
        // (checked in the disassembly, tiered compilation off), so unlike DotStore2 the bias can wait in one.
        var b = Vector512.Create(bias);
        for (; i <= n - 128; i += 128)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
            int t = 0;
            for (; t < onlyA; t++)
            {
                var wa = Vector512.Create(weightsA[t]);
                float* p = rows[t] + i;
                a0 = Avx512F.FusedMultiplyAdd(wa, Vector512.Load(p + 0), a0);
                a1 = Avx512F.FusedMultiplyAdd(wa, Vector512.Load(p + 16), a1);
                a2 = Avx512F.FusedMultiplyAdd(wa, Vector512.Load(p + 32), a2);
                a3 = Avx512F.FusedMultiplyAdd(wa, Vector512.Load(p + 48), a3);
                a4 = Avx512F.FusedMultiplyAdd(wa, Vector512.Load(p + 64), a4);
                a5 = Avx512F.FusedMultiplyAdd(wa, Vector512.Load(p + 80), a5);
                a6 = Avx512F.FusedMultiplyAdd(wa, Vector512.Load(p + 96), a6);
                a7 = Avx512F.FusedMultiplyAdd(wa, Vector512.Load(p + 112), a7);
            }
            for (; t < endBoth; t++)
            {
                var wa = Vector512.Create(weightsA[t]);
                var wb = Vector512.Create(weightsB[t]);
                float* p = rows[t] + i;
                var x0 = Vector512.Load(p + 0); a0 = Avx512F.FusedMultiplyAdd(wa, x0, a0); b0 = Avx512F.FusedMultiplyAdd(wb, x0, b0);
                var x1 = Vector512.Load(p + 16); a1 = Avx512F.FusedMultiplyAdd(wa, x1, a1); b1 = Avx512F.FusedMultiplyAdd(wb, x1, b1);
                var x2 = Vector512.Load(p + 32); a2 = Avx512F.FusedMultiplyAdd(wa, x2, a2); b2 = Avx512F.FusedMultiplyAdd(wb, x2, b2);
                var x3 = Vector512.Load(p + 48); a3 = Avx512F.FusedMultiplyAdd(wa, x3, a3); b3 = Avx512F.FusedMultiplyAdd(wb, x3, b3);
                var x4 = Vector512.Load(p + 64); a4 = Avx512F.FusedMultiplyAdd(wa, x4, a4); b4 = Avx512F.FusedMultiplyAdd(wb, x4, b4);
                var x5 = Vector512.Load(p + 80); a5 = Avx512F.FusedMultiplyAdd(wa, x5, a5); b5 = Avx512F.FusedMultiplyAdd(wb, x5, b5);
                var x6 = Vector512.Load(p + 96); a6 = Avx512F.FusedMultiplyAdd(wa, x6, a6); b6 = Avx512F.FusedMultiplyAdd(wb, x6, b6);
                var x7 = Vector512.Load(p + 112); a7 = Avx512F.FusedMultiplyAdd(wa, x7, a7); b7 = Avx512F.FusedMultiplyAdd(wb, x7, b7);
            }
            for (; t < end; t++)
            {
                var wb = Vector512.Create(weightsB[t]);
                float* p = rows[t] + i;
                b0 = Avx512F.FusedMultiplyAdd(wb, Vector512.Load(p + 0), b0);
                b1 = Avx512F.FusedMultiplyAdd(wb, Vector512.Load(p + 16), b1);
                b2 = Avx512F.FusedMultiplyAdd(wb, Vector512.Load(p + 32), b2);
                b3 = Avx512F.FusedMultiplyAdd(wb, Vector512.Load(p + 48), b3);
                b4 = Avx512F.FusedMultiplyAdd(wb, Vector512.Load(p + 64), b4);
                b5 = Avx512F.FusedMultiplyAdd(wb, Vector512.Load(p + 80), b5);
                b6 = Avx512F.FusedMultiplyAdd(wb, Vector512.Load(p + 96), b6);
                b7 = Avx512F.FusedMultiplyAdd(wb, Vector512.Load(p + 112), b7);
            }
            Bytes512(a0, a1, a2, a3, b).Store(dstA + i);
            Bytes512(a4, a5, a6, a7, b).Store(dstA + i + 64);
            Bytes512(b0, b1, b2, b3, b).Store(dstB + i);
            Bytes512(b4, b5, b6, b7, b).Store(dstB + i + 64);
        }
        return i;
    }

    // DotStore2's Bytes on 16 lanes, for DotStore2Wide and DotStore4Wide: + bias, MinNative(…, 1e9) (vminps: a NaN sum
    // takes the 1e9, as there), cvtps2dq, the same saturating packs. These pack within each 128-bit lane, so dword j of
    // lane L holds bytes 4L…4L+3 of pj: the permute puts them back in order. (One helper, shared: timed against the two
    // copies it replaced, one core, 1080p BGR, four alternating pairs, cold and hot frames: 3×3 to 11×11 within ±5 %
    // either way, no trend. The review's other half — the quad's tap pointers in Scratch instead of a stackalloc — was
    // 1–3 % slower on 3×3 and 5×5 in all four pairs, so the stackalloc stays.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Bytes512(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, Vector512<float> b)
    {
        var big = Vector512.Create(1e9f);
        var order = Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        var p0 = Avx512F.ConvertToVector512Int32(Vector512.MinNative(v0 + b, big));
        var p1 = Avx512F.ConvertToVector512Int32(Vector512.MinNative(v1 + b, big));
        var p2 = Avx512F.ConvertToVector512Int32(Vector512.MinNative(v2 + b, big));
        var p3 = Avx512F.ConvertToVector512Int32(Vector512.MinNative(v3 + b, big));
        var bytes = Avx512BW.PackUnsignedSaturate(Avx512BW.PackSignedSaturate(p0, p1), Avx512BW.PackSignedSaturate(p2, p3));
        return Avx512F.PermuteVar16x32(bytes.AsInt32(), order).AsByte();
    }
}
