using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>Bad filter definitions are refused with messages that say what is wrong.</summary>
public class ValidationTests
{
    private static readonly Kernel K3 = Kernel.FromArray(new float[,] { { 0, 1, 0 }, { 1, 1, 1 }, { 0, 1, 0 } });

    private static string Refusal(FilterDefinition f, ImageFormat? format = null) =>
        Assert.Throws<FilterDefinitionException>(() => ConvolutionEngine.Create(f, format ?? new ImageFormat(8, 8, 3))).Message;

    [Fact]
    public void Kernel_Ragged_IsRefused() =>
        Assert.Contains("ragged: row 2 has 2 values, row 1 has 3",
            Assert.Throws<FilterDefinitionException>(() => Kernel.FromRows([[1, 2, 3], [4, 5]])).Message);

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Kernel_NonFiniteWeight_IsRefused(float w) =>
        Assert.Contains("not a finite number", Assert.Throws<FilterDefinitionException>(() => new Kernel(1, 1, [w])).Message);

    [Fact]
    public void Kernel_AbsurdSize_IsRefusedBeforeAllocating() =>
        Assert.Contains("larger than the 255x255 limit",
            Assert.Throws<FilterDefinitionException>(() => new Kernel(10000, 10000, ReadOnlySpan<float>.Empty)).Message);

    [Fact]
    public void Create_ZeroStride_IsRefused() =>
        Assert.Contains("stride must be at least 1", Refusal(FilterDefinition.FromKernel(K3) with { Stride = new Pair(0, 1) }));

    [Fact]
    public void Create_NegativeDilation_IsRefused() =>
        Assert.Contains("dilation must be at least 1", Refusal(FilterDefinition.FromKernel(K3) with { Dilation = Pair.Of(-1) }));

    [Fact]
    public void Create_EmptyOutput_IsRefused() =>
        Assert.Contains("empty output", Refusal(FilterDefinition.FromKernel(K3) with { Padding = Padding.Valid, Dilation = Pair.Of(4) }));

    [Fact]
    public void Create_AnchorWithExplicitPadding_IsRefused() =>
        Assert.Contains("anchor only applies with padding: same", Refusal(FilterDefinition.FromKernel(K3) with { Anchor = Pair.Of(0), Padding = Padding.Of(1) }));

    [Fact]
    public void Create_AnchorOutsideKernel_IsRefused() =>
        Assert.Contains("outside the 3x3 kernel", Refusal(FilterDefinition.FromKernel(K3) with { Anchor = new Pair(3, 0) }));

    [Fact]
    public void Create_LayerWithWrongInChannels_IsRefused()
    {
        var layer = new ConvLayer([[K3, K3]], []);
        Assert.Contains("expects 2 input channels", Refusal(new FilterDefinition { Mode = FilterMode.ChannelMix, Layer = layer }));
    }

    [Fact]
    public void Create_SelectionOfMissingChannel_IsRefused() =>
        Assert.Contains("selects channel 3, the frame has 3 channels", Refusal(FilterDefinition.FromKernel(K3) with { Channels = [0, 3] }));

    [Fact]
    public void Create_PerChannelKernelCountMismatch_IsRefused() =>
        Assert.Contains("2 per-channel kernels for 3 channels", Refusal(new FilterDefinition { Kernels = [K3, K3], PerChannelKernels = true }));

    [Fact]
    public void Create_MixedKernelSizes_IsRefused() =>
        Assert.Contains("same size", Refusal(new FilterDefinition { Mode = FilterMode.GradientMagnitude, Kernels = [K3, new Kernel(1, 3, [1, 0, -1])] }));

    [Fact]
    public void Image_FrameTooLargeForMemory_IsRefusedBeforeAllocating() =>
        Assert.Contains("over the", Assert.Throws<ArgumentException>(() => new Image(100_000, 100_000, 3)).Message);

