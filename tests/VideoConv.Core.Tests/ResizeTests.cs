using OpenCvSharp;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Geometry;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>Resize and crop steps against OpenCV's <c>cv::resize</c> and <c>Mat(roi)</c>, and inside chains.</summary>
/// <remarks>
/// OpenCV hands 8-bit bicubic (not bilinear, not area: those it keeps to its own code because IPP's differ) to IPP
/// when IPP is on, as in the bundled build; ours is OpenCV's own algorithm, so bicubic is compared bit for bit with
/// IPP switched off (<c>setUseOptimized(false)</c>, process-wide: these tests run alone) and within 1 with it on.
/// </remarks>
[Collection(nameof(OpenCvOptimizationSwitch))]
public class ResizeTests
{
    private static InterpolationFlags ToCv(ResizeMethod m) => m switch
    {
        ResizeMethod.Area => InterpolationFlags.Area,
        ResizeMethod.Bicubic => InterpolationFlags.Cubic,
        _ => InterpolationFlags.Linear,
    };

    private static Image OpenCvResize(Image src, int width, int height, ResizeMethod method, bool ipp = true)
    {
        using var s = Oracle.AsMat(src);
        using var d = new Mat();
        bool was = Cv2.UseOptimized();
        Cv2.SetUseOptimized(ipp);
        try { Cv2.Resize(s, d, new OpenCvSharp.Size(width, height), 0, 0, ToCv(method)); }
        finally { Cv2.SetUseOptimized(was); }
        return Oracle.FromMat(d);
    }

    private static Image Ours(Image src, FilterDefinition step, int threads = 2)
    {
        using var scheduler = new Parallel.BandScheduler(threads);
        var filter = ConvolutionEngine.Create(step, src.Format, scheduler);
        var dst = new Image(filter.Output);
        filter.Apply(src, dst);
        return dst;
    }

