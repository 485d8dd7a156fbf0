using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Reliability;

/// <summary>
/// Faults the plumbing tests do not cover: an input that breaks mid-stream (frames before the break are
/// kept), and a real file sink whose destination folder disappears mid-run.
/// </summary>
public class FaultInjectionTests
{
    /// <summary>Delivers stamped frames, then breaks as a truncated file does.</summary>
    private sealed class BreakingSource(int breakAt) : IFrameSource
    {
        private int _next;
        public ImageFormat Format { get; } = new(32, 24, 3);
        public double Fps => 30;
        public long? TotalFrames => 100;
        public void Open(CancellationToken cancellationToken) { }

        public bool Read(Frame frame, CancellationToken cancellationToken)
        {
            if (_next == breakAt) throw new SourceBrokeException($"file 'clip.mkv' broke at frame {breakAt}", breakAt);
            CountingSource.Stamp(frame.Image, _next++);
            return true;
        }

        public void Dispose() { }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    public async Task RunAsync_SourceBreaksMidStream_KeepsEveryFrameBeforeTheBreak_CompletesSinks_ThenFailsNamingSource(int breakAt)
    {
        var sinks = new[] { new RecordingSink("sink a"), new RecordingSink("sink b") };
        var spec = new PipelineSpec(new PatternSourceSpec(32, 24, 30, 1), [TestMedia.Sharpen], [new DiscardSinkSpec(), new DiscardSinkSpec()]);
        var pipeline = new VideoPipeline(spec, new PipelineOptions(), new PipelineSeams { Source = () => new BreakingSource(breakAt), Sink = (_, i) => sinks[i] });

        var ex = await Assert.ThrowsAsync<PipelineInputBrokeException>(() => pipeline.RunAsync(CancellationToken.None));

        Assert.Equal("source", ex.Stage);
        Assert.Contains($"broke at frame {breakAt}", ex.Message);
        Assert.Equal(breakAt, ex.FramesKept);
        foreach (var sink in sinks)
        {
            Assert.Equal(Enumerable.Range(0, breakAt), sink.Sequences);
            Assert.True(sink.Completed, $"{sink.Name} was not finalized");
            Assert.False(sink.Aborted, $"{sink.Name} was aborted");
        }
        Assert.Equal(0, pipeline.FramesOutstanding);
    }

    [Fact]
    public async Task RunAsync_FileSinkFolderDeletedMidRun_FailsNamingThatSink_LeavesNothingAtDestination()
    {
        using var dir = new TempDir();
        string folder = dir.File("out");
        Directory.CreateDirectory(folder);
        string output = Path.Combine(folder, "clip.mkv");
        // A second sink removes the file sink's folder at frame 10: the encoder keeps writing to its
        // unlinked temp file, and finalizing (the move into place) must fail cleanly, not pretend success.
        var saboteur = new RecordingSink("sink saboteur")
        {
            OnWrite = f => { if (f.Sequence == 10) Directory.Delete(folder, recursive: true); },
        };
        var spec = new PipelineSpec(new PatternSourceSpec(160, 120, 30, 60), [], [new FileSinkSpec(output), new DiscardSinkSpec()]);
        var pipeline = new VideoPipeline(spec, new PipelineOptions(), new PipelineSeams { Sink = (_, i) => i == 1 ? saboteur : null });

        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => pipeline.RunAsync(CancellationToken.None));

        Assert.Equal($"sink file {output}", ex.Stage);
        Assert.False(File.Exists(output));
        Assert.False(Directory.Exists(folder));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
