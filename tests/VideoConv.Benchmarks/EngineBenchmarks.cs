using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using OpenCvSharp;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args);

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
