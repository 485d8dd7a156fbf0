using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using OpenCvSharp;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

if (args is ["passes", ..]) PassTimings.Run();
else if (args is ["loop", var loopName, ..]) PassTimings.Loop(loopName, args.Length > 2 ? int.Parse(args[2]) : 500);
else if (args is ["pairs", ..]) PairTimings.Run(args.Length > 1 ? int.Parse(args[1]) : 30);
else if (args is ["chunks", ..]) PassTimings.Chunks(args.Length > 1 ? int.Parse(args[1]) : 2);
else BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args);

/// <summary>The engine's hot paths on a 1080p BGR frame, each beside OpenCV doing the same work.</summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private Image _src = null!, _dst = null!;
    private Mat _srcMat = null!, _dstMat = null!, _kernelMat = null!;
    private ConvolutionWorker _worker = null!;

    [Params(3, 5, 7, 11)]
    public int KernelSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _src = new Image(1920, 1080, 3);
        new Random(42).NextBytes(_src.Data);
        var rng = new Random(KernelSize);
        var weights = Enumerable.Range(0, KernelSize * KernelSize).Select(_ => (float)(rng.NextDouble() * 2 - 1) / KernelSize).ToArray();
        _worker = ConvolutionWorker.Create(FilterDefinition.FromKernel(new Kernel(KernelSize, KernelSize, weights)), _src.Format);
        _dst = new Image(_worker.Output);
        _srcMat = Mat.FromPixelData(_src.Height, _src.Width, MatType.CV_8UC3, _src.Pointer);
        _dstMat = new Mat();
        _kernelMat = Mat.FromPixelData(KernelSize, KernelSize, MatType.CV_32FC1, weights);
    }

    [Benchmark]
    public void VideoConv() => _worker.Apply(_src, _dst);

    [Benchmark(Baseline = true)]
    public void OpenCvFilter2D() => Cv2.Filter2D(_srcMat, _dstMat, MatType.CV_8U, _kernelMat, new Point(-1, -1), 0, BorderTypes.Reflect101);

    [GlobalCleanup]
    public void Cleanup()
    {
        _srcMat.Dispose();
        _dstMat.Dispose();
        _kernelMat.Dispose();
    }
}

/// <summary>The 16-bit integer path against the float path on the same kernel, and OpenCV beside them.</summary>
[MemoryDiagnoser]
public class FixedPointBenchmarks
{
    private Image _src = null!, _dst = null!;
    private Mat _srcMat = null!, _dstMat = null!, _kernelMat = null!;
    private IFrameFilter _engine = null!, _float = null!;

    [Params("sharpen", "gaussian5-sigma0")]
    public string Kernel { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _src = new Image(1920, 1080, 3);
        new Random(42).NextBytes(_src.Data);
        var kernel = Kernel == "sharpen"
            ? VideoConv.Core.Kernels.Kernel.FromArray(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } })
            : KernelGenerators.Gaussian(5, 0);
        var filter = FilterDefinition.FromKernel(kernel);
        _engine = ConvolutionEngine.Create(filter, _src.Format);      // picks the 16-bit path for both
        _float = ConvolutionWorker.Create(filter, _src.Format);       // the float path it replaces
        _dst = new Image(_engine.Output);
        _srcMat = Mat.FromPixelData(_src.Height, _src.Width, MatType.CV_8UC3, _src.Pointer);
        _dstMat = new Mat();
        _kernelMat = Mat.FromPixelData(kernel.Height, kernel.Width, MatType.CV_32FC1, kernel.Weights.ToArray());
    }

    [Benchmark]
    public void Fixed16() => _engine.Apply(_src, _dst);

    [Benchmark]
    public void Float32() => _float.Apply(_src, _dst);

    [Benchmark(Baseline = true)]
    public void OpenCvFilter2D() => Cv2.Filter2D(_srcMat, _dstMat, MatType.CV_8U, _kernelMat, new Point(-1, -1), 0, BorderTypes.Reflect101);

    [GlobalCleanup]
    public void Cleanup()
    {
        _srcMat.Dispose();
        _dstMat.Dispose();
        _kernelMat.Dispose();
    }
}

