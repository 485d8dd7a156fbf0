using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Reliability;

/// <summary>
/// <see cref="SourceWatchdog"/>'s reconnection logic with scripted sources, the way a camera behaves (its
/// reads cannot be interrupted; an end of stream is a loss): no device, no clock in the assertions.
/// </summary>
public class SourceWatchdogTests
{
    /// <summary>One connection: delivers <c>frames</c> stamped frames continuing a shared count, then ends (returns false).</summary>
    private sealed class ScriptedCamera(int frames, int width, Func<int> next) : IFrameSource
    {
        private int _left = frames;
        public ImageFormat Format { get; } = new(width, 16, 3);
        public double Fps => 30;
        public long? TotalFrames => null;
        public void Open(CancellationToken cancellationToken) { }

        public bool Read(Frame frame, CancellationToken cancellationToken)
        {
            if (_left-- <= 0) return false;
            CountingSource.Stamp(frame.Image, next());
            return true;
        }

        public void Dispose() { }
    }

    private static readonly LiveSourcePolicy Instant = new() { FirstBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero, MaxReconnects = 2 };

    private static async Task<(PipelineStageException? Error, RecordingSink Sink, List<string> Warnings)> Run(Func<int, IFrameSource> connection)
    {
        var warnings = new List<string>();
        var sink = new RecordingSink();
        int connects = 0;
        // Lossless queues, so the sink sees every frame the scripted connections deliver.
        var spec = new PipelineSpec(new CameraSourceSpec(0) { Live = false }, [], [new DiscardSinkSpec()]);
        var pipeline = new VideoPipeline(spec, new PipelineOptions(), new PipelineSeams
        {
            Source = () => new SourceWatchdog(() => connection(connects++), "camera 0", Instant, w => { lock (warnings) warnings.Add(w); }, endIsLoss: true),
            Sink = (_, _) => sink,
        });
        try
        {
            await pipeline.RunAsync(CancellationToken.None);
            return (null, sink, warnings);
        }
        catch (PipelineStageException ex)
        {
            return (ex, sink, warnings);
        }
    }

    [Fact]
    public async Task Read_CameraEndsThenComesBack_ReconnectsAndReportsIt_ThenFailsKeepingEveryFrame_WhenItDoesNotAgain()
    {
        int n = 0;
        // Connection 0: 5 frames then lost; 1: 7 more then lost; 2 and 3 (the two attempts): refused.
        var (error, sink, warnings) = await Run(i => i switch
        {
            0 => new ScriptedCamera(5, 16, () => n++),
            1 => new ScriptedCamera(7, 16, () => n++),
            _ => throw new InvalidOperationException("no camera at index 0"),
        });

        Assert.NotNull(error);
        Assert.Equal("source", error.Stage);
        Assert.Equal(12, Assert.IsType<PipelineInputBrokeException>(error).FramesKept);
        Assert.Contains("camera 0 was lost after 12 frames and 2 reconnection attempts failed (last: no camera at index 0)", error.Message);
        Assert.Equal(Enumerable.Range(0, 12), sink.Sequences);
        Assert.True(sink.Completed);
        Assert.False(sink.Aborted);
        Assert.Equal(
            [
                "camera 0: the stream ended; reconnecting (attempt 1 of 2) in 0 s",
                "camera 0: reconnected after 1 attempt(s); frames continue from 5",
                "camera 0: the stream ended; reconnecting (attempt 1 of 2) in 0 s",
                "camera 0: no camera at index 0; reconnecting (attempt 2 of 2) in 0 s",
            ],
            warnings);
    }

    [Fact]
    public async Task Read_CameraComesBackAtAnotherSize_IsNotAcceptedAsTheSameFeed()
    {
        int n = 0;
        var (error, sink, _) = await Run(i => new ScriptedCamera(3, i == 0 ? 16 : 32, () => n++));

        Assert.NotNull(error);
        Assert.Contains("came back as 32x16x3, not 16x16x3", error.Message);
        Assert.Equal(Enumerable.Range(0, 3), sink.Sequences);
    }
}
