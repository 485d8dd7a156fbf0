using OpenCvSharp;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Cli.Bench;

/// <summary>An OpenCV call ready to run on the source frame its function gives at each call, with the buffers it writes.</summary>
public sealed class PeerCall(Action<Mat> call, params Mat[] temporaries) : IDisposable
{
    /// <summary>The 8-bit result of the last call.</summary>
    public Mat Output { get; } = new();

    public void Invoke() => call(Output);

    public void Dispose()
    {
        Output.Dispose();
        foreach (var m in temporaries) m.Dispose();
    }
}

/// <summary>
/// The benchmark's source frames as images and as OpenCV Mats over the same bytes: one frame (the default, in cache
/// after the first call), or <see cref="BenchSettings.Frames"/> taken in turn, each side with its own turn, so that
/// each call reads a frame it has not read for N − 1 calls (8 BGR 1080p frames are 50 MB, more than the L3).
/// </summary>
public sealed class BenchFrames : IDisposable
{
    private readonly Image[] _images;
    private readonly Mat[] _mats;
    private int _nextImage, _nextMat;

    public BenchFrames(BenchSettings settings)
    {
        _images = [.. Enumerable.Range(0, Math.Max(1, settings.Frames)).Select(i => BenchCases.Frame(settings, i))];
        _mats = [.. _images.Select(f => Mat.FromPixelData(f.Height, f.Width, MatType.CV_8UC(f.Channels), f.Pointer))];
    }

    public Image First => _images[0];
    public Mat FirstMat => _mats[0];
    public Image NextImage() => _images[_nextImage++ % _images.Length];
    public Mat NextMat() => _mats[_nextMat++ % _mats.Length];

    public void Dispose()
    {
        foreach (var m in _mats) m.Dispose();
        GC.KeepAlive(_images); // the Mats point into their bytes
    }
}

/// <summary>One benchmarked operation: our filter (or chain, fused unless <see cref="Fuse"/> is false) and the OpenCV call(s) that compute the same thing; <see cref="Steps"/> &gt; 1 marks a chain of one step repeated (its per-step cost is reported).</summary>
public sealed record BenchCase(string Name, IReadOnlyList<FilterDefinition> Chain, Func<Func<Mat>, PeerCall> Peer, bool Fuse = true, int Steps = 1)
{
    public BenchCase(string name, FilterDefinition filter, Func<Func<Mat>, PeerCall> peer) : this(name, [filter], peer) { }
}

/// <summary>
/// The operations <c>videoconv bench</c> times, shared by the parent and the standalone peer process so both
/// run the very same call on the very same frame.
/// </summary>
public static class BenchCases
{
    /// <summary>Benchmark frame <paramref name="index"/>: random bytes from a fixed seed (frame 0: seed 42, as always).</summary>
    public static Image Frame(BenchSettings settings, int index = 0)
    {
        var src = new Image(new ImageFormat(settings.Width, settings.Height, settings.Channels));
        new Random(42 + index).NextBytes(src.Data);
        return src;
    }

