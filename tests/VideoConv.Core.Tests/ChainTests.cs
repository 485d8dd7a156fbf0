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
}
