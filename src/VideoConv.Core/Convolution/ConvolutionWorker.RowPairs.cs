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

        // Output rows whose windows start at padded rows top and top + 1, into outRow and the row after it.
        public void Rows(int top, Scratch s, byte* outRow, int rowBytes)
        {
            for (int t = 0; t < _rows.Length; t++)
                s.PairRows[t] = s.Raw + (long)((top + _rows[t]) % _w._ringSize) * _w._rawStride + _offsets[t];
            fixed (float* upper = _upper, lower = _lower)
                PairRowOps.DotStore2(s.PairRows, upper, lower, _onlyUpper, _both, _onlyLower, _w._filter.Bias,
                    outRow, outRow + rowBytes, _w._outLength);
        }
    }
}
