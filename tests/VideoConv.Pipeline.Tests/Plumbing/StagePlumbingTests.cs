using CsCheck;
using VideoConv.Core.Filters;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Plumbing;

/// <summary>Contract of the stage plumbing: ordering, losslessness, drops, the one error path.</summary>
public class StagePlumbingTests
{
    private static PipelineSpec Spec(int sinks, bool live = false) =>
        new(new PatternSourceSpec { Live = live }, [], [.. Enumerable.Range(0, sinks).Select(_ => (SinkSpec)new DiscardSinkSpec())]);


    [Fact]
    public async Task RunAsync_Batch_EverySinkGetsEveryFrameInOrder()
    {
        await Check.SampleAsync(
            Gen.Select(Gen.Int[1, 5], Gen.Int[0, 60], Gen.Int[1, 3]),
            async t =>
            {
                var (capacity, frames, sinkCount) = t;
                var sinks = Enumerable.Range(0, sinkCount).Select(i => new RecordingSink($"sink rec{i}")).ToArray();
                using var source = new CountingSource(frames);
                var pipeline = new VideoPipeline(Spec(sinkCount), new PipelineOptions { QueueCapacity = capacity },
                    new PipelineSeams { Source = () => source, Sink = (_, i) => sinks[i] });
                var stats = await pipeline.RunAsync(CancellationToken.None);
                Assert.Equal(frames, stats.FramesIn);
                Assert.Equal(frames, stats.FramesOut);
                Assert.Equal(0, stats.Dropped);
                foreach (var s in sinks)
                {
                    Assert.Equal(Enumerable.Range(0, frames), s.Sequences);
                    Assert.True(s.Completed);
                }
                Assert.Equal(0, pipeline.FramesOutstanding);
                Assert.True(source.IsDisposed);
            }, iter: 25, threads: 1);
    }

    [Fact]
    public async Task RunAsync_LiveWithSlowSink_DropsOldestAndCountsEveryDrop()
    {
        using var gate = new ManualResetEventSlim(false);
        var sink = new RecordingSink(gate: gate);
        using var source = new CountingSource(200);
        var pipeline = new VideoPipeline(Spec(1, live: true), new PipelineOptions { QueueCapacity = 3 },
            new PipelineSeams { Source = () => source, Sink = (_, _) => sink });
        var run = pipeline.RunAsync(CancellationToken.None);
        // The sink is held until the source has produced everything, so the queues must overflow.
        source.Ended.Wait(TimeSpan.FromSeconds(30));
        gate.Set();
        var stats = await run;

        Assert.Equal(200, stats.FramesIn);
        Assert.True(stats.Dropped > 150, $"dropped {stats.Dropped}");
        Assert.Equal(stats.FramesIn, stats.FramesOut + stats.Dropped);   // every frame is delivered or counted
        Assert.Equal(stats.Dropped, stats.Stages.Sum(s => s.Dropped));
        var seen = sink.Sequences.ToArray();
        Assert.Equal(seen.OrderBy(x => x), seen);                          // dropping keeps order
        Assert.Equal(199, seen[^1]);                                       // the newest frame survives
        Assert.Equal(0, pipeline.FramesOutstanding);                       // dropped frames went back to the pool
    }

