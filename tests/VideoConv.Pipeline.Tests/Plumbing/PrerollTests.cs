using System.Collections.Concurrent;
using VideoConv.Core.Filters;
using VideoConv.Core.Geometry;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Plumbing;

/// <summary>The run's start: every sink prepares for the chain's output before the source reads its first frame.</summary>
public class PrerollTests
{
    /// <summary>
    /// The engine's code is first run on a small blank frame while the source opens (so that compiling it does not delay
    /// the first frame); a chain that cannot apply to that frame, a crop larger than it, is only not warmed: it runs on
    /// the real frames, which it fits, and the sinks prepare for its real output.
    /// </summary>
    [Fact]
    public async Task RunAsync_ChainTooLargeForTheWarmUpFrame_RunsOnTheRealFrames()
    {
        using var source = new CountingSource(12, width: 320, height: 240);
        var written = new ConcurrentQueue<ImageFormat>();
        var prepared = new ConcurrentQueue<ImageFormat>();
        var sink = new RecordingSink { OnPrepare = f => { if (f is { } format) prepared.Enqueue(format.Format); }, OnWrite = f => written.Enqueue(f.Format) };
        var spec = new PipelineSpec(new PatternSourceSpec(), [FilterDefinition.Cropping(new CropRect(8, 8, 200, 100)), TestMedia.Sharpen], [new DiscardSinkSpec()]);

        var stats = await new VideoPipeline(spec, new PipelineOptions(), new PipelineSeams { Source = () => source, Sink = (_, _) => sink }).RunAsync(CancellationToken.None);

        Assert.Equal(12, stats.FramesOut);
        Assert.Equal([new ImageFormat(200, 100, 3)], prepared);
        Assert.Equal(12, written.Count);
        Assert.All(written, f => Assert.Equal(new ImageFormat(200, 100, 3), f));
    }

    [Fact]
    public async Task RunAsync_SinkStillPreparing_SourceReadsNothingUntilItIsReady()
    {
        using var preparing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var source = new CountingSource(20, width: 32, height: 24);
        int readsWhilePreparing = -1;
        ImageFormat? expected = null;
        var slow = new RecordingSink("sink slow", gate: null)
        {
            OnPrepare = f => { expected = f?.Format; preparing.Set(); release.Wait(); readsWhilePreparing = source.Reads; },
        };
        var quick = new RecordingSink("sink quick");
        var spec = new PipelineSpec(new PatternSourceSpec(), [TestMedia.Downscale], [new DiscardSinkSpec(), new DiscardSinkSpec()]);
        var pipeline = new VideoPipeline(spec, new PipelineOptions(), new PipelineSeams { Source = () => source, Sink = (_, i) => i == 0 ? slow : quick });

        var run = pipeline.RunAsync(CancellationToken.None);
        Assert.True(preparing.Wait(TimeSpan.FromSeconds(30)), "the sink was never prepared");
        Assert.Equal(0, source.Reads);
        release.Set();
        var stats = await run;

        Assert.Equal(0, readsWhilePreparing);
        // Told the chain's output (the stride-2 step halves 32x24), not the source's format.
        Assert.Equal(new ImageFormat(16, 12, 3), expected);
        Assert.Equal(20, stats.FramesIn);
        Assert.Equal(Enumerable.Range(0, 20), slow.Sequences);
        Assert.Equal(Enumerable.Range(0, 20), quick.Sequences);
    }

    [Fact]
    public async Task RunAsync_SinkFailsToPrepare_RunFailsNamingItAndTheSourceReadsNothing()
    {
        using var source = new CountingSource(20);
        var broken = new RecordingSink("sink broken") { OnPrepare = _ => throw new IOException("cannot open display :9") };
        var spec = new PipelineSpec(new PatternSourceSpec(), [], [new DiscardSinkSpec()]);
        var pipeline = new VideoPipeline(spec, new PipelineOptions(), new PipelineSeams { Source = () => source, Sink = (_, _) => broken });

        var error = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync(CancellationToken.None));
        Assert.Equal("sink broken", error.Stage);
        Assert.Contains("cannot open display :9", error.Message);
        Assert.Equal(0, source.Reads);
        Assert.True(broken.Aborted);
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [Fact]
    public async Task RunAsync_StoppedWhileSinksPrepare_EndsWithoutFramesAndFinalizes()
    {
        using var preparing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var source = new CountingSource(20);
        var sink = new RecordingSink { OnPrepare = _ => { preparing.Set(); release.Wait(); } };
        var spec = new PipelineSpec(new PatternSourceSpec(), [], [new DiscardSinkSpec()]);
        var pipeline = new VideoPipeline(spec, new PipelineOptions(), new PipelineSeams { Source = () => source, Sink = (_, _) => sink });
        using var cts = new CancellationTokenSource();

        var run = pipeline.RunAsync(cts.Token);
        Assert.True(preparing.Wait(TimeSpan.FromSeconds(30)));
        cts.Cancel();
        release.Set();
        var stats = await run;

        Assert.True(stats.Stopped);
        Assert.Equal(0, stats.FramesIn);
        Assert.True(sink.Completed);
    }
}
