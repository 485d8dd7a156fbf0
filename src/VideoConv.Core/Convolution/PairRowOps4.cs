using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VideoConv.Core.Convolution;

internal static unsafe partial class PairRowOps
{
    /// <summary>Runs of taps <see cref="DotStore4Wide"/> takes, by the output rows they feed: A, AB, ABC, ABCD, BCD, CD, D.</summary>
    public const int QuadRuns = 7;

    /// <summary>
    /// Four output rows A–D of a kh-row kernel (kh ≥ 3) whose windows start one padded row apart, 64 outputs of each
    /// per step, 512-bit: each loaded sample of a padded row feeds the sums of every window that holds the row (up to
    /// four). <paramref name="rows"/> holds the taps of kh + 3 padded rows in row order, then column order;
    /// <paramref name="counts"/> says how many taps each of the <see cref="QuadRuns"/> runs has (padded row 0 feeds A
    /// only, row 1 A and B, row 2 A–C, rows 3 … kh − 1 all four, row kh B–D, kh + 1 C and D, kh + 2 D only);
    /// <paramref name="weights"/> holds four weights a tap (A's, B's, C's, D's; the ones a run does not feed unused,
    /// a zero one FMA'd as in <see cref="DotStore2"/>). Output row r goes to dst + r·rowBytes. Each output gets the
    /// same FMAs in the same order as <see cref="RowOps.Dot"/> (its window's taps in row-major order from 0), then
    /// <see cref="DotStore2"/>'s store: the same bits. Returns how many outputs of each row it wrote, a multiple of 64.
    /// </summary>
    /// <remarks>
    /// 32 registers: 16 accumulators, four weights and a sample, no spill (checked in the disassembly). Per step a
    /// 5×5 kernel's 40 taps load 160 vectors (128 across a cache line) for 400 FMAs, against DotStore2Wide's 240 (192)
    /// for the same 400 and the same 256 outputs; in the runs that feed all four rows a tap's four loads serve 16 FMAs
    /// (8 cycles of the two FMA pipes). Timings: ConvolutionWorker.RowQuad. Tried and dropped: a software prefetch
    /// per tap, two steps ahead (prefetcht0 p + 128 + 16·(t mod 4)), one build switched, 3 runs each, load 1.1–1.2
    /// (min / median, ms): 3×3 1.06 / 1.17 against 1.03 / 1.23, 5×5 2.24 / 2.43 against 2.13 / 2.39, 7×7 3.77 / 4.07
    /// against 3.81 / 4.07, 11×11 8.01 / 8.38 against 8.18 / 8.52 — the rows' streams are already prefetched.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int DotStore4Wide(float** rows, float* weights, int* counts, float bias, byte* dst, int rowBytes, int n)
    {
        int i = 0;
        var b = Vector512.Create(bias);
        for (; i <= n - 64; i += 64)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
            Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;
            int t = 0;
            for (int e = t + counts[0]; t < e; t++) // A
            {
                float* w = weights + 4 * t;
                var wa = Vector512.Create(w[0]);
                float* p = rows[t] + i;
                var x0 = Vector512.Load(p + 0); a0 = Avx512F.FusedMultiplyAdd(wa, x0, a0);
                var x1 = Vector512.Load(p + 16); a1 = Avx512F.FusedMultiplyAdd(wa, x1, a1);
                var x2 = Vector512.Load(p + 32); a2 = Avx512F.FusedMultiplyAdd(wa, x2, a2);
                var x3 = Vector512.Load(p + 48); a3 = Avx512F.FusedMultiplyAdd(wa, x3, a3);
            }
            for (int e = t + counts[1]; t < e; t++) // AB
            {
                float* w = weights + 4 * t;
                var wa = Vector512.Create(w[0]);
                var wb = Vector512.Create(w[1]);
                float* p = rows[t] + i;
                var x0 = Vector512.Load(p + 0); a0 = Avx512F.FusedMultiplyAdd(wa, x0, a0); b0 = Avx512F.FusedMultiplyAdd(wb, x0, b0);
                var x1 = Vector512.Load(p + 16); a1 = Avx512F.FusedMultiplyAdd(wa, x1, a1); b1 = Avx512F.FusedMultiplyAdd(wb, x1, b1);
                var x2 = Vector512.Load(p + 32); a2 = Avx512F.FusedMultiplyAdd(wa, x2, a2); b2 = Avx512F.FusedMultiplyAdd(wb, x2, b2);
                var x3 = Vector512.Load(p + 48); a3 = Avx512F.FusedMultiplyAdd(wa, x3, a3); b3 = Avx512F.FusedMultiplyAdd(wb, x3, b3);
            }
            for (int e = t + counts[2]; t < e; t++) // ABC
            {
                float* w = weights + 4 * t;
                var wa = Vector512.Create(w[0]);
                var wb = Vector512.Create(w[1]);
                var wc = Vector512.Create(w[2]);
                float* p = rows[t] + i;
                var x0 = Vector512.Load(p + 0); a0 = Avx512F.FusedMultiplyAdd(wa, x0, a0); b0 = Avx512F.FusedMultiplyAdd(wb, x0, b0); c0 = Avx512F.FusedMultiplyAdd(wc, x0, c0);
                var x1 = Vector512.Load(p + 16); a1 = Avx512F.FusedMultiplyAdd(wa, x1, a1); b1 = Avx512F.FusedMultiplyAdd(wb, x1, b1); c1 = Avx512F.FusedMultiplyAdd(wc, x1, c1);
                var x2 = Vector512.Load(p + 32); a2 = Avx512F.FusedMultiplyAdd(wa, x2, a2); b2 = Avx512F.FusedMultiplyAdd(wb, x2, b2); c2 = Avx512F.FusedMultiplyAdd(wc, x2, c2);
                var x3 = Vector512.Load(p + 48); a3 = Avx512F.FusedMultiplyAdd(wa, x3, a3); b3 = Avx512F.FusedMultiplyAdd(wb, x3, b3); c3 = Avx512F.FusedMultiplyAdd(wc, x3, c3);
            }
            for (int e = t + counts[3]; t < e; t++) // ABCD
            {
                float* w = weights + 4 * t;
                var wa = Vector512.Create(w[0]);
                var wb = Vector512.Create(w[1]);
                var wc = Vector512.Create(w[2]);
                var wd = Vector512.Create(w[3]);
                float* p = rows[t] + i;
                var x0 = Vector512.Load(p + 0); a0 = Avx512F.FusedMultiplyAdd(wa, x0, a0); b0 = Avx512F.FusedMultiplyAdd(wb, x0, b0); c0 = Avx512F.FusedMultiplyAdd(wc, x0, c0); d0 = Avx512F.FusedMultiplyAdd(wd, x0, d0);
                var x1 = Vector512.Load(p + 16); a1 = Avx512F.FusedMultiplyAdd(wa, x1, a1); b1 = Avx512F.FusedMultiplyAdd(wb, x1, b1); c1 = Avx512F.FusedMultiplyAdd(wc, x1, c1); d1 = Avx512F.FusedMultiplyAdd(wd, x1, d1);
                var x2 = Vector512.Load(p + 32); a2 = Avx512F.FusedMultiplyAdd(wa, x2, a2); b2 = Avx512F.FusedMultiplyAdd(wb, x2, b2); c2 = Avx512F.FusedMultiplyAdd(wc, x2, c2); d2 = Avx512F.FusedMultiplyAdd(wd, x2, d2);
                var x3 = Vector512.Load(p + 48); a3 = Avx512F.FusedMultiplyAdd(wa, x3, a3); b3 = Avx512F.FusedMultiplyAdd(wb, x3, b3); c3 = Avx512F.FusedMultiplyAdd(wc, x3, c3); d3 = Avx512F.FusedMultiplyAdd(wd, x3, d3);
            }
            for (int e = t + counts[4]; t < e; t++) // BCD
            {
                float* w = weights + 4 * t;
                var wb = Vector512.Create(w[1]);
                var wc = Vector512.Create(w[2]);
                var wd = Vector512.Create(w[3]);
                float* p = rows[t] + i;
                var x0 = Vector512.Load(p + 0); b0 = Avx512F.FusedMultiplyAdd(wb, x0, b0); c0 = Avx512F.FusedMultiplyAdd(wc, x0, c0); d0 = Avx512F.FusedMultiplyAdd(wd, x0, d0);
                var x1 = Vector512.Load(p + 16); b1 = Avx512F.FusedMultiplyAdd(wb, x1, b1); c1 = Avx512F.FusedMultiplyAdd(wc, x1, c1); d1 = Avx512F.FusedMultiplyAdd(wd, x1, d1);
                var x2 = Vector512.Load(p + 32); b2 = Avx512F.FusedMultiplyAdd(wb, x2, b2); c2 = Avx512F.FusedMultiplyAdd(wc, x2, c2); d2 = Avx512F.FusedMultiplyAdd(wd, x2, d2);
                var x3 = Vector512.Load(p + 48); b3 = Avx512F.FusedMultiplyAdd(wb, x3, b3); c3 = Avx512F.FusedMultiplyAdd(wc, x3, c3); d3 = Avx512F.FusedMultiplyAdd(wd, x3, d3);
            }
            for (int e = t + counts[5]; t < e; t++) // CD
            {
                float* w = weights + 4 * t;
                var wc = Vector512.Create(w[2]);
                var wd = Vector512.Create(w[3]);
                float* p = rows[t] + i;
                var x0 = Vector512.Load(p + 0); c0 = Avx512F.FusedMultiplyAdd(wc, x0, c0); d0 = Avx512F.FusedMultiplyAdd(wd, x0, d0);
                var x1 = Vector512.Load(p + 16); c1 = Avx512F.FusedMultiplyAdd(wc, x1, c1); d1 = Avx512F.FusedMultiplyAdd(wd, x1, d1);
                var x2 = Vector512.Load(p + 32); c2 = Avx512F.FusedMultiplyAdd(wc, x2, c2); d2 = Avx512F.FusedMultiplyAdd(wd, x2, d2);
                var x3 = Vector512.Load(p + 48); c3 = Avx512F.FusedMultiplyAdd(wc, x3, c3); d3 = Avx512F.FusedMultiplyAdd(wd, x3, d3);
            }
            for (int e = t + counts[6]; t < e; t++) // D
            {
                float* w = weights + 4 * t;
                var wd = Vector512.Create(w[3]);
                float* p = rows[t] + i;
                var x0 = Vector512.Load(p + 0); d0 = Avx512F.FusedMultiplyAdd(wd, x0, d0);
                var x1 = Vector512.Load(p + 16); d1 = Avx512F.FusedMultiplyAdd(wd, x1, d1);
                var x2 = Vector512.Load(p + 32); d2 = Avx512F.FusedMultiplyAdd(wd, x2, d2);
                var x3 = Vector512.Load(p + 48); d3 = Avx512F.FusedMultiplyAdd(wd, x3, d3);
            }
            Bytes512(a0, a1, a2, a3, b).Store(dst + i);
            Bytes512(b0, b1, b2, b3, b).Store(dst + rowBytes + i);
            Bytes512(c0, c1, c2, c3, b).Store(dst + 2L * rowBytes + i);
            Bytes512(d0, d1, d2, d3, b).Store(dst + 3L * rowBytes + i);
        }
        return i;
    }
}
