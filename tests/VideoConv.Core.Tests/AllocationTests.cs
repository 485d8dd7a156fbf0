using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>The steady-state frame loop allocates nothing: every buffer is made when a worker is built.</summary>
public class AllocationTests
{
    public static TheoryData<string> Filters() => ["direct", "separable", "fixed16", "fixed16 direct", "magnitude", "mix", "strided"];

    private static FilterDefinition Make(string kind) => kind switch
    {
        "direct" => FilterDefinition.FromKernel(OracleTests.RandomKernel(new Random(1), 5, 5, false)),
        "separable" => FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2)),
        "fixed16" => FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 0)),
        "fixed16 direct" => FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } })),
        "magnitude" => new FilterDefinition
        {
            Mode = FilterMode.GradientMagnitude,
            Kernels = [Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }), Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })],
        },
        "mix" => new FilterDefinition { Mode = FilterMode.ChannelMix, Layer = new ConvLayer([[Kernel.FromArray(new float[,] { { 1 } }), Kernel.FromArray(new float[,] { { 2 } }), Kernel.FromArray(new float[,] { { 1 } })]], [0f]) },
        _ => FilterDefinition.FromKernel(OracleTests.RandomKernel(new Random(2), 3, 3, true)) with { Stride = Pair.Of(2), Padding = Padding.Of(1) },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public void Apply_SteadyState_AllocatesNothing(string kind)
    {
        var src = TestImages.Random(640, 360, 3, 1);
        // A one-thread scheduler keeps every band on this thread, where allocations can be counted exactly.
        using var scheduler = new Parallel.BandScheduler(1);
        var chain = new FilterChain([Make(kind), FilterDefinition.FromKernel(KernelGenerators.Box(3))], src.Format, scheduler);
        var dst = new Image(chain.Output);
        for (int i = 0; i < 40; i++) chain.Apply(src, dst); // JIT tiering and first touch
        // Tiered JIT may still allocate while it promotes methods, and the counter is process-wide, so take the
        // best of a few rounds: a per-frame allocation would show up in every round, never as zero.
        long best = long.MaxValue;
        for (int round = 0; round < 5 && best > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) chain.Apply(src, dst);
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(best == 0, $"{kind}: {best} bytes allocated on the calling thread over 20 frames");
    }
}
