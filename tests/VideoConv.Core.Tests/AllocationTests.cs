using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Core.Kernels;

namespace VideoConv.Core.Tests;

/// <summary>The steady-state frame loop allocates nothing: every buffer is made when a worker is built.</summary>
[Collection(nameof(ProcessWideCounters))]
public class AllocationTests
{
    public static TheoryData<string> Filters() => ["direct", "separable", "fixed16", "fixed16 direct", "fixed16x32", "magnitude", "fixed16 magnitude", "mix", "strided", "resize bilinear", "resize bicubic", "resize area", "crop"];

    private static FilterDefinition Make(string kind) => kind switch
    {
        "direct" => FilterDefinition.FromKernel(OracleTests.RandomKernel(new Random(1), 5, 5, false)),
        "separable" => FilterDefinition.FromKernel(Kernel.Outer(KernelGenerators.Gaussian1D(5, 1.2), KernelGenerators.Gaussian1D(5, 1.2))),
        "fixed16x32" => FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 1.2)),
        "fixed16" => FilterDefinition.FromKernel(KernelGenerators.Gaussian(5, 0)),
        "fixed16 direct" => FilterDefinition.FromKernel(Kernel.FromArray(new float[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } })),
        "magnitude" or "fixed16 magnitude" => new FilterDefinition
        {
            Mode = FilterMode.GradientMagnitude, Scale = kind == "magnitude" ? 0.125f : 1f, // fractional weights take the float path
            Kernels = [Kernel.FromArray(new float[,] { { -1, 0, 1 }, { -2, 0, 2 }, { -1, 0, 1 } }), Kernel.FromArray(new float[,] { { -1, -2, -1 }, { 0, 0, 0 }, { 1, 2, 1 } })],
        },
        "mix" => new FilterDefinition { Mode = FilterMode.ChannelMix, Layer = new ConvLayer([[Kernel.FromArray(new float[,] { { 1 } }), Kernel.FromArray(new float[,] { { 2 } }), Kernel.FromArray(new float[,] { { 1 } })]], [0f]) },
        "resize bilinear" => FilterDefinition.Resizing(new Geometry.ResizeSpec(427, 240)),
        "resize bicubic" => FilterDefinition.Resizing(new Geometry.ResizeSpec(800, -2, Geometry.ResizeMethod.Bicubic)),
        "resize area" => FilterDefinition.Resizing(new Geometry.ResizeSpec(427, -1, Geometry.ResizeMethod.Area)),
        "crop" => FilterDefinition.Cropping(new Geometry.CropRect(10, 20, 300, 200)),
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

    /// <summary>Reads the helper thread's own allocation counter from inside a band it runs (the caller waits for it).</summary>
    private readonly struct HelperProbe(long[] helperAllocated, ManualResetEventSlim ran) : Parallel.IBandOperation
    {
        public void Invoke(int start, int end, int worker)
        {
            if (worker == 0) { ran.Wait(TimeSpan.FromSeconds(30)); return; }
            helperAllocated[0] = GC.GetAllocatedBytesForCurrentThread();
            ran.Set();
        }
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public void Apply_MultiThreaded_AllocatesNothingOnEitherThread(string kind)
    {
        // 960×540 so the frame is split into bands (8) that the helper runs too. The process-wide counter also counts
        // the test host's own timers (≈ 168 bytes every 100 ms here, idle), so each thread is read by itself:
        // the caller directly, the one helper from inside a probe band run before and after the frames — its
        // difference covers the helper's whole loop (waiting, waking, bands, signalling).
        var src = TestImages.Random(960, 540, 3, 1);
        using var scheduler = new Parallel.BandScheduler(2);
        Assert.True(scheduler.BandsFor(540, 960 * 3) > 1);
        var chain = new FilterChain([Make(kind), FilterDefinition.FromKernel(KernelGenerators.Box(3))], src.Format, scheduler);
        var dst = new Image(chain.Output);
        for (int i = 0; i < 15; i++) chain.Apply(src, dst);
        var helper = new long[1];
        long Probe()
        {
            using var ran = new ManualResetEventSlim();
            scheduler.Run(new HelperProbe(helper, ran), 540, 960 * 3);
            Assert.True(ran.IsSet, "the helper thread did not run the probe band");
            return helper[0];
        }
        long bestCaller = long.MaxValue, bestHelper = long.MaxValue;
        for (int round = 0; round < 10 && (bestCaller > 0 || bestHelper > 0); round++)
        {
            long helperBefore = Probe();
            long callerBefore = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++) chain.Apply(src, dst);
            bestCaller = Math.Min(bestCaller, GC.GetAllocatedBytesForCurrentThread() - callerBefore);
            bestHelper = Math.Min(bestHelper, Probe() - helperBefore);
        }
        Assert.True(bestCaller == 0 && bestHelper == 0, $"{kind}: over 5 frames on 2 threads the caller allocated {bestCaller} bytes, the helper {bestHelper}");
    }

    [Fact]
    public void Apply_SameFilterFromTwoThreads_GivesTheSameBits()
    {
        var src = TestImages.Random(960, 540, 3, 3);
        using var scheduler = new Parallel.BandScheduler(2);
        var filter = ConvolutionEngine.Create(Make("direct"), src.Format, scheduler);
        var expected = new Image(filter.Output);
        filter.Apply(src, expected);
        var outputs = Enumerable.Range(0, 4).Select(_ => new Image(filter.Output)).ToArray();
        System.Threading.Tasks.Parallel.For(0, outputs.Length, i =>
        {
            for (int r = 0; r < 3; r++) filter.Apply(src, outputs[i]);
        });
        foreach (var o in outputs) Assert.True(expected.Data.AsSpan().SequenceEqual(o.Data), "a concurrent Apply changed the result");
    }
}

/// <summary>Tests that read process-wide counters run alone, so no other test's allocations are counted.</summary>
[CollectionDefinition(nameof(ProcessWideCounters), DisableParallelization = true)]
public sealed class ProcessWideCounters;
