using System.Runtime.Intrinsics;
using VideoConv.Core.Filters;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Convolution;

public sealed unsafe partial class ConvolutionWorker
{
    /// <summary>When false, direct kernels compute one output row at a time (for the benchmark's A/B).</summary>
    internal static bool UsePairs = true;

    /// <summary>
    /// Two output rows per pass for a direct kernel (flat, one kernel, stride 1, no vertical dilation, all channels),
    /// straight to bytes (<see cref="PairRowOps.DotStore2"/>): the taps of the kh − 1 rows both windows share feed
    /// both sums from one load. Only where its vector loops run (AVX2 with FMA; AVX-512 machines take its 512-bit loop
    /// first), which give Dot's bits.
    /// </summary>
    private sealed class RowPair
    {
        // Measured, 1080p BGR, random float kernels, one core, thread CPU time, frames interleaved, min / median of
        // 40, load average 8 (`VideoConv.Benchmarks pairs 40`): one row at a time (RowOps.Dot + Store) / two rows
        // through float rows (the earlier RowOps.Dot2, every tap of kh + 1 rows times both weights, then Store per
        // row) / two rows straight to bytes (DotStore2, shared rows' loads feeding both sums, no zero-weight FMAs):
        //   3×3  4.20 / 5.53   4.15 / 5.75   3.20 / 4.52 ms
        //   5×5  8.24 / 10.44  6.98 / 9.60   6.10 / 8.07 ms
        //   7×7 14.54 / 20.20 11.27 / 18.69 10.06 / 16.00 ms
        // (all three gave the same bytes). The earlier Dot2 lost on 3×3 (24 FMAs for 18), so 3×3 ran a row at a
        // time; DotStore2 pays 18 FMAs for 12 loads instead of 18 and wins there too.
        private const int MinPairRows = 3;

        private readonly ConvolutionWorker _w;
        private readonly int[] _rows, _offsets;
        private readonly float[] _upper, _lower;
        private readonly int _onlyUpper, _both, _onlyLower; // the three runs of taps (PairRowOps.DotStore2)

        private RowPair(ConvolutionWorker w, Kernel k)
        {
            _w = w;
            var taps = (from r in Enumerable.Range(0, k.Height + 1)
                        from x in Enumerable.Range(0, k.Width)
                        let up = r < k.Height ? k[r, x] : 0f
                        let low = r > 0 ? k[r - 1, x] : 0f
                        where up != 0f || low != 0f
                        select (r, x, up, low)).ToArray();
            _rows = [.. taps.Select(t => t.r)];
            _offsets = [.. taps.Select(t => t.x * w._g.Dilation.X * w._g.InputChannels)];
            _upper = [.. taps.Select(t => t.up)];
            _lower = [.. taps.Select(t => t.low)];
            _onlyUpper = taps.Count(t => t.r == 0);
            _onlyLower = taps.Count(t => t.r == k.Height);
            _both = taps.Length - _onlyUpper - _onlyLower;
        }

        public int Taps => _rows.Length;

        public static RowPair? TryCreate(ConvolutionWorker w)
        {
            var f = w._filter;
            bool fits = !w._planar && f.Mode == FilterMode.Linear && w._passes.Length == 1 && w._passes[0].Vertical is null
                && w._g.Stride == Pair.Of(1) && w._g.Dilation.Y == 1 && w._allSelected && w._g.KernelHeight >= MinPairRows
                && PairRowOps.IsAccelerated;
            return fits ? new RowPair(w, f.Kernels[0].Scaled(f.Scale)) : null;
        }

        // Output rows whose windows start at padded rows top and top + 1, into outRow and the row after it, from
        // output sample `from` on (RowQuad hands its last columns here).
        public void Rows(int top, Scratch s, byte* outRow, int rowBytes, int from = 0)
        {
            for (int t = 0; t < _rows.Length; t++)
                s.PairRows[t] = s.Raw + (long)((top + _rows[t]) % _w._ringSize) * _w._rawStride + _offsets[t] + from;
            fixed (float* upper = _upper, lower = _lower)
                PairRowOps.DotStore2(s.PairRows, upper, lower, _onlyUpper, _both, _onlyLower, _w._filter.Bias,
                    outRow + from, outRow + rowBytes + from, _w._outLength - from);
        }
    }

    /// <summary>When false, direct kernels go no further than row pairs: an A/B switch like <see cref="UsePairs"/> (no benchmark flips it yet).</summary>
    internal static bool UseQuads = true;