    public static IReadOnlyList<BenchCase> All(BenchSettings settings)
    {
        var cases = new List<BenchCase>();
        foreach (int k in settings.KernelSizes ?? [3, 5, 7, 11])
        {
            var rng = new Random(k);
            var weights = Enumerable.Range(0, k * k).Select(_ => (float)(rng.NextDouble() * 2 - 1) / k).ToArray();
            cases.Add(new BenchCase($"filter2D {k}x{k} float", FilterDefinition.FromKernel(new Kernel(k, k, weights)), src => Filter2D(src, k, weights)));
        }

        // An integer kernel from the library (`sharpen`): filter2D computes it in float like any other.
        var sharpen = new float[] { 0, -1, 0, -1, 5, -1, 0, -1, 0 };
        cases.Add(new BenchCase("sharpen 3x3", FilterDefinition.FromKernel(new Kernel(3, 3, sharpen), "sharpen"), src => Filter2D(src, 3, sharpen)));

        // The library's `gaussian` (σ 1.2), and σ 0: OpenCV's tabulated [1 4 6 4 1]/16, the usual GaussianBlur call.
        foreach (double sigma in new[] { 1.2, 0 })
            cases.Add(new BenchCase($"gaussian 5x5 σ{sigma}", new FilterDefinition { Name = "gaussian", Kernels = [KernelGenerators.Gaussian(5, sigma)] },
                src => new PeerCall(dst => Cv2.GaussianBlur(src(), dst, new Size(5, 5), sigma, sigma, BorderTypes.Reflect101))));

        var sobel = Sobel;
        cases.Add(new BenchCase("sobel magnitude", sobel, SobelMagnitude));

        // Issue 13.4: a chain against OpenCV doing the same steps one after another (fused, and not, for the record).
        IReadOnlyList<FilterDefinition> chain = [new FilterDefinition { Name = "gaussian", Kernels = [KernelGenerators.Gaussian(5, 1.2)] },
            FilterDefinition.FromKernel(new Kernel(3, 3, sharpen), "sharpen"), sobel];
        Func<Func<Mat>, PeerCall> chainPeer = src =>
        {
            Mat blurred = new(), sharpened = new(), gx = new(), gy = new(), mag = new();
            var sharpenKernel = Mat.FromPixelData(3, 3, MatType.CV_32FC1, sharpen);
            return new PeerCall(dst =>
            {
                Cv2.GaussianBlur(src(), blurred, new Size(5, 5), 1.2, 1.2, BorderTypes.Reflect101);
                Cv2.Filter2D(blurred, sharpened, MatType.CV_8U, sharpenKernel, new Point(-1, -1), 0, BorderTypes.Reflect101);
                SobelInto(sharpened, gx, gy, mag, dst);
            }, blurred, sharpened, sharpenKernel, gx, gy, mag);
        };
        cases.Add(new BenchCase("gaussian→sharpen→sobel", chain, chainPeer));
        cases.Add(new BenchCase("gaussian→sharpen→sobel unfused", chain, chainPeer, Fuse: false));

        // Issue 13.4: a 10-step chain's per-step cost against one step's (the `sharpen 3x3` row): 10 × sharpen in the
        // chain's own schedule — step by step, as its later steps' halos add up to 18 rows, over FusedChain.MaxHalo (16);
        // OpenCV runs filter2D 10 times.
        var sharpenStep = FilterDefinition.FromKernel(new Kernel(3, 3, sharpen), "sharpen");
        IReadOnlyList<FilterDefinition> tenSharpen = [.. Enumerable.Repeat(sharpenStep, ChainSteps)];
        Func<Func<Mat>, PeerCall> tenPeer = src =>
        {
            Mat a = new(), b = new();
            var kernel = Mat.FromPixelData(3, 3, MatType.CV_32FC1, sharpen);
            return new PeerCall(dst =>
            {
                Mat from = src();
                for (int i = 0; i < ChainSteps; i++)
                {
                    var to = i == ChainSteps - 1 ? dst : i % 2 == 0 ? a : b;
                    Cv2.Filter2D(from, to, MatType.CV_8U, kernel, new Point(-1, -1), 0, BorderTypes.Reflect101);
                    from = to;
                }
            }, a, b, kernel);
        };
        cases.Add(new BenchCase($"sharpen×{ChainSteps} chain", tenSharpen, tenPeer, Steps: ChainSteps));
        return cases;
    }

    /// <summary>Steps of the repeated-sharpen chain (issue 13.4: a 10-step chain's per-step cost within 1.2× of one step's).</summary>
    public const int ChainSteps = 10;

    /// <summary>The single step the repeated chain is compared with.</summary>
    public const string SingleStep = "sharpen 3x3";

    private static FilterDefinition Sobel => new()
    {
        Name = "sobel", Mode = FilterMode.GradientMagnitude,
        Kernels = [Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }), Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })],
    };

    private static PeerCall SobelMagnitude(Func<Mat> src)
    {
        Mat gx = new(), gy = new(), mag = new();
        return new PeerCall(dst => SobelInto(src(), gx, gy, mag, dst), gx, gy, mag);
    }

    // OpenCV's usual gradient magnitude: Sobel x and y in float, magnitude, back to 8 bits.
    private static void SobelInto(Mat src, Mat gx, Mat gy, Mat mag, Mat dst)
    {
        Cv2.Sobel(src, gx, MatType.CV_32F, 1, 0, 3);
        Cv2.Sobel(src, gy, MatType.CV_32F, 0, 1, 3);
        Cv2.Magnitude(gx.Reshape(1), gy.Reshape(1), mag);
        mag.Reshape(src.Channels()).ConvertTo(dst, MatType.CV_8U);
    }


    private static PeerCall Filter2D(Func<Mat> src, int k, float[] weights)
    {
        var kernel = Mat.FromPixelData(k, k, MatType.CV_32FC1, weights);
        return new PeerCall(dst => Cv2.Filter2D(src(), dst, MatType.CV_8U, kernel, new Point(-1, -1), 0, BorderTypes.Reflect101), kernel);
    }
}
