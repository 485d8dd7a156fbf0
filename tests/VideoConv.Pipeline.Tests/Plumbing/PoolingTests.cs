using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;
using Xunit.Abstractions;

namespace VideoConv.Pipeline.Tests.Plumbing;

/// <summary>Frames come from pools: memory stays flat however long the run.</summary>
[Collection(nameof(MeasurementCollection))]
public class PoolingTests(ITestOutputHelper output)
{
    /// <summary>Frames made before the run (their pages written once) are the ones the first rents hand out.</summary>
    [Fact]
    public void Prefill_FramesMadeAhead_AreRentedBeforeAnyNewOne()
    {
        using var pool = new FramePool(new VideoConv.Core.Imaging.ImageFormat(64, 48, 3));
        pool.Prefill(3);
        Assert.Equal(3, pool.Created);
        Assert.Equal(0, pool.Outstanding);

        var first = Enumerable.Range(0, 3).Select(_ => pool.Rent()).ToList();
        Assert.Equal(3, pool.Created);
        Assert.All(first, f => Assert.True(f.Image.Data.AsSpan().IndexOfAnyExcept((byte)0) < 0, "a prefilled frame holds its written zeros"));
        var fourth = pool.Rent();
        Assert.Equal(4, pool.Created);

        foreach (var f in first.Append(fourth)) f.Release();
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task RunAsync_ManyFrames_CreatesFramesBoundedByQueueCapacity()
    {
        const int capacity = 3;
        var spec = new PipelineSpec(new PatternSourceSpec(160, 120, 30, 400), [], [new DiscardSinkSpec(), new DiscardSinkSpec()]);
        var pipeline = new VideoPipeline(spec, new PipelineOptions { QueueCapacity = capacity });

        var stats = await pipeline.RunAsync(CancellationToken.None);

        Assert.Equal(400, stats.FramesOut);
        // Source pool: its queue + one being read + one being filtered. Filter pool: each sink queue + one per sink + one being filtered.
        long bound = (capacity + 2) + (2 * capacity + 2 + 1);
        output.WriteLine($"frames allocated {pipeline.FramesAllocated} for 400 frames (bound {bound})");
        Assert.InRange(pipeline.FramesAllocated, 2, bound);
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [Fact]
    public async Task RunAsync_SteadyState_AllocatesFarLessThanOneFramePerFrame()
    {
        // The empty chain (a copy) keeps the engine's own costs out of the figure.
        // 640x360x3 = 691 KB per frame. Measure two runs of different lengths: the difference is what the
        // extra frames cost, without the fixed cost of starting a run (pools, threads, JIT).
        const int w = 640, h = 360;
        long Short = await Measure(50), Long = await Measure(450);
        double perFrame = (Long - Short) / 400.0;
        output.WriteLine($"steady-state allocation: {perFrame:F0} bytes per frame (a frame is {w * h * 3} bytes)");
        Assert.True(perFrame < w * h * 3 / 50.0, $"{perFrame:F0} bytes allocated per frame");

        static async Task<long> Measure(int frames)
        {
            var spec = new PipelineSpec(new PatternSourceSpec(w, h, 30, frames), [], [new DiscardSinkSpec()]);
            var pipeline = new VideoPipeline(spec, new PipelineOptions());
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await pipeline.RunAsync(CancellationToken.None);
            return GC.GetTotalAllocatedBytes(precise: true) - before;
        }
    }

    [Fact]
    public async Task RunAsync_AfterRun_LeavesNoNativeMatAlive()
    {
        long before = Frame.LiveMats;
        var spec = new PipelineSpec(new PatternSourceSpec(64, 48, 30, 50), [TestMedia.Sharpen], [new DiscardSinkSpec(), new DiscardSinkSpec()]);
        await new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None);
        Assert.Equal(before, Frame.LiveMats);
    }

    [Fact]
    public void Release_LastReference_ReturnsFrameToPoolForReuse()
    {
        using var pool = new FramePool(new(8, 8, 3));
        var frame = pool.Rent();
        frame.Retain(2);          // three consumers
        frame.Release();
        frame.Release();
        Assert.Equal(1, pool.Outstanding);
        frame.Release();
        Assert.Equal(0, pool.Outstanding);
        Assert.Same(frame, pool.Rent());
        Assert.Equal(1, pool.Created);
    }

    [Fact]
    public void Frame_MatAndImage_ShareOnePixelBuffer()
    {
        using var pool = new FramePool(new(16, 9, 3));
        var frame = pool.Rent();
        frame.Mat.Set(4, 5, new OpenCvSharp.Vec3b(1, 2, 3));
        Assert.Equal(3, frame.Image.At(4, 5, 2));
        Assert.True(frame.SharesImage);
        frame.Release();
    }

    [Fact]
    public void Release_MoreThanRetained_Throws()
    {
        using var pool = new FramePool(new(8, 8, 1));
        var frame = pool.Rent();
        frame.Release();
        Assert.Throws<InvalidOperationException>(frame.Release);
    }
}
