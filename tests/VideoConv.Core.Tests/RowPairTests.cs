using VideoConv.Core.Borders;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;
using VideoConv.Core.Parallel;

namespace VideoConv.Core.Tests;

/// <summary>The float path's two-rows-at-a-time pass (direct kernels of 3 rows and more): exact where the maths is exact, and Dot's bits where it is not.</summary>
public unsafe class RowPairTests
{
    [Theory]
    [InlineData(3, 3, 37)]
    [InlineData(3, 5, 2)]
    [InlineData(5, 5, 37)]
    [InlineData(7, 7, 37)]
    [InlineData(7, 3, 8)]
    [InlineData(5, 5, 1)]
    public void Apply_DirectFloatKernel_EqualsFilter2DOnEveryBorder(int kh, int kw, int height)
    {
        // Weights v/256 with |v| up to 1000: exact in float32, but sums too large for the 16-bit paths.
        var rng = new Random(kh * 31 + kw);
        var kernel = new Kernel(kh, kw, [.. Enumerable.Range(0, kh * kw).Select(_ => rng.Next(-1000, 1001) / 256f)]);
        var src = TestImages.Random(1283, height, 3, kh + height); // odd row counts leave a last row alone; a ragged tail of columns
        foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Replicate, BorderMode.Constant })
        {
            var f = FilterDefinition.FromKernel(kernel) with { Border = border, BorderValue = 77, Bias = 3 };
            var path = ConvolutionEngine.Create(f, src.Format).Path;
            Assert.Contains("direct", path);
            Assert.DoesNotContain("fixed16", path);
            var expected = Oracle.Conv2d(src, f);
            var actual = Oracle.Engine(src, f);
            Assert.True(TestImages.MaxDifference(expected, actual) == 0, $"{kh}x{kw} {border}: {TestImages.FirstDifference(expected, actual)}");
        }
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(3, 7)]
    [InlineData(5, 5)]
    [InlineData(7, 7)]
    public void Apply_ArbitraryFloatWeights_GivesTheOneRowPathsBits(int kh, int kw)
    {
        // Random float weights (sums round in float32, so only the same operations in the same order give the same
        // bytes), some zero, a fractional bias, an odd height and a ragged tail of columns.
        var rng = new Random(kh * 7 + kw);
        var kernel = new Kernel(kh, kw, [.. Enumerable.Range(0, kh * kw).Select(i => i % 4 == 1 ? 0f : (float)(rng.NextDouble() * 2 - 1) / kw)]);
        var src = TestImages.Random(1291, 41, 3, kh * kw); // 3873 samples a row: 80 steps of 48, one of 32, one alone
        foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Constant })
        {
            var f = FilterDefinition.FromKernel(kernel) with { Border = border, BorderValue = 200, Bias = 0.37f };
            var pairs = ConvolutionEngine.Create(f, src.Format);
            Assert.Contains("flat direct", pairs.Path);
            var oneRow = ConvolutionWorker.CreateOneRowAtATime(f, src.Format);
            Image expected = new(oneRow.Output), actual = new(pairs.Output);
            oneRow.Apply(src, expected);
            pairs.Apply(src, actual);
            Assert.True(TestImages.MaxDifference(expected, actual) == 0, $"{kh}x{kw} {border}: {TestImages.FirstDifference(expected, actual)}");
        }
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, 1)]
    [InlineData(3, 47)]
    [InlineData(3, 127)]
    [InlineData(3, 128)]
    [InlineData(3, 129)]
    [InlineData(3, 160)]
    [InlineData(3, 176)]
    [InlineData(5, 255)]
    [InlineData(5, 367)]
    [InlineData(5, 3873)]
    [InlineData(7, 640)]
    public void DotStore2_EveryWidth_GivesTheFusedSumsBytes(int kh, int n)
    {
        // Widths for every loop: 512-bit steps of 128 (AVX-512 machines), then the 256-bit steps of 48 and 32, then
        // the scalar tail; each run once with the 512-bit loop and once without. Integer samples times quarter weights
        // plus a quarter bias: sums on ties (x.5) for the rounding, beyond ±32767 for the packs, and samples of ±1e12
        // for sums past int range (the clamp at 1e9 and cvtps2dq's 0x80000000). Then float weights, where only the same
        // FMAs in the same order give the same sums. Where RowPair runs DotStore2, RowOps.Dot then Store give them too.
        var rng = new Random(kh * 1000 + n);
        var rows = PairRows(kh, n, rng, j => rng.Next(50) == 0 ? (rng.Next(2) == 0 ? 1e12f : -1e12f) : rng.Next(-2000, 2001));
        float[] quarters = [.. Enumerable.Range(0, kh * kh).Select(i => i % 5 == 2 ? 0f : rng.Next(-8, 9) / 4f)];
        float[] floats = [.. Enumerable.Range(0, kh * kh).Select(i => i % 5 == 2 ? 0f : (float)(rng.NextDouble() * 2 - 1) / kh)];
        foreach (var (weights, bias) in new[] { (quarters, 0.25f), (floats, 0.37f) })
        {
            var expected = FusedSums(rows, weights, bias, kh, n);
            if (PairRowOps.IsAccelerated) // where RowPair uses DotStore2; elsewhere Dot may multiply and add unfused
            {
                int d = FirstDifference(expected, DotThenStore(rows, weights, bias, kh, n));
                Assert.True(d < 0, $"{kh} rows, n {n}: RowOps.Dot then Store differ from the fused sums at byte {d}");
            }
            foreach (bool wide in new[] { true, false })
            {
                var actual = DotStore2(rows, weights, bias, kh, n, wide);
                int at = FirstDifference(expected, actual);
                Assert.True(at < 0, $"{kh} rows, n {n}, 512-bit loop {(wide ? "on" : "off")}: byte {at} is {(at < 0 ? 0 : actual[at])}, expected {(at < 0 ? 0 : expected[at])}");
            }
        }
    }

    [Fact]
    public void DotStore2_NonFiniteSums_WideLoopGivesTheNarrowLoopsBytes()
    {
        // Samples of NaN, +inf and −inf in a shared row (all weights positive: the sums are NaN, +inf, −inf). ±inf give
        // 255 and 0 on every path; NaN is where paths differ (the vector loops clamp it to 1e9, so 255; RowOps.Store's
        // 512-bit tier and the scalar tail give 0), so the 512-bit loop must give what the 256-bit loop gives.
        const int kh = 3, n = 384; // 3 steps of 128, 8 of 48: no scalar tail on either
        var rng = new Random(5);
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var rows = PairRows(kh, n, rng, j => rng.Next(-300, 301));
        for (int j = 0; j < n; j += 5) rows.Data[rows.Stride + j] = special[j / 5 % 3]; // row 1: in both windows
        float[] weights = [.. Enumerable.Range(0, kh * kh).Select(_ => (float)(rng.NextDouble() + 0.01))];
        var wide = DotStore2(rows, weights, 0.5f, kh, n, wide: true);
        var narrow = DotStore2(rows, weights, 0.5f, kh, n, wide: false);
        int at = FirstDifference(narrow, wide);
        Assert.True(at < 0, $"byte {at}: {(at < 0 ? 0 : wide[at])} with the 512-bit loop, {(at < 0 ? 0 : narrow[at])} without");
        for (int j = 0; j < n; j++)
        {
            // output j reads row 1 at columns j, j + 3 and j + 6 (3 channels: taps 3 floats apart), in both windows
            var kinds = Enumerable.Range(0, kh).Select(x => j + 3 * x).Where(c => c < n && c % 5 == 0).Select(c => c / 5 % 3).ToHashSet();
            if (kinds.SetEquals([1])) { Assert.Equal(255, wide[j]); Assert.Equal(255, wide[n + j]); }
            if (kinds.SetEquals([2])) { Assert.Equal(0, wide[j]); Assert.Equal(0, wide[n + j]); }
        }
    }

    [Theory]
    [InlineData(3, 1, 3)]
    [InlineData(4, 1, 2)]
    [InlineData(5, 1, 5)]
    [InlineData(5, 3, 4)]
    [InlineData(7, 1, 1)]
    [InlineData(11, 3, 11)]
    public void Apply_FourRowsAtATime_GivesTheOneRowPathsBitsInEveryBand(int kh, int workers, int zeroRow)
    {
        // Four output rows a pass where the 512-bit loop runs (row pairs elsewhere). 71 rows: one band of 17 quads, a
        // pair and a single, or (3 workers) 12 bands of 6 and 5 rows; 3849 samples a row, so each quad's last 9 columns
        // go through the row pair. Kernel row `zeroRow` (or, past the kernel, none) and column 1 all zero: taps dropped
        // from the runs. Random float weights, so only the same FMAs in the same order give the same bytes.
        var rng = new Random(kh * 13 + workers);
        var kernel = new Kernel(kh, kh, [.. Enumerable.Range(0, kh * kh).Select(i =>
            i / kh == zeroRow || i % kh == 1 ? 0f : (float)(rng.NextDouble() * 2 - 1) / kh)]);
        var src = TestImages.Random(1283, 71, 3, kh + workers);
        using var scheduler = new BandScheduler(workers);
        foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Constant })
        {
            var f = FilterDefinition.FromKernel(kernel) with { Border = border, BorderValue = 200, Bias = 0.37f };
            var quads = ConvolutionWorker.CreateDirect(f, src.Format, scheduler);
            var oneRow = ConvolutionWorker.CreateOneRowAtATime(f, src.Format, scheduler);
            Image expected = new(oneRow.Output), actual = new(quads.Output);
            oneRow.Apply(src, expected);
            quads.Apply(src, actual);
            Assert.True(TestImages.MaxDifference(expected, actual) == 0, $"{kh}x{kh} {border}, {workers} workers: {TestImages.FirstDifference(expected, actual)}");
        }
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, 63)]
    [InlineData(3, 64)]
    [InlineData(3, 65)]
    [InlineData(4, 191)]
    [InlineData(5, 128)]
    [InlineData(5, 367)]
    [InlineData(7, 640)]
    [InlineData(11, 3873)]
    public void DotStore4Wide_EveryWidth_GivesTheFusedSumsBytes(int kh, int n)
    {
        // As DotStore2's test, for four windows at padded rows 0 … 3: the 512-bit loop's steps of 64 (AVX-512
        // machines), then, as RowQuad does, DotStore2 for rows A, B and C, D from where it stopped (its loops and scalar
        // tail; all of it on the other tiers).
        var rng = new Random(kh * 1000 + n + 1);
        var rows = PairRows(kh, n, rng, j => rng.Next(50) == 0 ? (rng.Next(2) == 0 ? 1e12f : -1e12f) : rng.Next(-2000, 2001), windows: 4);
        float[] quarters = [.. Enumerable.Range(0, kh * kh).Select(i => i % 5 == 2 ? 0f : rng.Next(-8, 9) / 4f)];
        float[] floats = [.. Enumerable.Range(0, kh * kh).Select(i => i % 5 == 2 ? 0f : (float)(rng.NextDouble() * 2 - 1) / kh)];
        foreach (var (weights, bias) in new[] { (quarters, 0.25f), (floats, 0.37f) })
        {
            var expected = FusedSums(rows, weights, bias, kh, n, windows: 4);
            var actual = DotStore4(rows, weights, bias, kh, n, out int wide);
            Assert.Equal(PairRowOps.IsWideAccelerated ? n / 64 * 64 : 0, wide);
            int at = FirstDifference(expected, actual);
            Assert.True(at < 0, $"{kh} rows, n {n}, {wide} by the 512-bit loop: byte {at} (row {(at < 0 ? 0 : at / n)}) is {(at < 0 ? 0 : actual[at])}, expected {(at < 0 ? 0 : expected[at])}");
        }
    }

    // The four windows' rows through PairRowOps.DotStore4Wide (taps of kh + 3 rows in its seven runs, as RowQuad lays
    // them out), then DotStore2 over the two pairs for the columns it left.
    private static byte[] DotStore4(PairRowData rows, float[] kernel, float bias, int kh, int n, out int wide)
    {
        int taps = (kh + 3) * kh;
        var ptrs = new nint[taps];
        var weights = new float[4 * taps];
        var counts = new int[PairRowOps.QuadRuns];
        for (int t = 0; t < taps; t++)
        {
            int r = t / kh, x = t % kh;
            for (int j = 0; j < 4; j++) weights[4 * t + j] = r - j >= 0 && r - j < kh ? kernel[(r - j) * kh + x] : 0f;
            int lo = Math.Max(0, r - kh + 1), hi = Math.Min(3, r);
            counts[lo == 0 ? hi : 3 + lo]++; // A, AB, ABC, ABCD, then BCD, CD, D
        }
        var bytes = new byte[4 * n + 1];
        fixed (float* data = rows.Data, w = weights)
        fixed (int* c = counts)
        fixed (byte* dst = bytes)
        fixed (nint* p = ptrs)
        {
            for (int t = 0; t < taps; t++) p[t] = (nint)(data + t / kh * rows.Stride + 3 * (t % kh));
            wide = PairRowOps.IsWideAccelerated ? PairRowOps.DotStore4Wide((float**)p, w, c, bias, dst, n, n) : 0;
        }
        for (int top = 0; top < 4; top += 2)
        {
            var pair = new PairRowData(rows.Data[(top * rows.Stride)..], rows.Stride);
            var rest = DotStore2(pair, kernel, bias, kh, n, wide: true);
            for (int row = 0; row < 2; row++) Array.Copy(rest, row * n + wide, bytes, (top + row) * n + wide, n - wide);
        }
        return bytes[..(4 * n)];
    }

    // kh + windows − 1 padded rows of n + 3·(kh − 1) floats (the taps of a kh × kh kernel on 3 channels start 3 floats apart).
    private sealed record PairRowData(float[] Data, int Stride);

    private static PairRowData PairRows(int kh, int n, Random rng, Func<int, float> sample, int windows = 2)
    {
        int stride = n + 3 * (kh - 1) + 16;
        var data = new float[(kh + windows - 1) * stride];
        for (int r = 0; r < kh + windows - 1; r++)
            for (int j = 0; j < n + 3 * (kh - 1); j++) data[r * stride + j] = sample(j);
        return new PairRowData(data, stride);
    }

    // Output rows A, B, … (windows at rows 0, 1, …) by definition: each window's taps in order, one rounding per
    // multiply-add, + bias, then saturate_cast.
    private static byte[] FusedSums(PairRowData rows, float[] kernel, float bias, int kh, int n, int windows = 2)
    {
        var bytes = new byte[windows * n];
        for (int top = 0; top < windows; top++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int t = 0; t < kh * kh; t++)
                    sum = MathF.FusedMultiplyAdd(kernel[t], rows.Data[(top + t / kh) * rows.Stride + 3 * (t % kh) + j], sum);
                bytes[top * n + j] = Saturate.ToByte(sum + bias);
            }
        return bytes;
    }

    // Output rows A and B (windows at rows 0 and 1) by RowOps.Dot over each window's taps in order, then RowOps.Store.
    private static byte[] DotThenStore(PairRowData rows, float[] kernel, float bias, int kh, int n)
    {
        var bytes = new byte[2 * Math.Max(n, 1)];
        var acc = new float[Math.Max(n, 1)];
        var ptrs = new nint[kh * kh];
        fixed (float* data = rows.Data, w = kernel, a = acc)
        fixed (byte* dst = bytes)
        fixed (nint* p = ptrs)
            for (int top = 0; top < 2; top++)
            {
                for (int t = 0; t < kh * kh; t++) p[t] = (nint)(data + (top + t / kh) * rows.Stride + 3 * (t % kh));
                RowOps.Dot((float**)p, w, kh * kh, a, n);
                RowOps.Store(a, bias, dst + top * n, n);
            }
        return bytes[..(2 * n)];
    }

    // The same rows through PairRowOps.DotStore2 (taps in RowPair's three runs), with or without its 512-bit loop.
    private static byte[] DotStore2(PairRowData rows, float[] kernel, float bias, int kh, int n, bool wide)
    {
        int taps = (kh + 1) * kh;
        var ptrs = new nint[taps];
        var upper = new float[taps];
        var lower = new float[taps];
        for (int t = 0; t < taps; t++)
        {
            int r = t / kh, x = t % kh;
            upper[t] = r < kh ? kernel[r * kh + x] : 0f;
            lower[t] = r > 0 ? kernel[(r - 1) * kh + x] : 0f;
        }
        var bytes = new byte[2 * n + 1];
        fixed (float* data = rows.Data, wa = upper, wb = lower)
        fixed (byte* dst = bytes)
        fixed (nint* p = ptrs)
        {
            for (int t = 0; t < taps; t++) p[t] = (nint)(data + t / kh * rows.Stride + 3 * (t % kh));
            try
            {
                PairRowOps.UseWide = wide;
                PairRowOps.DotStore2((float**)p, wa, wb, kh, (kh - 1) * kh, kh, bias, dst, dst + n, n);
            }
            finally
            {
                PairRowOps.UseWide = true;
            }
        }
        return bytes[..(2 * n)];
    }

    private static int FirstDifference(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) if (expected[i] != actual[i]) return i;
        return -1;
    }
}