    /// <summary>
    /// Four output rows per pass where <see cref="RowPair"/> runs and the 512-bit loop does
    /// (<see cref="PairRowOps.DotStore4Wide"/>): each loaded sample of the kh + 3 padded rows feeds up to four sums
    /// instead of two, so a 5×5 kernel loads 8·5 vectors per 4·25 FMAs against row pairs' 2·(6·5) per 2·2·25.
    /// The last columns (under 64 a row) go through the row pair, and so do a band's last two or three rows (the
    /// last one alone, as before). AVX2 machines keep the pairs: 16 registers hold no 16 accumulators.
    /// </summary>
    /// <remarks>
    /// Measured on the 2-core family-26 EPYC (Zen 5, AVX-512), 1080p BGR, random float kernels,
    /// `videoconv bench --iterations 21 --only filter2D` (per run the median of 21; thread CPU time with one thread,
    /// wall time with two), this build and main's built apart, runs alternating, load average 1.3–2.1 (one thread)
    /// (min / median of the runs, ms; efficiency = kh·kw·6.22 M / (median · 32 lanes · 3.67 GHz)):
    ///   1 thread, 4 runs each   row pairs (DotStore2Wide)    row quads (this)
    ///   3×3                     1.20 / 1.24  (38 %)          1.14 / 1.17  (41 %)
    ///   5×5                     2.65 / 2.89  (46 %)          2.32 / 2.37  (56 %)
    ///   7×7                     4.59 / 4.66  (56 %)          3.85 / 3.98  (65 %)
    ///   11×11                  10.26 / 10.33 (62 %)          8.33 / 8.46  (76 %)
    ///   2 threads, 6 runs each (load average 1.1–1.3)
    ///   3×3                     0.58 / 0.62                  0.52 / 0.58
    ///   5×5                     1.25 / 1.31                  1.07 / 1.12
    ///   7×7                     2.17 / 2.60                  1.89 / 2.03
    ///   11×11                   5.08 / 5.26                  4.20 / 4.36
    /// 3×3 too (one build, quads switched off and on, 4 runs each, load 1.0: 1.31–1.66 ms against 1.11–1.27), so quads
    /// take every kernel the pairs take. Tried and dropped, same window, one build switched (load 1.1–1.3, 3 runs each):
    /// 96 outputs a row per step (24 accumulators, no spill in the disassembly) against these 64: 3×3 1.19 / 1.19
    /// against 1.17 / 1.22, 5×5 2.32 / 2.53 against 2.45 / 2.56, 7×7 3.98 / 3.99 against 3.94 / 4.01, 11×11 8.42 / 8.45
    /// against 8.52 / 8.63 — within the noise, and it would leave up to 95 columns a row to the pairs.
    /// </remarks>
    private sealed class RowQuad
    {
        private readonly ConvolutionWorker _w;
        private readonly RowPair _pair;
        private readonly int[] _rows, _offsets;
        private readonly float[] _weights; // four a tap: A's, B's, C's, D's
        private readonly int[] _counts;    // taps in each of PairRowOps.QuadRuns runs

        private RowQuad(ConvolutionWorker w, RowPair pair, Kernel k)
        {
            _w = w;
            _pair = pair;
            int kh = k.Height;
            float Weight(int r, int x, int j) => r - j >= 0 && r - j < kh ? k[r - j, x] : 0f;
            // The run of padded row r: the windows holding it are [max(0, r − kh + 1), min(3, r)], which for kh ≥ 3 is one
            // of A, AB, ABC, ABCD, BCD, CD, D, in that order down the rows.
            int Run(int r) => (Math.Max(0, r - kh + 1), Math.Min(3, r)) switch
            {
                (0, 0) => 0, (0, 1) => 1, (0, 2) => 2, (0, 3) => 3, (1, 3) => 4, (2, 3) => 5, _ => 6,
            };
            var taps = (from r in Enumerable.Range(0, kh + 3)
                        from x in Enumerable.Range(0, k.Width)
                        let ws = new[] { Weight(r, x, 0), Weight(r, x, 1), Weight(r, x, 2), Weight(r, x, 3) }
                        where ws.Any(v => v != 0f)
                        select (r, x, ws)).ToArray();
            _rows = [.. taps.Select(t => t.r)];
            _offsets = [.. taps.Select(t => t.x * w._g.Dilation.X * w._g.InputChannels)];
            _weights = [.. taps.SelectMany(t => t.ws)];
            _counts = new int[PairRowOps.QuadRuns];
            foreach (var t in taps) _counts[Run(t.r)]++;
        }

        public static RowQuad? TryCreate(ConvolutionWorker w, RowPair? pair) =>
            pair is not null && PairRowOps.IsWideAccelerated
                ? new RowQuad(w, pair, w._filter.Kernels[0].Scaled(w._filter.Scale)) : null;

        // Output rows whose windows start at padded rows top … top + 3, into outRow and the three rows after it.
        public void Rows(int top, Scratch s, byte* outRow, int rowBytes)
        {
            float** rows = stackalloc float*[_rows.Length];
            for (int t = 0; t < _rows.Length; t++)
                rows[t] = s.Raw + (long)((top + _rows[t]) % _w._ringSize) * _w._rawStride + _offsets[t];
            int done;
            fixed (float* weights = _weights)
            fixed (int* counts = _counts)
                done = PairRowOps.DotStore4Wide(rows, weights, counts, _w._filter.Bias, outRow, rowBytes, _w._outLength);
            if (done == _w._outLength) return;
            _pair.Rows(top, s, outRow, rowBytes, done);
            _pair.Rows(top + 2, s, outRow + 2L * rowBytes, rowBytes, done);
        }
    }
}
