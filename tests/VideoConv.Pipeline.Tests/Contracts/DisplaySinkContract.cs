using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Contracts;

/// <summary>
/// The display sink (a highgui window) on the test process's one virtual X server. Its destination is the screen:
/// it keeps no frames and writes no file, so the contract's file checks hold trivially; what it adds is checked on
/// screenshots — the window sized for the expected format once prepared, the last frame on screen after writes,
/// nothing left on screen once finalized.
/// </summary>
[Collection(nameof(DisplayCollection))]
public class DisplaySinkContract : FrameSinkContract
{
    private static int s_windows;
    private readonly string _title = $"contract {Interlocked.Increment(ref s_windows)}";
    private readonly Host _host = new();

    internal override IFrameSink Create()
    {
        _ = VirtualDisplay.Shared;
        return new DisplaySink(_title, _host);
    }

    protected override int? FramesAtDestination() => null;

    [RequiresToolsFact("Xvfb", "ffmpeg")]
    public override void Complete_AfterWrites_LeavesEveryFrameAtDestination()
    {
        base.Complete_AfterWrites_LeavesEveryFrameAtDestination();
        Assert.True(ScreenSettles(shows: false, frame: 6), "the last frame is still on screen after Complete");
    }

    [RequiresToolsFact("Xvfb", "ffmpeg")]
    public override void Abort_AfterWrites_LeavesNoPartialFile()
    {
        base.Abort_AfterWrites_LeavesNoPartialFile();
        Assert.True(ScreenSettles(shows: false, frame: 2), "the last frame is still on screen after Abort");
    }

    [RequiresToolsFact("Xvfb")] public override void Complete_WithoutFrames_FinalizesAnEmptyOutput() => base.Complete_WithoutFrames_FinalizesAnEmptyOutput();

    [RequiresToolsFact("Xvfb")]
    public void Prepare_WithExpectedFormat_SizesTheWindowBeforeAnyFrame()
    {
        using var sink = Create();
        sink.Prepare(new SinkFormat(new ImageFormat(200, 120, 3), 30, new VideoConv.Pipeline.Media.Rational(1, 30), Planar: false));
        var rect = Cv2.GetWindowImageRect(_title);
        Assert.Equal((0, 0, 200, 120), (rect.X, rect.Y, rect.Width, rect.Height));
        sink.Complete();
    }

    [RequiresToolsFact("Xvfb", "ffmpeg")]
    public void Write_Frames_ShowsTheLastOneWithoutAskingToStop()
    {
        using var sink = Create();
        WriteFrames(sink, 5);
        Assert.True(ScreenSettles(shows: true, frame: 4), "the last frame written is not on screen");
        Assert.False(_host.StopRequested);
        sink.Complete();
    }

    // Whether the screen comes to show (or stop showing) pattern frame `frame` at the window's place, above the
    // overlay's band. GTK draws from its event loop, so each look first gives that loop a turn; bounded.
    private bool ScreenSettles(bool shows, int frame)
    {
        var pattern = new PatternSource(Format.Width, Format.Height, 30, frame + 1);
        using var pool = new FramePool(Format);
        var expected = pool.Rent();
        pattern.Render(expected, frame);
        using var top = new Mat(expected.Mat, new Rect(0, 0, Format.Width, Format.Height - 20));
        using var dir = new TempDir();
        string shot = dir.File("screen.png");
        try
        {
            for (int attempt = 0; attempt < 20; attempt++)
            {
                Cv2.WaitKey(1);
                VirtualDisplay.Shared.Screenshot(shot);
                using var screen = Cv2.ImRead(shot);
                using var region = new Mat(screen, new Rect(0, 0, top.Width, top.Height));
                if ((TestMedia.CountDifferent(region, top) == 0) == shows) return true;
            }
            return false;
        }
        finally { expected.Release(); }
    }

    private sealed class Host : ISinkHost
    {
        public bool StopRequested { get; private set; }
        public void RequestStop() => StopRequested = true;
        public (double Fps, double LatencyP50Ms, double LatencyP99Ms, long Dropped) Figures => (30, 1, 2, 0);
    }
}
