using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>Chains: bounded intermediates whatever the length, the memory estimate, steps named in refusals.</summary>
public class ChainTests
{
    private static readonly FilterDefinition Identity = FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 1 } }), "identity");
    private static readonly FilterDefinition Sharpen = FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } }), "sharpen");

    [Fact]
    public void Apply_TenThousandIdentitySteps_RunsInTwoIntermediatesAndKeepsTheFrame()
    {
        var src = TestImages.Random(64, 48, 3, 5);
        var chain = new FilterChain(Enumerable.Repeat(Identity, 10_000).ToList(), src.Format);
        Assert.Equal(2 * src.Format.TotalBytes, chain.Memory.Intermediates);
        var dst = new Image(chain.Output);
        chain.Apply(src, dst);
        Assert.Equal(src.Data, dst.Data);
    }

    [Fact]
    public void Estimate_TenThousandIdentityStepsAt1080p_FitsInTwoFramesPlusBuffers()
    {
        var format = new ImageFormat(1920, 1080, 3);
        var estimate = ChainMemory.Estimate(Enumerable.Repeat(Identity, 10_000).ToList(), format, 2);
        Assert.Equal(2 * format.TotalBytes, estimate.Intermediates);
        // Per step: two threads' one-row rings (≈ 5.8 KB each) and the border tables (≈ 12 KB): ≈ 0.25 GB in all,
        // against ≈ 62 GB when every step had its own intermediate frame.
        Assert.InRange(estimate.Total, 100L << 20, 600L << 20);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Apply_PingPong_MatchesStepByStep(int steps)
    {
        var src = TestImages.Random(97, 61, 3, steps);
        var defs = Enumerable.Range(0, steps).Select(i => (i % 3) switch
        {
            0 => Sharpen,
            1 => FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2)),
            _ => FilterDefinition.FromKernel(OracleTests.RandomKernel(new Random(i), 3, 3, false)) with { Stride = Pair.Of(2), Padding = Padding.Of(1) },
        }).ToList();
        var chain = new FilterChain(defs, src.Format);
        var dst = new Image(chain.Output);
        chain.Apply(src, dst);
        chain.Apply(src, dst); // a second frame through the same buffers
        var expected = src;
        foreach (var d in defs) expected = Oracle.Engine(expected, d);
        Assert.Equal(expected.Format, dst.Format);
        Assert.Equal(expected.Data, dst.Data);
    }

    [Fact]
    public void Check_ChainOverAvailableMemory_IsRefusedWithTheEstimate()
    {
        var chain = Enumerable.Repeat(FilterDefinition.FromKernel(OracleTests.RandomKernel(new Random(3), 5, 5, false)), 1000).ToList();
        var ex = Assert.Throws<FilterDefinitionException>(() => ChainMemory.Check(chain, new ImageFormat(1920, 1080, 3), 2, available: 256L << 20));
        Assert.Matches(@"the chain of 1000 steps on 1920x1080x3 frames needs about \d+ MiB .* of working memory, over the 192 MiB it may use here", ex.Message);
        Assert.Null(ex.Key);
    }

    [Fact]
    public void Estimate_IsAnUpperBoundOfWhatBuildingAllocates()
    {
        var format = new ImageFormat(1280, 720, 3);
        var defs = new List<FilterDefinition>
        {
            Sharpen, FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2)), FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 0)),
            FilterDefinition.FromKernel(OracleTests.RandomKernel(new Random(4), 7, 7, false)),
        };
        using var scheduler = new Parallel.BandScheduler(2);
        var estimate = ChainMemory.Estimate(defs, format, scheduler.Workers);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var chain = new FilterChain(defs, format, scheduler);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(chain);
        Assert.True(estimate.Total >= allocated * 0.9, $"estimate {estimate.Total} below the {allocated} bytes allocated");
        Assert.True(estimate.Total <= allocated * 3, $"estimate {estimate.Total} over 3x the {allocated} bytes allocated");
    }

    [Fact]
    public void Create_StepRefused_NamesStepAndKeepsKey()
    {
        var bad = Sharpen with { Stride = new Pair(0, 1) };
        var ex = Assert.Throws<FilterDefinitionException>(() => new FilterChain([Sharpen, bad], new ImageFormat(16, 16, 3)));
        Assert.StartsWith("chain step 2: ", ex.Message);
        Assert.Equal(1, ex.Step);
        Assert.Equal("stride", ex.Key);
    }

    private static FilterDefinition Sobel => new()
    {
        Name = "sobel", Mode = FilterMode.GradientMagnitude,
        Kernels = [Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }), Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })],
    };

    public static TheoryData<string, int, int, int> FusedCases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var chain in new[] { "gaussian-sharpen-sobel", "float5-box3", "mix-sharpen", "select-gauss0", "constant-dilated", "reflect-replicate" })
            foreach (var (w, h) in new[] { (301, 203), (97, 61), (5, 3), (1, 1), (33, 17) })
                foreach (int c in new[] { 1, 3, 4 })
                    if (!(chain == "mix-sharpen" && c != 3)) data.Add(chain, w, h, c);
        return data;
    }

    private static List<FilterDefinition> NamedChain(string name) => name switch
    {
        "gaussian-sharpen-sobel" => [FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2)), Sharpen, Sobel],
        "float5-box3" => [FilterDefinition.FromKernel(OracleTests.RandomKernel(new Random(9), 5, 5, false)), FilterDefinition.FromKernel(KernelGenerators.Box(3)), Identity],
        "mix-sharpen" => [new FilterDefinition { Mode = FilterMode.ChannelMix, Layer = new ConvLayer([[Kernel.FromArray(new float[,] { { 0.25f } }), Kernel.FromArray(new float[,] { { 0.5f } }), Kernel.FromArray(new float[,] { { 0.25f } })]], [0f]) }, Sharpen],
        "select-gauss0" => [FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 0)) with { Channels = [0] }, Sharpen with { Border = Borders.BorderMode.Replicate }],
        "constant-dilated" => [Sharpen with { Border = Borders.BorderMode.Constant, BorderValue = 7 }, FilterDefinition.FromKernel(KernelGenerators.Box(3)) with { Dilation = Pair.Of(2) }, Sharpen],
        _ => [Sharpen with { Border = Borders.BorderMode.Reflect }, FilterDefinition.FromKernel(KernelGenerators.Gaussian(7, 2)) with { Border = Borders.BorderMode.Replicate }, Sobel],
    };

    [Theory]
    [MemberData(nameof(FusedCases))]
    public void Apply_Fused_SameBitsAsStepByStep(string name, int width, int height, int channels)
    {
        var src = TestImages.Random(width, height, channels, width + height);
        var defs = NamedChain(name);
        using var scheduler = new Parallel.BandScheduler(2);
        var fused = new FilterChain(defs, src.Format, scheduler);
        Assert.True(fused.Fused, fused.Path);
        var unfused = new FilterChain(defs, src.Format, scheduler, fuse: false);
        Assert.False(unfused.Fused);
        var a = new Image(fused.Output);
        var b = new Image(unfused.Output);
        fused.Apply(src, a);
        unfused.Apply(src, b);
        Assert.Equal(b.Data, a.Data);
    }

    [Fact]
    public void Create_WrapBorderOrStrideOrLongHalo_IsNotFused()
    {
        var format = new ImageFormat(64, 48, 3);
        Assert.False(new FilterChain([Sharpen, Sharpen with { Border = Borders.BorderMode.Wrap }], format).Fused);
        Assert.False(new FilterChain([Sharpen, Sharpen with { Stride = Pair.Of(2) }], format).Fused);
        Assert.False(new FilterChain(Enumerable.Repeat(Sharpen, 10).ToList(), format).Fused); // halos 2 × 9 = 18 rows > 16
        Assert.True(new FilterChain(Enumerable.Repeat(Sharpen, 9).ToList(), format).Fused);
        Assert.False(new FilterChain(Enumerable.Repeat(Identity, 17).ToList(), format).Fused); // over 16 steps
        Assert.True(new FilterChain(Enumerable.Repeat(Identity, 16).ToList(), format).Fused);
    }
}
