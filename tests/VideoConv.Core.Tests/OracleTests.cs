using VideoConv.Core.Borders;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>The engine against OpenCV on generated frames with fixed seeds: bit-exact where the maths is exact, else within 1 LSB.</summary>
public class OracleTests
{
    internal static Kernel RandomKernel(Random rng, int h, int w, bool integer) =>
        new(h, w, Enumerable.Range(0, h * w).Select(_ => integer ? rng.Next(-4, 5) : (float)(rng.NextDouble() * 2 - 0.8)).ToArray());

    private static void AssertMatches(Image expected, Image actual, bool exact, string what)
    {
        Assert.Equal(expected.Format, actual.Format);
        int diff = TestImages.MaxDifference(expected, actual);
        Assert.True(exact ? diff == 0 : diff <= 1, $"{what}: max |diff| {diff}; {TestImages.FirstDifference(expected, actual)}");
    }

    public static TheoryData<int, int, int, int, int, BorderMode> Filter2DCases()
    {
        var data = new TheoryData<int, int, int, int, int, BorderMode>();
        int[] sizes = [1, 2, 3, 5, 8, 17, 64, 129];
        var rng = new Random(2024);
        int seed = 0;
        foreach (var border in new[] { BorderMode.Reflect101, BorderMode.Reflect, BorderMode.Replicate, BorderMode.Constant })
            foreach (var channels in new[] { 1, 3, 4 })
                for (int i = 0; i < 4; i++)
                    data.Add(sizes[rng.Next(sizes.Length)], sizes[rng.Next(sizes.Length)], channels, rng.Next(1, 10), seed++, border);
        return data;
    }

    [Theory]
    [MemberData(nameof(Filter2DCases))]
    public void Apply_IntegerKernel_EqualsFilter2DExactly(int width, int height, int channels, int ksize, int seed, BorderMode border)
    {
        var rng = new Random(seed);
        int kh = ksize, kw = Math.Max(1, ksize + rng.Next(-1, 2)); // square and non-square, even sizes too
        var src = TestImages.Random(width, height, channels, seed);
        var f = FilterDefinition.FromKernel(RandomKernel(rng, kh, kw, integer: true)) with { Border = border, Bias = rng.Next(-20, 60) };
        AssertMatches(Oracle.Filter2D(src, f), Oracle.Engine(src, f), exact: true, $"{kh}x{kw} on {src.Format} {border}");
    }

    [Theory]
    [MemberData(nameof(Filter2DCases))]
    public void Apply_FloatKernel_WithinOneOfFilter2D(int width, int height, int channels, int ksize, int seed, BorderMode border)
    {
        var rng = new Random(seed + 1000);
        var src = TestImages.Random(width, height, channels, seed);
        var f = FilterDefinition.FromKernel(RandomKernel(rng, ksize, ksize, integer: false)) with { Border = border, Scale = 0.37f, Bias = 3.25f };
        AssertMatches(Oracle.Filter2D(src, f), Oracle.Engine(src, f), exact: false, $"{ksize}x{ksize} float on {src.Format} {border}");
    }