    [Fact]
    public void TrySeparate_IdentityAndZeroRows_DoNotBreakDetection()
    {
        var identity = Kernel.FromArray(new float[,] { { 0, 0, 0 }, { 0, 1, 0 }, { 0, 0, 0 } });
        Assert.True(identity.TrySeparate(out var col, out var row));
        Assert.Equal([0f, 1f, 0f], col);
        Assert.Equal([0f, 1f, 0f], row);
        var zeroRow = Kernel.FromArray(new float[,] { { 1, 2, 1 }, { 0, 0, 0 }, { -1, -2, -1 } });
        Assert.True(zeroRow.TrySeparate(out _, out _));
        var zero = new Kernel(3, 3, new float[9]);
        Assert.False(zero.TrySeparate(out _, out _));
        Assert.False(K3.TrySeparate(out _, out _)); // rank two
    }

    [Fact]
    public void Apply_AllZeroKernel_GivesBias()
    {
        var src = TestImages.Random(9, 7, 3, 1);
        var dst = Oracle.Engine(src, FilterDefinition.FromKernel(new Kernel(3, 3, new float[9])) with { Bias = 42 });
        Assert.All(dst.Data, b => Assert.Equal(42, b));
    }

    private static FilterDefinitionException RefusalOf(FilterDefinition f) =>
        Assert.Throws<FilterDefinitionException>(() => ConvolutionEngine.Create(f, new ImageFormat(8, 8, 3)));

    [Fact]
    public void Create_ScaledWeightsOverflowFloat_IsRefusedBlamingScale()
    {
        // Issue 10 case 12: gave NaN, written as 255, where OpenCV gives 0.
        var ex = RefusalOf(FilterDefinition.FromKernel(new Kernel(1, 2, [1e30f, -1e30f])) with { Scale = 3e8f });
        Assert.Equal("scale", ex.Key);
        Assert.Contains("overflow float32", ex.Message);
    }

    [Fact]
    public void Create_WeightsWhoseSumsOverflow_IsRefusedBlamingTheKernel()
    {
        Assert.Equal("kernel", RefusalOf(FilterDefinition.FromKernel(new Kernel(1, 2, [3e38f, 3e38f]))).Key);
        var big = Kernel.FromArray(new float[,] { { 1e18f, 0, -1e18f } });
        Assert.Equal("magnitude", RefusalOf(new FilterDefinition { Mode = FilterMode.GradientMagnitude, Kernels = [big, big] }).Key);
        var layer = new ConvLayer([[new Kernel(1, 1, [2e38f]), new Kernel(1, 1, [2e38f]), new Kernel(1, 1, [1f])]], []);
        Assert.Equal("weights", RefusalOf(new FilterDefinition { Mode = FilterMode.ChannelMix, Layer = layer }).Key);
        Assert.Equal("kernels", RefusalOf(new FilterDefinition { Kernels = [K3, K3, new Kernel(1, 1, [3e38f])], PerChannelKernels = true }).Key);
    }

    [Fact]
    public void Create_LargeWeightsThatFit_AreAccepted()
    {
        // 1e30 · 255 fits float32; scaled back down it is an ordinary kernel.
        var src = TestImages.Random(9, 7, 3, 2);
        var dst = Oracle.Engine(src, FilterDefinition.FromKernel(new Kernel(1, 1, [1e30f])) with { Scale = 1e-30f });
        Assert.Equal(src.Data, dst.Data);
    }

    [Theory]
    [InlineData("stride")]
    [InlineData("dilation")]
    [InlineData("anchor")]
    [InlineData("channels")]
    [InlineData("scale")]
    [InlineData("kernels")]
    public void Create_Refusal_CarriesTheKeyItBlames(string key)
    {
        var f = FilterDefinition.FromKernel(K3);
        f = key switch
        {
            "stride" => f with { Stride = new Pair(0, 1) },
            "dilation" => f with { Dilation = Pair.Of(0) },
            "anchor" => f with { Anchor = new Pair(3, 0) },
            "channels" => f with { Channels = [0, 3] },
            "scale" => f with { Scale = float.NaN },
            _ => new FilterDefinition { Kernels = [K3, K3], PerChannelKernels = true },
        };
        Assert.Equal(key, RefusalOf(f).Key);
    }
}
