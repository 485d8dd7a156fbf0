using System.Diagnostics;
using OpenCvSharp;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;
using VideoConv.Core.Parallel;

namespace VideoConv.Cli.Bench;

/// <summary>One line of the bench table: our engine and OpenCV on the same frame in the same process.</summary>
public sealed record BenchRow(string Operation, string FrameSize, double OursMs, double OpenCvMs, int MaxDifference, string Path)
{
    /// <summary>How many times faster we are (OpenCV time / our time).</summary>
    public double Ratio => OpenCvMs / OursMs;
}

/// <summary>Settings for <c>videoconv bench</c>.</summary>
public sealed record BenchSettings(int Width = 1920, int Height = 1080, int Channels = 3, int Threads = 0, int Iterations = 30, IReadOnlyList<int>? KernelSizes = null);

/// <summary>
/// Times the engine against OpenCV on identical generated frames: generic float kernels against
/// <c>filter2D</c>, the Gaussian against <c>GaussianBlur</c>, the Sobel magnitude against
/// <c>Sobel</c>×2 + <c>magnitude</c>. Each figure is the median of <see cref="BenchSettings.Iterations"/> runs after warm-up,
/// ours and OpenCV's alternating so both see the same load.
/// </summary>
public static class EngineBenchmark
{
    public static IReadOnlyList<BenchRow> Run(BenchSettings settings, Action<BenchRow>? onRow = null)
    {
        int threads = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount;
        Cv2.SetNumThreads(threads);
        using var scheduler = new BandScheduler(threads);
        var format = new ImageFormat(settings.Width, settings.Height, settings.Channels);
        var src = new Image(format);
        new Random(42).NextBytes(src.Data);
        using var srcMat = Mat.FromPixelData(src.Height, src.Width, MatType.CV_8UC(src.Channels), src.Pointer);
        string size = $"{settings.Width}x{settings.Height}x{settings.Channels}";
        var rows = new List<BenchRow>();

        void Add(BenchRow row)
        {
            rows.Add(row);
            onRow?.Invoke(row);
        }

        foreach (int k in settings.KernelSizes ?? [3, 5, 7, 11])
        {
            var rng = new Random(k);
            var weights = Enumerable.Range(0, k * k).Select(_ => (float)(rng.NextDouble() * 2 - 1) / k).ToArray();
            var kernel = new Kernel(k, k, weights);
            using var kMat = Mat.FromPixelData(k, k, MatType.CV_32FC1, weights);
            var filter = FilterDefinition.FromKernel(kernel);
            Add(Compare($"filter2D {k}x{k} float", size, filter, src, scheduler, settings.Iterations,
                dst => Cv2.Filter2D(srcMat, dst, MatType.CV_8U, kMat, new Point(-1, -1), 0, BorderTypes.Reflect101)));
        }

        // An integer kernel from the library (`sharpen`): filter2D computes it in float like any other.
        var sharpenWeights = new float[] { 0, -1, 0, -1, 5, -1, 0, -1, 0 };
        using var sharpenMat = Mat.FromPixelData(3, 3, MatType.CV_32FC1, sharpenWeights);
        Add(Compare("sharpen 3x3", size, FilterDefinition.FromKernel(new Kernel(3, 3, sharpenWeights), "sharpen"), src, scheduler, settings.Iterations,
            dst => Cv2.Filter2D(srcMat, dst, MatType.CV_8U, sharpenMat, new Point(-1, -1), 0, BorderTypes.Reflect101)));

        // The library's `gaussian` (σ 1.2), and σ 0: OpenCV's tabulated [1 4 6 4 1]/16, the usual GaussianBlur call.
        foreach (double sigma in new[] { 1.2, 0 })
        {
            var gaussian = new FilterDefinition { Name = "gaussian", Kernels = [KernelGenerators.Gaussian(5, sigma)] };
            Add(Compare($"gaussian 5x5 σ{sigma}", size, gaussian, src, scheduler, settings.Iterations,
                dst => Cv2.GaussianBlur(srcMat, dst, new Size(5, 5), sigma, sigma, BorderTypes.Reflect101)));
        }

        var sobel = new FilterDefinition
        {
            Name = "sobel", Mode = FilterMode.GradientMagnitude,
            Kernels = [Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }), Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })],
        };
        using var gx = new Mat();
        using var gy = new Mat();
        using var mag = new Mat();
        Add(Compare("sobel magnitude", size, sobel, src, scheduler, settings.Iterations, dst =>
        {
            Cv2.Sobel(srcMat, gx, MatType.CV_32F, 1, 0, 3);
            Cv2.Sobel(srcMat, gy, MatType.CV_32F, 0, 1, 3);
            Cv2.Magnitude(gx.Reshape(1), gy.Reshape(1), mag);
            mag.Reshape(settings.Channels).ConvertTo(dst, MatType.CV_8U);
        }));
        return rows;
    }

    private static BenchRow Compare(string name, string size, FilterDefinition filter, Image src, BandScheduler scheduler, int iterations, Action<Mat> openCv)
    {
        var worker = ConvolutionEngine.Create(filter, src.Format, scheduler);
        var ours = new Image(worker.Output);
        using var theirs = new Mat();
        var (oursMs, cvMs) = MedianInterleaved(iterations, () => worker.Apply(src, ours), () => openCv(theirs));
        using var oursMat = Mat.FromPixelData(ours.Height, ours.Width, MatType.CV_8UC(ours.Channels), ours.Pointer);
        using var diff = new Mat();
        Cv2.Absdiff(oursMat, theirs, diff);
        Cv2.MinMaxLoc(diff.Reshape(1), out _, out double maxDiff);
        return new BenchRow(name, size, oursMs, cvMs, (int)maxDiff, worker.Path);
    }

    /// <summary>Median times of two actions run alternately, so both see the same machine load (shared machines are noisy).</summary>
    private static (double A, double B) MedianInterleaved(int iterations, Action a, Action b)
    {
        // Warm-up: JIT tiers, caches, worker wake-up; at least 10 runs each and 300 ms.
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 10 || Stopwatch.GetElapsedTime(start).TotalMilliseconds < 300; i++)
        {
            a();
            b();
        }
        var ta = new double[iterations];
        var tb = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            a();
            long t1 = Stopwatch.GetTimestamp();
            b();
            ta[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            tb[i] = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
        }
        Array.Sort(ta);
        Array.Sort(tb);
        return (ta[iterations / 2], tb[iterations / 2]);
    }
}
