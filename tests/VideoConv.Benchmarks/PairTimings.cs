using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;

/// <summary>The float path's row pairs, sobel's routes and this core's FMA rates (<c>dotnet run -c Release -- pairs [frames]</c>).</summary>
internal static unsafe class PairTimings
{
    /// <summary>
    /// The float path's direct kernels (3×3, 5×5, 7×7, random weights) one output row at a time and two rows straight to
    /// bytes (PairRowOps.DotStore2), frames interleaved; checks both give the same bytes; then the 3×3 loop's parts and
    /// this core's FMA rates (in registers, with a load each, one dependent chain). Run: dotnet run -c Release -- pairs [frames]
    /// </summary>
    public static void Run(int frames)
    {
        using var one = new VideoConv.Core.Parallel.BandScheduler(1);
        var frame = new Image(1920, 1080, 3);
        new Random(42).NextBytes(frame.Data);
        foreach (int k in new[] { 3, 5, 7 })
        {
            var rng = new Random(k);
            var taps = Enumerable.Range(0, k * k).Select(_ => (float)(rng.NextDouble() * 2 - 1) / k).ToArray();
            var w = ConvolutionEngine.Create(FilterDefinition.FromKernel(new VideoConv.Core.Kernels.Kernel(k, k, taps)), frame.Format, one);
            var outputs = Enumerable.Range(0, 2).Select(_ => new Image(w.Output)).ToArray();
            var variants = new List<(string, Action)>
            {
                ($"{k}x{k} one row at a time", () => { ConvolutionWorker.UsePairs = false; w.Apply(frame, outputs[0]); }),
                ($"{k}x{k} two rows, DotStore2", () => { ConvolutionWorker.UsePairs = true; w.Apply(frame, outputs[1]); }),
            };
            PassTimings.Interleaved(frames, [.. variants]);
            Console.WriteLine($"  same bytes: {string.Join(" ", outputs.Skip(1).Take(variants.Count - 1).Select(o => outputs[0].Data.AsSpan().SequenceEqual(o.Data)))}");
        }
        ConvolutionWorker.UsePairs = true;

        var sobel = ConvolutionEngine.Create(new FilterDefinition
        {
            Mode = FilterMode.GradientMagnitude,
            Kernels = [VideoConv.Core.Kernels.Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }), VideoConv.Core.Kernels.Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })],
        }, frame.Format, one);
        Image sobelA = new(sobel.Output), sobelB = new(sobel.Output);
        PassTimings.Interleaved(frames,
            ($"sobel, {sobel.Path}, gx and gy rows, then magnitude", () => { FixedPointWorker.FusedMagnitude = false; sobel.Apply(frame, sobelA); }),
            ($"sobel, {sobel.Path}, one loop", () => { FixedPointWorker.FusedMagnitude = true; sobel.Apply(frame, sobelB); }));
        Console.WriteLine($"  same bytes: {sobelA.Data.AsSpan().SequenceEqual(sobelB.Data)}");

        // The 3×3 pass's parts over a whole frame: widening 1082 padded rows into a 4-row ring, and the pair loop
        // alone over a ring whose rows are already floats (in L2: 4 × 23 KB), or over 4 rows of 1536 floats (in L1).
        const int n = 1920 * 3, padded = 1922 * 3;
        int stride = (padded + 15) / 16 * 16;
        byte* s = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(padded * 1082 + 64), 64);
        new Random(1).NextBytes(new Span<byte>(s, padded * 1082));
        float* ring = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(4 * stride * 4 + 256), 64);
        byte* d = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(n * 1080 + 64), 64);
        float** rows = (float**)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)(12 * sizeof(nint)));
        float* wa = stackalloc float[12], wb = stackalloc float[12];
        for (int t = 0; t < 12; t++) { wa[t] = 0.1f * (t + 1); wb[t] = 0.05f * (t + 1); rows[t] = ring + (t / 3) * stride + (t % 3) * 3; }
        new Span<float>(ring, 4 * stride).Fill(7);
        PassTimings.Time("widen 1082 rows into the ring", () => { for (int y = 0; y < 1082; y++) RowOps.Widen(s + (long)y * padded, ring + (y % 4) * stride, padded); });
        PassTimings.Time("DotStore2 540 pairs, ring rows 23 KB", () => { for (int y = 0; y < 540; y++) PairRowOps.DotStore2(rows, wa, wb, 3, 6, 3, 0, d + (long)(2 * y) * n, d + (long)(2 * y + 1) * n, n); });
        for (int t = 0; t < 12; t++) rows[t] = ring + (t / 3) * 1600 + (t % 3) * 3;
        PassTimings.Time("DotStore2 540 × 3.75 pairs of 1536", () => { for (int y = 0; y < 540 * 15 / 4; y++) PairRowOps.DotStore2(rows, wa, wb, 3, 6, 3, 0, d + (long)(2 * y) * 1536, d + (long)(2 * y + 1) * 1536, 1536); });
        for (int t = 0; t < 12; t++) rows[t] = ring + (t / 3) * 1600 + (t % 3) * 8;
        PassTimings.Time("DotStore2 L1 rows, offsets 0 8 16 (aligned)", () => { for (int y = 0; y < 540 * 15 / 4; y++) PairRowOps.DotStore2(rows, wa, wb, 3, 6, 3, 0, d + (long)(2 * y) * 1536, d + (long)(2 * y + 1) * 1536, 1536); });
        for (int t = 0; t < 12; t++) rows[t] = ring + (t / 3) * 1600 + (t % 3) * 3;
        PassTimings.Time("DotStore2 L1 rows, 0 + 12 + 0 taps", () => { for (int y = 0; y < 540 * 15 / 4; y++) PairRowOps.DotStore2(rows, wa, wb, 0, 12, 0, 0, d + (long)(2 * y) * 1536, d + (long)(2 * y + 1) * 1536, 1536); });
        PassTimings.Time("DotStore2 L1 rows, 9 + 0 + 0 taps", () => { for (int y = 0; y < 540 * 15 / 4; y++) PairRowOps.DotStore2(rows, wa, wb, 9, 0, 0, 0, d + (long)(2 * y) * 1536, d + (long)(2 * y + 1) * 1536, 1536); });
        float* accRow = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(1536 * 4, 64);
        PassTimings.Time("RowOps.Dot L1 rows, 9 taps, 2 × 2025 rows of 1536", () => { for (int y = 0; y < 2 * 540 * 15 / 4; y++) RowOps.Dot(rows, wa, 9, accRow, 1536); });
        PassTimings.Time("latency: 1 chain × 780K FMAs (4 cycles each: 1.1 ms at 2.8 GHz)", () => Chain(780_000));
        short* gx = (short*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(n * 2 + 64), 64);
        short* gy = (short*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(n * 2 + 64), 64);
        var gen = new Random(3);
        for (int j = 0; j < n; j++) { gx[j] = (short)gen.Next(-1020, 1021); gy[j] = (short)gen.Next(-1020, 1021); }
        float* fx = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(n * 4 + 64), 64);
        PassTimings.Time("sobel's MagnitudeStore, 1080 rows", () => { for (int y = 0; y < 1080; y++) FixedPointRowOps.MagnitudeStore(gx, gy, 0, fx, fx, d + (long)y * n, n); });
        PassTimings.Time("the same by integer rounding, no sqrt (bias 0)", () => { for (int y = 0; y < 1080; y++) IntegerMagnitude(gx, gy, d + (long)y * n, n); });
        {
            // exhaustive over gx, gy in [-1100, 1100]: the integer rounding against MagnitudeStore's float sqrt
            short* ax = (short*)System.Runtime.InteropServices.NativeMemory.Alloc(2201 * 2), ay = (short*)System.Runtime.InteropServices.NativeMemory.Alloc(2201 * 2);
            byte* e = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(2201), f = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(2201);
            float* tmp = (float*)System.Runtime.InteropServices.NativeMemory.Alloc(2201 * 4 * 2);
            long bad = 0;
            for (int a = -1100; a <= 1100; a++)
            {
                for (int j = 0; j < 2201; j++) { ax[j] = (short)a; ay[j] = (short)(j - 1100); }
                FixedPointRowOps.MagnitudeStore(ax, ay, 0, tmp, tmp + 2201, e, 2201);
                IntegerMagnitude(ax, ay, f, 2201);
                for (int j = 0; j < 2176; j++) if (e[j] != f[j]) bad++;
            }
            Console.WriteLine($"  integer rounding: {bad} differences over 2201 × 2176 pairs");
        }
        byte** brows = (byte**)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)(6 * sizeof(nint)));
        short* sw = stackalloc short[] { -1, 1, -2, 2, -1, 1 };
        for (int t = 0; t < 6; t++) brows[t] = s + (t / 2) * padded + (t % 2) * 6;
        PassTimings.Time("sobel's DirectSums (6 taps), 2 × 1080 rows", () => { for (int y = 0; y < 2160; y++) FixedPointRowOps.DirectSums(brows, sw, 6, gx, n); });
        PassTimings.Time("peak with loads: 10 chains × 780K FMAs, each from L1", () => PeakLoads(780_000, ring, 3));
        PassTimings.Time("peak with aligned loads", () => PeakLoads(780_000, ring, 8));
        PassTimings.Time("peak: 10 chains × 7.8M FMAs in registers (1.59 ms at 2 FMA/cycle, 2.445 GHz)", () => Peak(780_000));
        PassTimings.Time("copy 6 MB", () => new Span<byte>(s, n * 1080).CopyTo(new Span<byte>(d, n * 1080)));
    }

    // round(sqrt(gx² + gy²)) clamped to 255 without sqrt: s = gx² + gy² exact (pmaddwd), k from s · rsqrt(s) (within ±1
    // of the answer), then corrected exactly with k² − k < s ≤ k² + k. Whole blocks of 32 only (a measurement).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining | System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void IntegerMagnitude(short* gx, short* gy, byte* dst, int n)
    {
        for (int i = 0; i <= n - 32; i += 32)
        {
            var k0 = K(System.Runtime.Intrinsics.Vector256.Load(gx + i), System.Runtime.Intrinsics.Vector256.Load(gy + i), true);
            var k1 = K(System.Runtime.Intrinsics.Vector256.Load(gx + i), System.Runtime.Intrinsics.Vector256.Load(gy + i), false);
            var k2 = K(System.Runtime.Intrinsics.Vector256.Load(gx + i + 16), System.Runtime.Intrinsics.Vector256.Load(gy + i + 16), true);
            var k3 = K(System.Runtime.Intrinsics.Vector256.Load(gx + i + 16), System.Runtime.Intrinsics.Vector256.Load(gy + i + 16), false);
            var w0 = System.Runtime.Intrinsics.X86.Avx2.PackSignedSaturate(k0, k1); // samples 0..15 in order
            var w1 = System.Runtime.Intrinsics.X86.Avx2.PackSignedSaturate(k2, k3);
            var bytes = System.Runtime.Intrinsics.X86.Avx2.PackUnsignedSaturate(w0, w1);
            System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.AsByte(System.Runtime.Intrinsics.X86.Avx2.Permute4x64(System.Runtime.Intrinsics.Vector256.AsInt64(bytes), 0b11_01_10_00)), dst + i);
        }

    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static System.Runtime.Intrinsics.Vector256<int> K(System.Runtime.Intrinsics.Vector256<short> x, System.Runtime.Intrinsics.Vector256<short> y, bool low)
    {
        {
            var cap = System.Runtime.Intrinsics.Vector256.Create(65536);
            var one = System.Runtime.Intrinsics.Vector256.Create(1f);
            var pairs = low ? System.Runtime.Intrinsics.X86.Avx2.UnpackLow(x, y) : System.Runtime.Intrinsics.X86.Avx2.UnpackHigh(x, y);
            var sq = System.Runtime.Intrinsics.X86.Avx2.Min(System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(pairs, pairs), cap);
            var f = System.Runtime.Intrinsics.X86.Avx.ConvertToVector256Single(sq);
            var r = System.Runtime.Intrinsics.X86.Avx.ReciprocalSqrt(System.Runtime.Intrinsics.X86.Avx.Max(f, one));
            var k = System.Runtime.Intrinsics.X86.Avx.RoundToNearestInteger(f * r);
            var up = System.Runtime.Intrinsics.X86.Avx.CompareGreaterThan(f, System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(k, k, k));
            var down = System.Runtime.Intrinsics.X86.Avx.CompareLessThanOrEqual(f, System.Runtime.Intrinsics.X86.Fma.MultiplySubtract(k, k, k));
            k = k + (up & one) - (down & one);
            return System.Runtime.Intrinsics.X86.Avx.ConvertToVector256Int32WithTruncation(System.Runtime.Intrinsics.X86.Avx.Max(k, System.Runtime.Intrinsics.Vector256<float>.Zero));
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining | System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float PeakLoads(int iterations, float* p, int o)
    {
        var w = System.Runtime.Intrinsics.Vector256.Create(0.999f);
        System.Runtime.Intrinsics.Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default, a9 = default;
        for (int i = 0; i < iterations; i++)
        {
            float* q = p + (i & 15) * 8;
            a0 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q), a0); a1 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q + o), a1);
            a2 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q + 2 * o), a2); a3 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q + 128), a3);
            a4 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q + 128 + o), a4); a5 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q + 128 + 2 * o), a5);
            a6 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q + 256), a6); a7 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q + 256 + o), a7);
            a8 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q + 256 + 2 * o), a8); a9 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, System.Runtime.Intrinsics.Vector256.Load(q + 384), a9);
        }
        return System.Runtime.Intrinsics.Vector256.GetElement(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9, 0);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining | System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float Chain(int iterations)
    {
        var w = System.Runtime.Intrinsics.Vector256.Create(0.999f);
        var x = System.Runtime.Intrinsics.Vector256.Create(0.001f);
        System.Runtime.Intrinsics.Vector256<float> a0 = default;
        for (int i = 0; i < iterations; i++) a0 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a0, x);
        return System.Runtime.Intrinsics.Vector256.GetElement(a0, 0);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining | System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float Peak(int iterations)
    {
        var w = System.Runtime.Intrinsics.Vector256.Create(0.999f);
        var x = System.Runtime.Intrinsics.Vector256.Create(0.001f);
        System.Runtime.Intrinsics.Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default, a9 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a0, x); a1 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a1, x);
            a2 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a2, x); a3 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a3, x);
            a4 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a4, x); a5 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a5, x);
            a6 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a6, x); a7 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a7, x);
            a8 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a8, x); a9 = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(w, a9, x);
        }
        return System.Runtime.Intrinsics.Vector256.GetElement(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9, 0);
    }
}