/// <summary>
/// Where a separable float filter's time goes, pass by pass, on one core: the four inner loops of the σ 1.2
/// Gaussian 5×5 on 1080p BGR run over a whole frame's rows each (widen bytes → float, horizontal 5 taps,
/// vertical 5 taps, float → bytes), median of 15 frames. Run: dotnet run -c Release -- passes
/// </summary>
internal static unsafe class PassTimings
{
    public static void Run()
    {
        const int W = 1920, H = 1080, C = 3, K = 5;
        int n = W * C, padded = (W + K - 1) * C;
        byte* s = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(padded + 256), 64);
        new Random(1).NextBytes(new Span<byte>(s, padded));
        float* raw = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(padded * 4 + 256), 64);
        float* ring = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(K * n * 4 + 256), 64);
        float* acc = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(n * 4 + 256), 64);
        byte* d = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(n + 256), 64);
        float* w = (float*)System.Runtime.InteropServices.NativeMemory.Alloc(K * sizeof(float));
        float[] weights = [22 / 256f, 62 / 256f, 88 / 256f, 62 / 256f, 22 / 256f];
        for (int t = 0; t < K; t++) w[t] = weights[t];
        float** rows = (float**)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)(K * sizeof(nint)));
        {
            Time("widen (u8 → f32, padded row)", () => { for (int y = 0; y < H; y++) VideoConv.Core.Convolution.RowOps.Widen(s, raw, padded); });
            Time("horizontal (5 taps)", () =>
            {
                for (int t = 0; t < K; t++) rows[t] = raw + t * C;
                for (int y = 0; y < H; y++) VideoConv.Core.Convolution.RowOps.Dot(rows, w, K, ring + (y % K) * n, n);
            });
            Time("vertical (5 taps)", () =>
            {
                for (int t = 0; t < K; t++) rows[t] = ring + t * n;
                for (int y = 0; y < H; y++) VideoConv.Core.Convolution.RowOps.Dot(rows, w, K, acc, n);
            });
            Time("store (f32 → u8, round half even)", () => { for (int y = 0; y < H; y++) VideoConv.Core.Convolution.RowOps.Store(acc, 0, d, n); });
        }

        // The integer (wide) path's two passes on the same rows: the plan's weights (11 31 44 31 11)/128 per axis,
        // byte pairs (11,31) (44,31) (11) horizontally, folded rows (0+4)·11 + (1+3)·31 and 2·44 vertically.
        short* hring = (short*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(K * n * 2 + 256), 64);
        int* offA = stackalloc int[] { 0, 2 * C, 4 * C };
        int* offB = stackalloc int[] { 1 * C, 3 * C, 4 * C };
        short* pairs = stackalloc short[] { 11 | 31 << 8, 44 | 31 << 8, 11 };
        short** hrows = stackalloc short*[K];
        int* terms = stackalloc int[] { 0, 4, 1, 3, 2, -1, -1, -1 };
        int* columnPairs = stackalloc int[] { 11 | 31 << 16, 44 };
        Time("wide horizontal (u8 → i16, 3 pairs)", () =>
        {
            for (int y = 0; y < H; y++) VideoConv.Core.Convolution.FixedPointWideRowOps.Horizontal(s, offA, offB, pairs, 3, 16320, hring + (y % K) * n, n);
        });
        Time("wide vertical + store (i16 → i32 → u8)", () =>
        {
            for (int t = 0; t < K; t++) hrows[t] = hring + t * n;
            for (int y = 0; y < H; y++) VideoConv.Core.Convolution.FixedPointWideRowOps.VerticalStore(hrows, terms, columnPairs, 2, 16320 * 128, 14, d, n);
        });

        Time("wide horizontal, 3 pairs in registers", () =>
        {
            for (int y = 0; y < H; y++) VideoConv.Core.Convolution.FixedPointWideRowOps.HorizontalFew(s, offA, offB, pairs, 3, 16320, hring + (y % K) * n, n);
        });
        short* c = stackalloc short[] { 11, 31, 44 };
        Time("wide vertical + store, symmetric 5 rows", () =>
        {
            for (int t = 0; t < K; t++) hrows[t] = hring + t * n;
            for (int y = 0; y < H; y++) VideoConv.Core.Convolution.FixedPointWideRowOps.VerticalStoreSymmetric(hrows, 5, c, terms, columnPairs, 2, 16320 * 128, 14, d, n);
        });

        using var one = new VideoConv.Core.Parallel.BandScheduler(1);
        var frame = new Image(W, H, C);
        new Random(42).NextBytes(frame.Data);
        var gaussian = FilterDefinition.FromKernel(KernelGenerators.Gaussian(K, 1.2));
        var copy = new Image(W, H, C);
        Time("frame copy (the floor: read + write 6 MB)", () => frame.Data.AsSpan().CopyTo(copy.Data));
        var floatPath = ConvolutionWorker.Create(gaussian, frame.Format, one);
        var widePath = ConvolutionEngine.Create(gaussian, frame.Format, one);
        var output = new Image(widePath.Output);
        Interleaved(40,
            ($"whole filter, {floatPath.Path}", () => floatPath.Apply(frame, output)),
            ($"whole filter, {widePath.Path}, rows copied", () => { FixedPointWorker.ReadSourceDirectly = false; widePath.Apply(frame, output); }),
            ($"whole filter, {widePath.Path}, read in place", () => { FixedPointWorker.ReadSourceDirectly = true; widePath.Apply(frame, output); }));

        foreach (int k in new[] { 3, 5, 7 })
        {
            var rng = new Random(k);
            var taps = Enumerable.Range(0, k * k).Select(_ => (float)(rng.NextDouble() * 2 - 1) / k).ToArray();
            var generic = ConvolutionEngine.Create(FilterDefinition.FromKernel(new VideoConv.Core.Kernels.Kernel(k, k, taps)), frame.Format, one);
            Interleaved(30,
                ($"{k}x{k} float, {generic.Path}, one row at a time", () => { ConvolutionWorker.UsePairs = false; generic.Apply(frame, output); }),
                ($"{k}x{k} float, {generic.Path}, two rows at a time", () => { ConvolutionWorker.UsePairs = true; generic.Apply(frame, output); }));
        }

        var sharpen = ConvolutionEngine.Create(FilterDefinition.FromKernel(VideoConv.Core.Kernels.Kernel.FromArray(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } })), frame.Format, one);
        Interleaved(40,
            ($"sharpen, {sharpen.Path}, rows copied", () => { FixedPointWorker.ReadSourceDirectly = false; sharpen.Apply(frame, output); }),
            ($"sharpen, {sharpen.Path}, read in place", () => { FixedPointWorker.ReadSourceDirectly = true; sharpen.Apply(frame, output); }));
    }

    /// <summary>
    /// A/B on a loaded machine: the variants' frames alternate one by one (so load changes hit all alike), thread CPU
    /// time; prints each variant's minimum and median.
    /// </summary>
    public static void Interleaved(int frames, params (string Name, Action Frame)[] variants)
    {
        var t = variants.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < frames + 5; i++)
            for (int v = 0; v < variants.Length; v++)
            {
                double c0 = ThreadCpuMs();
                variants[v].Frame();
                if (i >= 5) t[v].Add(ThreadCpuMs() - c0);
            }
        for (int v = 0; v < variants.Length; v++)
            Console.WriteLine($"{variants[v].Name,-60} min {t[v].Min(),6:F2}  median {t[v].Order().ElementAt(t[v].Count / 2),6:F2} ms (thread CPU time, {frames} interleaved)");
    }

    /// <summary>One library filter on 1080p BGR, one thread, <paramref name="frames"/> times: a steady loop to profile (perf record).</summary>
    public static void Loop(string name, int frames)
    {
        using var one = new VideoConv.Core.Parallel.BandScheduler(1);
        var frame = new Image(1920, 1080, 3);
        new Random(42).NextBytes(frame.Data);
        var filter = name switch
        {
            "gaussian" => FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2)),
            "sharpen" => FilterDefinition.FromKernel(VideoConv.Core.Kernels.Kernel.FromArray(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } })),
            _ => FilterDefinition.FromKernel(new VideoConv.Core.Kernels.Kernel(int.Parse(name), int.Parse(name),
                Enumerable.Range(0, int.Parse(name) * int.Parse(name)).Select(i => (float)Math.Sin(i) / 9).ToArray())),
        };
        var worker = ConvolutionEngine.Create(filter, frame.Format, one);
        var output = new Image(worker.Output);
        UseCpuTime = true;
        Console.WriteLine($"{worker.Path}: {Median(() => worker.Apply(frame, output)):F2} ms");
        for (int i = 0; i < frames; i++) worker.Apply(frame, output);
    }

    /// <summary>gaussian → sharpen → sobel on 1080p BGR: unfused against fused with several chunk heights, blocks alternating, 3 rounds.</summary>
    public static void Chunks(int threads)
    {
        UseCpuTime = threads == 1;
        using var scheduler = new VideoConv.Core.Parallel.BandScheduler(threads);
        var src = new Image(1920, 1080, 3);
        new Random(42).NextBytes(src.Data);
        var sobel = new FilterDefinition
        {
            Mode = FilterMode.GradientMagnitude,
            Kernels = [VideoConv.Core.Kernels.Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }), VideoConv.Core.Kernels.Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })],
        };
        var chain = new List<FilterDefinition> { FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2)),
            FilterDefinition.FromKernel(VideoConv.Core.Kernels.Kernel.FromArray(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } })), sobel };
        var variants = new List<(string, FilterChain)> { ("unfused", new FilterChain(chain, src.Format, scheduler, fuse: false)) };
        foreach (int rows in new[] { 8, 16, 32, 64 })
        {
            FusedChain.ChunkRowsInUse = rows;
            variants.Add(($"fused, chunks of {rows}", new FilterChain(chain, src.Format, scheduler)));
        }
        FusedChain.ChunkRowsInUse = FusedChain.ChunkRows;
        var dst = new Image(variants[0].Item2.Output);
        var results = variants.ToDictionary(v => v.Item1, _ => new List<double>());
        for (int round = 0; round < 3; round++)
            foreach (var (name, c) in variants)
                results[name].Add(Median(() => c.Apply(src, dst)));
        Console.WriteLine($"{threads} thread(s), {(UseCpuTime ? "thread CPU time" : "wall time")}:");
        foreach (var (name, t) in results) Console.WriteLine($"  {name,-22} {t.Order().ElementAt(1),7:F2} ms (rounds {string.Join(", ", t.Select(x => x.ToString("F2")))})");
    }

    // One thread: this thread's CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID)), which excludes the time other
    // processes on this shared machine hold the core — wall time varied 30–70 ms for the same chain under a load of 30.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec ts);

    private struct TimeSpec { public long Seconds, Nanoseconds; }

    private static double ThreadCpuMs()
    {
        ClockGetTime(3, out var ts);
        return ts.Seconds * 1e3 + ts.Nanoseconds / 1e6;
    }

    public static bool UseCpuTime;

    private static double Median(Action frame)
    {
        for (int i = 0; i < 5; i++) frame();
        var t = new double[15];
        for (int i = 0; i < t.Length; i++)
        {
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            double c0 = ThreadCpuMs();
            frame();
            t[i] = UseCpuTime ? ThreadCpuMs() - c0 : System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Array.Sort(t);
        return t[t.Length / 2];
    }

    internal static void Time(string name, Action frame)
    {
        UseCpuTime = true;
        Console.WriteLine($"{name,-36} {Median(frame),7:F2} ms/frame (thread CPU time)");
    }
}