    [Fact]
    public async Task RunAsync_LiveWithStalledSinks_AnEncoderKeepsItsDeeperQueueAWindowItsShortOne()
    {
        // Both sinks held until the source has produced everything: each keeps the newest frames its queue holds. The
        // source waits for the filter after each frame, so that every frame reaches the sinks' queues.
        using var gate = new ManualResetEventSlim(false);
        using var pace = new SemaphoreSlim(0);
        var file = new RecordingSink("sink file", gate: gate);
        var window = new RecordingSink("sink display", gate: gate);
        using var source = new CountingSource(60, pace: pace);
        var spec = new PipelineSpec(new PatternSourceSpec { Live = true }, [], [new FileSinkSpec("/nonexistent/out.mp4"), new DisplaySinkSpec("edges")]);
        var options = new PipelineOptions { QueueCapacity = 3, EncoderQueueCapacity = 20 };
        var pipeline = new VideoPipeline(spec, options, new PipelineSeams
        {
            Source = () => source,
            Sink = (s, _) => s is FileSinkSpec ? file : window,
            Filter = (_, format) => new ThrowingFilter(format, failAt: -1, applied: () => pace.Release()),
        });
        var run = pipeline.RunAsync(CancellationToken.None);
        bool ended = source.Ended.Wait(TimeSpan.FromSeconds(30));
        gate.Set();
        var stats = await run;

        Assert.True(ended, "the source did not reach its end with both sinks held");
        Assert.Equal(60, stats.FramesIn);
        // Each sink: its queue's frames, the one it held when the gate closed on it, and at most the last frame, which
        // the filter hands out just after the source's end is seen.
        Assert.InRange(file.Sequences.Count, options.EncoderQueueCapacity, options.EncoderQueueCapacity + 2);
        Assert.InRange(window.Sequences.Count, options.QueueCapacity, options.QueueCapacity + 2);
        foreach (var sink in new[] { file, window })
        {
            var seen = sink.Sequences.ToArray();
            Assert.Equal(seen.OrderBy(x => x), seen);
            Assert.Equal(59, seen[^1]);   // the newest frame survives
        }
        var counters = stats.Stages.ToDictionary(x => x.Name);
        Assert.Equal(0, counters["filter"].Dropped);
        Assert.Equal(60 - file.Sequences.Count, counters["sink file /nonexistent/out.mp4"].Dropped);
        Assert.Equal(60 - window.Sequences.Count, counters["sink display edges"].Dropped);
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task RunAsync_SourceThrows_FailsNamingSource(int failAt)
    {
        var sink = new RecordingSink();
        using var source = new CountingSource(50, failAt: failAt);
        var pipeline = new VideoPipeline(Spec(1), new PipelineOptions(), new PipelineSeams { Source = () => source, Sink = (_, _) => sink });

        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync(CancellationToken.None));

        Assert.Equal("source", ex.Stage);
        Assert.Equal($"source: camera unplugged at frame {failAt}", ex.Message);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.True(sink.Aborted && !sink.Completed);
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public async Task RunAsync_FilterThrows_FailsNamingFilter(int failAt)
    {
        var sink = new RecordingSink();
        using var source = new CountingSource(50);
        var pipeline = new VideoPipeline(Spec(1), new PipelineOptions(), new PipelineSeams
        {
            Source = () => source,
            Sink = (_, _) => sink,
            Filter = (_, format) => new ThrowingFilter(format, failAt),
        });

        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync(CancellationToken.None));

        Assert.Equal("filter", ex.Stage);
        Assert.Contains($"kernel overflow at frame {failAt}", ex.Message);
        Assert.True(sink.Aborted);
        Assert.True(sink.Sequences.Count <= failAt);
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [Fact]
    public async Task RunAsync_OneOfTwoSinksThrows_FailsNamingThatSinkAndAbortsTheOther()
    {
        var good = new RecordingSink("sink good");
        var bad = new RecordingSink("sink bad", failAt: 3);
        using var source = new CountingSource(100);
        var pipeline = new VideoPipeline(Spec(2), new PipelineOptions { QueueCapacity = 2 },
            new PipelineSeams { Source = () => source, Sink = (_, i) => i == 0 ? good : bad });

        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync(CancellationToken.None));

        Assert.Equal("sink bad", ex.Stage);
        Assert.Equal("sink bad: disk full at frame 3", ex.Message);
        Assert.True(good.Aborted && !good.Completed);
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [Fact]
    public async Task RunAsync_BadChainForFrameFormat_FailsNamingFilterWithEngineMessage()
    {
        // A 9x9 kernel with valid padding cannot apply to 8x8 frames: the engine says so at the first frame.
        var big = FilterDefinition.FromKernel(VideoConv.Core.Kernels.KernelGenerators.Box(9)) with { Padding = Padding.Valid };
        using var source = new CountingSource(5, width: 8, height: 8);
        var pipeline = new VideoPipeline(new PipelineSpec(new PatternSourceSpec(), [big], [new DiscardSinkSpec()]), new PipelineOptions(),
            new PipelineSeams { Source = () => source });

        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync(CancellationToken.None));

        Assert.Equal("filter", ex.Stage);
        Assert.IsType<VideoConv.Core.FilterDefinitionException>(ex.InnerException);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task RunAsync_Cancelled_StopsSourceDrainsAndCompletesSinks()
    {
        using var cts = new CancellationTokenSource();
        var sink = new RecordingSink { OnWrite = f => { if (f.Sequence == 20) cts.Cancel(); } };
        using var source = new CountingSource(1_000_000);
        var pipeline = new VideoPipeline(Spec(1), new PipelineOptions(), new PipelineSeams { Source = () => source, Sink = (_, _) => sink });

        var stats = await pipeline.RunAsync(cts.Token);

        Assert.True(stats.Stopped);
        Assert.True(sink.Completed && !sink.Aborted);
        Assert.Equal(stats.FramesIn, stats.FramesOut);                 // batch: queued frames drain, none lost
        Assert.Equal(Enumerable.Range(0, (int)stats.FramesOut), sink.Sequences);
        Assert.InRange(stats.FramesIn, 21, 21 + 3 * new PipelineOptions().QueueCapacity);
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileSourceBlocksInRead_FinalizesWithoutWaitingForSource()
    {
        using var cts = new CancellationTokenSource();
        var sink = new RecordingSink { OnWrite = f => { if (f.Sequence == 9) cts.Cancel(); } };
        var source = new StuckSource(10);
        var pipeline = new VideoPipeline(Spec(1), new PipelineOptions(),
            new PipelineSeams { Source = () => source, Sink = (_, _) => sink, SourceGracePeriod = TimeSpan.FromMilliseconds(100) });

        var stats = await pipeline.RunAsync(cts.Token);

        Assert.True(stats.Stopped);
        Assert.True(sink.Completed && !sink.Aborted);
        Assert.Equal(10, stats.FramesOut);
        Assert.False(source.Disposed.IsSet);          // still stuck in its read
        source.Unblock();
        Assert.True(source.Disposed.Wait(TimeSpan.FromSeconds(30)), "the abandoned source never cleaned up");
    }

    [Fact]
    public async Task RequestStop_FromSink_EndsRunCleanlyLikeCancellation()
    {
        // What the display sink does on 'q' or Esc.
        VideoPipeline? pipeline = null;
        var sink = new RecordingSink { OnWrite = f => { if (f.Sequence == 10) ((ISinkHost)pipeline!).RequestStop(); } };
        using var source = new CountingSource(1_000_000);
        pipeline = new VideoPipeline(Spec(1), new PipelineOptions(), new PipelineSeams { Source = () => source, Sink = (_, _) => sink });

        var stats = await pipeline.RunAsync(CancellationToken.None);

        Assert.True(stats.Stopped);
        Assert.True(sink.Completed && !sink.Aborted);
        Assert.Equal(stats.FramesIn, stats.FramesOut);
    }

    [Fact]
    public async Task ReplaceChain_MidRun_SwapsBetweenFramesAndNeverMixes()
    {
        using var source = new CountingSource(60);
        VideoPipeline? pipeline = null;
        var sink = new RecordingSink
        {
            OnWrite = f =>
            {
                if (f.Sequence == 10) pipeline!.ReplaceChain([TestMedia.Sharpen with { Bias = 1 }]);   // makes channel 2 read 8, not 7
            },
        };
        var channel2 = new System.Collections.Concurrent.ConcurrentQueue<byte>();
        var observer = new RecordingSink("sink observer") { OnWrite = f => channel2.Enqueue(f.Image.Data[2]) };
        pipeline = new VideoPipeline(Spec(2), new PipelineOptions(), new PipelineSeams { Source = () => source, Sink = (_, i) => i == 0 ? sink : observer });

        await pipeline.RunAsync(CancellationToken.None);

        var marks = channel2.ToArray();
        Assert.All(marks, m => Assert.True(m is 7 or 8, $"channel 2 was {m}"));
        int firstNew = Array.IndexOf(marks, (byte)8);
        Assert.True(firstNew > 10, $"swap at {firstNew}");
        Assert.All(marks[firstNew..], m => Assert.Equal(8, m));
    }

    [Fact]
    public async Task ReplaceChain_ChangingSizeWithFileSink_ThrowsAndKeepsOldChain()
    {
        using var dir = new TempDir();
        string output = dir.File("out.mkv");
        using var cts = new CancellationTokenSource();
        Exception? refused = null;
        VideoPipeline? pipeline = null;
        var recorder = new RecordingSink
        {
            OnWrite = f =>
            {
                if (f.Sequence != 5) return;
                refused = Record.Exception(() => pipeline!.ReplaceChain([TestMedia.Downscale]));
            },
        };
        var spec = new PipelineSpec(new PatternSourceSpec(64, 48, 30, 30), [], [new FileSinkSpec(output), new DiscardSinkSpec()]);
        pipeline = new VideoPipeline(spec, new PipelineOptions(), new PipelineSeams { Sink = (s, i) => i == 1 ? recorder : null });

        var stats = await pipeline.RunAsync(cts.Token);

        var ex = Assert.IsType<VideoConv.Core.FilterDefinitionException>(refused);
        Assert.Contains("cannot change size", ex.Message);
        Assert.Equal(30, TestMedia.CountFrames(output));
        Assert.Equal(30, stats.FramesOut);
    }

    [Fact]
    public async Task ReplaceChain_ChangingSizeWithoutFileSink_SinksReceiveNewFormat()
    {
        using var source = new CountingSource(40, width: 32, height: 24);
        VideoPipeline? pipeline = null;
        var widths = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var sink = new RecordingSink
        {
            OnWrite = f =>
            {
                widths.Enqueue(f.Format.Width);
                if (f.Sequence == 5) pipeline!.ReplaceChain([TestMedia.Downscale]);
            },
        };
        pipeline = new VideoPipeline(Spec(1), new PipelineOptions(), new PipelineSeams { Source = () => source, Sink = (_, _) => sink });

        var stats = await pipeline.RunAsync(CancellationToken.None);

        Assert.Equal(40, stats.FramesOut);
        Assert.Equal(32, widths.First());
        Assert.Equal(16, widths.Last());
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [Fact]
    public void ReplaceChain_InvalidDefinitionBeforeRun_ThrowsFilterDefinitionException()
    {
        var pipeline = new VideoPipeline(Spec(1), new PipelineOptions());
        var bad = TestMedia.Sharpen with { Stride = Pair.Of(0) };
        Assert.Throws<VideoConv.Core.FilterDefinitionException>(() => pipeline.ReplaceChain([bad]));
    }
}