    public static TheoryData<int, int, int, int, int> Sizes() => new()
    {
        { 64, 48, 32, 24, 3 },     // halving: OpenCV's 2×2 area path, also for bilinear
        { 64, 48, 32, 24, 1 },
        { 70, 48, 35, 24, 4 },
        { 130, 66, 65, 33, 3 },    // halving, an odd number of output pixels a row
        { 97, 61, 50, 33, 3 },     // odd downscale
        { 31, 17, 70, 41, 3 },     // upscale
        { 90, 60, 30, 20, 3 },     // integer factor 3
        { 93, 60, 31, 15, 1 },     // integer factors 3 and 4
        { 100, 60, 20, 30, 4 },    // integer factors 5 and 2
        { 40, 30, 25, 45, 3 },     // down in x, up in y
        { 50, 40, 33, 27, 1 },
        { 50, 40, 71, 23, 4 },
        { 1, 7, 5, 3, 3 },         // one-pixel-wide source
        { 45, 31, 29, 50, 2 },     // two channels (no vector paths)
        { 64, 48, 32, 24, 2 },
        { 333, 17, 331, 19, 3 },   // widths not a multiple of the vector step
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Resize_Bilinear_MatchesOpenCvExactly(int w, int h, int dw, int dh, int c) => Compare(w, h, dw, dh, c, ResizeMethod.Bilinear, 0);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Resize_Area_MatchesOpenCvExactly(int w, int h, int dw, int dh, int c) => Compare(w, h, dw, dh, c, ResizeMethod.Area, 0);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Resize_Bicubic_MatchesOpenCvsOwnCodeExactly(int w, int h, int dw, int dh, int c) => Compare(w, h, dw, dh, c, ResizeMethod.Bicubic, 0, ipp: false);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Resize_Bicubic_IsWithinOneOfOpenCvWithIpp(int w, int h, int dw, int dh, int c) => Compare(w, h, dw, dh, c, ResizeMethod.Bicubic, 1);

    [Theory]
    [InlineData(ResizeMethod.Bilinear, true)]
    [InlineData(ResizeMethod.Area, true)]
    [InlineData(ResizeMethod.Bicubic, false)]
    public void Resize_1080pTo720p_MatchesOpenCvExactly(ResizeMethod method, bool ipp) => Compare(1920, 1080, 1280, 720, 3, method, 0, ipp);

    private static void Compare(int w, int h, int dw, int dh, int c, ResizeMethod method, int tolerance, bool ipp = true)
    {
        var src = TestImages.Random(w, h, c, w * 31 + dh);
        var ours = Ours(src, FilterDefinition.Resizing(new ResizeSpec(dw, dh, method)));
        var cv = OpenCvResize(src, dw, dh, method, ipp);
        Assert.Equal(cv.Format, ours.Format);
        int diff = TestImages.MaxDifference(cv, ours);
        Assert.True(diff <= tolerance, $"{method} {w}x{h}->{dw}x{dh}x{c}: max difference {diff}; {TestImages.FirstDifference(cv, ours)}");
    }

    [Fact]
    public void Resize_AnyBandSplit_GivesTheSameBits()
    {
        var src = TestImages.Random(211, 157, 3, 9);
        foreach (var method in new[] { ResizeMethod.Bilinear, ResizeMethod.Area, ResizeMethod.Bicubic })
        {
            var step = FilterDefinition.Resizing(new ResizeSpec(150, 301, method));
            Assert.Equal(Ours(src, step, 1).Data, Ours(src, step, 3).Data);
        }
    }

    [Theory]
    [InlineData(1920, 1080, 1280, -1, 1280, 720)]
    [InlineData(1920, 1080, -1, 720, 1280, 720)]
    [InlineData(640, 480, 301, -1, 301, 226)]   // 225.75 → 226
    [InlineData(640, 480, 301, -2, 301, 226)]   // 112.875 → 113 → 226
    [InlineData(640, 480, 299, -2, 299, 224)]   // 112.125 → 112 → 224
    [InlineData(100, 100, -4, 50, 52, 50)]      // 12.5 → 13 (half away from zero, as av_rescale) → 52
    public void SizeFor_KeepsTheAspectRatioAsFfmpegScale(int w, int h, int rw, int rh, int ew, int eh) =>
        Assert.Equal((ew, eh), new ResizeSpec(rw, rh).SizeFor(w, h));

    [Fact]
    public void Crop_MatchesMatRoi()
    {
        var src = TestImages.Random(97, 61, 3, 4);
        var ours = Ours(src, FilterDefinition.Cropping(new CropRect(13, 7, 50, 40)));
        using var s = Oracle.AsMat(src);
        using var roi = new Mat(s, new Rect(13, 7, 50, 40));
        Assert.Equal(Oracle.FromMat(roi.Clone()).Data, ours.Data);
    }

    [Fact]
    public void Crop_OutsideTheFrame_IsRefusedWithTheRectangleAndTheFrame()
    {
        var ex = Assert.Throws<FilterDefinitionException>(() => new FilterChain([Sharpen, FilterDefinition.Cropping(new CropRect(40, 0, 30, 10))], new ImageFormat(64, 48, 3)));
        Assert.StartsWith("chain step 2: crop: ", ex.Message);
        Assert.Contains("64x48", ex.Message);
        Assert.Equal(1, ex.Step);
        Assert.Equal("crop", ex.Key);
    }

    private static readonly FilterDefinition Sharpen = FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } }), "sharpen");
    private static readonly FilterDefinition Gauss = FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 0), "gaussian");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Chain_WithResizeAndCrop_MatchesStepByStepAndBreaksFusionThere(bool fuse)
    {
        var src = TestImages.Random(160, 120, 3, 6);
        List<FilterDefinition> defs = [Gauss, Sharpen, FilterDefinition.Resizing(new ResizeSpec(101, -1, ResizeMethod.Bicubic)), Gauss, Sharpen, FilterDefinition.Cropping(new CropRect(3, 4, 50, 40)), Sharpen];
        using var scheduler = new Parallel.BandScheduler(2);
        var chain = new FilterChain(defs, src.Format, scheduler, fuse);
        Assert.Equal(new ImageFormat(50, 40, 3), chain.Output);
        var dst = new Image(chain.Output);
        chain.Apply(src, dst);
        chain.Apply(src, dst);
        var expected = src;
        foreach (var d in defs) expected = Ours(expected, d);
        Assert.Equal(expected.Data, dst.Data);
        Assert.Equal(fuse, chain.Fused);
        if (fuse) Assert.Matches(@"^\(fused: .+\) \| resize bicubic .* \| \(fused: .+\) \| crop \| ", chain.Path);
        var estimate = ChainMemory.Estimate(defs, src.Format, 2, fuse);
        Assert.True(estimate.Intermediates >= 2 * 101L * 76 * 3, $"intermediates {estimate.Intermediates}");
    }

    [Fact]
    public void Times_ThreeSteps_CountEveryFrameAndSomeTimeInEach()
    {
        var src = TestImages.Random(320, 240, 3, 8);
        foreach (bool fuse in new[] { true, false })
        {
            using var scheduler = new Parallel.BandScheduler(2);
            var chain = new FilterChain([Gauss, Sharpen, FilterDefinition.Resizing(new ResizeSpec(160, 120))], src.Format, scheduler, fuse);
            var dst = new Image(chain.Output);
            for (int i = 0; i < 5; i++) chain.Apply(src, dst);
            var times = chain.Times.Snapshot();
            Assert.Equal(["gaussian", "sharpen", "resize"], times.Select(t => t.Filter));
            Assert.Equal([0, 1, 2], times.Select(t => t.Step));
            Assert.All(times, t => Assert.Equal(5, t.Frames));
            Assert.All(times, t => Assert.True(t.CpuMs > 0, $"step {t.Step + 1}: {t.CpuMs} ms"));
            chain.Times.Reset();
            Assert.All(chain.Times.Snapshot(), t => Assert.Equal(0, t.Frames));
        }
    }

    [Fact]
    public void Validate_BadSizes_AreRefusedWithTheKey()
    {
        Assert.Equal("resize", Assert.Throws<FilterDefinitionException>(() => FilterDefinition.Resizing(new ResizeSpec(0, 10)).Validate()).Key);
        Assert.Equal("resize", Assert.Throws<FilterDefinitionException>(() => FilterDefinition.Resizing(new ResizeSpec(-1, -1)).Validate()).Key);
        Assert.Equal("crop", Assert.Throws<FilterDefinitionException>(() => FilterDefinition.Cropping(new CropRect(0, 0, 0, 5)).Validate()).Key);
    }
}

/// <summary>Tests that switch OpenCV's optimizations (IPP) off for a call run alone: the switch is process-wide.</summary>
[CollectionDefinition(nameof(OpenCvOptimizationSwitch), DisableParallelization = true)]
public sealed class OpenCvOptimizationSwitch;