    [Theory]
    [InlineData(0.0625f, 0f)]
    [InlineData(0.5f, 7f)]
    [InlineData(0.25f, -3f)]
    public void Apply_PowerOfTwoScaleIntegerBias_EqualsFilter2DExactly(float scale, float bias)
    {
        var src = TestImages.Random(97, 61, 3, 7);
        var f = FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 1, 2, 1 }, { 2, 4, 2 }, { 1, 2, 1 } })) with { Scale = scale, Bias = bias };
        AssertMatches(Oracle.Filter2D(src, f), Oracle.Engine(src, f), exact: true, "binomial with power-of-two scale");
        AssertMatches(Oracle.Filter2D(src, f), Oracle.Engine(src, f, direct: true), exact: true, "binomial, direct path");
    }

    [Theory]
    [InlineData(1920, 1080, 3, 3)]
    [InlineData(1920, 1080, 3, 5)]
    [InlineData(1280, 720, 4, 7)]
    [InlineData(1920, 1080, 1, 9)]
    public void Apply_FullHdFrames_EqualFilter2DExactly(int width, int height, int channels, int ksize)
    {
        var rng = new Random(ksize);
        var src = TestImages.Random(width, height, channels, ksize);
        var f = FilterDefinition.FromKernel(RandomKernel(rng, ksize, ksize, integer: true));
        AssertMatches(Oracle.Filter2D(src, f), Oracle.Engine(src, f), exact: true, $"{ksize}x{ksize} on {src.Format}");
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 0)]
    [InlineData(0, 2)]
    [InlineData(2, 2)]
    public void Apply_ExplicitAnchor_EqualsFilter2D(int ay, int ax)
    {
        var src = TestImages.Random(40, 23, 3, ay * 10 + ax);
        var f = FilterDefinition.FromKernel(RandomKernel(new Random(5), 3, 3, integer: true)) with { Anchor = new Pair(ay, ax) };
        AssertMatches(Oracle.Filter2D(src, f), Oracle.Engine(src, f), exact: true, $"anchor ({ay},{ax})");
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 60)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Apply_AnyGeometry_EqualsConv2dOracle(int seed)
    {
        var rng = new Random(seed);
        int kh = rng.Next(1, 8), kw = rng.Next(1, 8);
        var border = (BorderMode)rng.Next(5);
        var padding = rng.Next(3) switch
        {
            0 => Padding.Same,
            1 => Padding.Valid,
            _ => Padding.Of(rng.Next(0, 4), rng.Next(0, 4)),
        };
        var stride = padding.Kind == PaddingKind.Same && rng.Next(2) == 0 ? Pair.Of(1) : new Pair(rng.Next(1, 4), rng.Next(1, 4));
        var dilation = new Pair(rng.Next(1, 3), rng.Next(1, 3));
        int width = rng.Next(1, 50) + (kw - 1) * dilation.X, height = rng.Next(1, 50) + (kh - 1) * dilation.Y;
        var src = TestImages.Random(width, height, new[] { 1, 3, 4 }[rng.Next(3)], seed);
        var f = FilterDefinition.FromKernel(RandomKernel(rng, kh, kw, integer: true)) with
        {
            Border = border, BorderValue = rng.Next(0, 256), Padding = padding, Stride = stride, Dilation = dilation, Bias = rng.Next(-10, 10),
        };
        string what = $"{kh}x{kw} {border} padding {padding} stride {stride} dilation {dilation} on {src.Format}";
        var expected = Oracle.Conv2d(src, f);
        AssertMatches(expected, Oracle.Engine(src, f), exact: true, what);
        AssertMatches(expected, Oracle.Engine(src, f, direct: true), exact: true, what + " (direct)");
        AssertMatches(expected, Convolution.ReferenceConvolution.Apply(f, src), exact: true, what + " (reference)");
    }

    [Theory]
    [InlineData("sobel", 3, 1f)]
    [InlineData("scharr", 3, 1f)]
    [InlineData("prewitt", 1, 1f)]
    [InlineData("sobel", 1, 0.25f)]
    [InlineData("scharr", 4, 0.125f)]
    public void Apply_GradientMagnitude_EqualsOpenCvMagnitude(string kind, int channels, float scale)
    {
        var (gx, gy) = kind switch
        {
            "sobel" => (new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }, new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } }),
            "scharr" => (new float[,] { { -3, 0, 3 }, { -10, 0, 10 }, { -3, 0, 3 } }, new float[,] { { -3, -10, -3 }, { 0, 0, 0 }, { 3, 10, 3 } }),
            _ => (new float[,] { { -1, 0, 1 }, { -1, 0, 1 }, { -1, 0, 1 } }, new float[,] { { -1, -1, -1 }, { 0, 0, 0 }, { 1, 1, 1 } }),
        };
        var src = TestImages.Random(131, 77, channels, 3);
        var f = new FilterDefinition { Mode = FilterMode.GradientMagnitude, Kernels = [Kernel.FromArray(gx), Kernel.FromArray(gy)], Scale = scale };
        // gx² + gy² is exact in float32 only while it stays below 2^24: true for unscaled 3×3 gradients.
        AssertMatches(Oracle.Conv2d(src, f), Oracle.Engine(src, f), exact: scale == 1f, kind);
    }

    [Fact]
    public void Apply_ChannelMixLayer_EqualsSumOfPerChannelFilter2D()
    {
        var rng = new Random(11);
        var src = TestImages.Random(67, 45, 3, 11);
        var layer = new ConvLayer(
            [.. Enumerable.Range(0, 1).Select(_ => (IReadOnlyList<Kernel>)[.. Enumerable.Range(0, 3).Select(_ => RandomKernel(rng, 3, 3, true))])],
            [12f]);
        var f = new FilterDefinition { Mode = FilterMode.ChannelMix, Layer = layer };
        var expected = Oracle.Conv2d(src, f);
        Assert.Equal(1, expected.Channels);
        AssertMatches(expected, Oracle.Engine(src, f), exact: true, "BGR → 1 layer");
        AssertMatches(expected, Convolution.ReferenceConvolution.Apply(f, src), exact: true, "reference");
    }

    [Fact]
    public void Apply_PerChannelKernelsWithSelection_FiltersSelectedAndCopiesTheRest()
    {
        var rng = new Random(12);
        var src = TestImages.Random(50, 30, 4, 12);
        var f = new FilterDefinition
        {
            Kernels = [RandomKernel(rng, 3, 3, true), RandomKernel(rng, 3, 3, true)], PerChannelKernels = true, Channels = [0, 2],
        };
        var actual = Oracle.Engine(src, f);
        AssertMatches(Oracle.Conv2d(src, f), actual, exact: true, "per-channel with selection");
        for (int i = 1; i < src.Data.Length; i += 4) Assert.Equal(src.Data[i], actual.Data[i]);
    }

    [Fact]
    public void Apply_SharedKernelWithSelection_LeavesOtherChannelsUnchanged()
    {
        var src = TestImages.Random(33, 21, 3, 13);
        var f = FilterDefinition.FromKernel(RandomKernel(new Random(13), 5, 5, true)) with { Channels = [1] };
        var actual = Oracle.Engine(src, f);
        AssertMatches(Oracle.Conv2d(src, f), actual, exact: true, "selection");
        for (int i = 0; i < src.Data.Length; i++)
            if (i % 3 != 1) Assert.Equal(src.Data[i], actual.Data[i]);
    }
}
