using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Contracts;

/// <summary>
/// What every <see cref="IFrameSink"/> promises; each implementation overrides the factory, the output check
/// and its capabilities. Implementations that need the system FFmpeg (libraries or program) or a display
/// override the facts with a skipping attribute, so a missing tool shows as a skip with its reason.
/// </summary>
public abstract class FrameSinkContract : IDisposable
{
    protected TempDir Dir { get; } = new();

    internal abstract IFrameSink Create();

    /// <summary>Frames found at the destination after <see cref="IFrameSink.Complete"/> (null: the sink keeps nothing).</summary>
    protected abstract int? FramesAtDestination();

    /// <summary>The destination path a finalized output appears at (null: the sink writes no file).</summary>
    protected virtual string? Destination => null;

    /// <summary>A run that ends before any frame leaves nothing at the destination (no file of zero frames).</summary>
    protected virtual bool EmptyRunLeavesNoFile => true;

    protected static readonly ImageFormat Format = new(64, 48, 3);

    private protected static void WriteFrames(IFrameSink sink, int count)
    {
        var pattern = new PatternSource(Format.Width, Format.Height, 30, count);
        using var pool = new FramePool(Format);
        Prepare(sink);
        sink.Open(Format, 30);
        for (int i = 0; i < count; i++)
        {
            var frame = pool.Rent();
            pattern.Render(frame, i);
            sink.Write(frame);
            frame.Release();
        }
    }

    [Fact]
    public virtual void Complete_AfterWrites_LeavesEveryFrameAtDestination()
    {
        using var sink = Create();
        WriteFrames(sink, 7);
        sink.Complete();
        if (FramesAtDestination() is { } n) Assert.Equal(7, n);
        Assert.Empty(Directory.GetFiles(Dir.Path, ".*partial*", SearchOption.AllDirectories));
    }

    [Fact]
    public virtual void Abort_AfterWrites_LeavesNoPartialFile()
    {
        using var sink = Create();
        WriteFrames(sink, 3);
        sink.Abort();
        Assert.Empty(Directory.GetFiles(Dir.Path, ".*partial*", SearchOption.AllDirectories));
        if (Destination is { } path) Assert.False(File.Exists(path), "an aborted run must not leave its output");
    }

    // As the pipeline does: prepared as the run starts, then for the chain's output (a file sink opens its encoder
    // there), then opened with the first frame's format.
    private protected static void Prepare(IFrameSink sink)
    {
        sink.Prepare(null);
        sink.Prepare(new SinkFormat(Format, 30, new VideoConv.Pipeline.Media.Rational(1, 30), Planar: false));
    }

    [Fact]
    public virtual void Complete_WithoutFrames_FinalizesAnEmptyOutput()
    {
        using var sink = Create();
        Prepare(sink);
        sink.Complete();
        Assert.False(string.IsNullOrWhiteSpace(sink.Name));
        // What a finalized empty output is: no partial left behind, no frames, and (per capability) no file at all.
        Assert.Empty(Directory.GetFiles(Dir.Path, ".*partial*", SearchOption.AllDirectories));
        if (FramesAtDestination() is { } n) Assert.Equal(0, n);
        if (Destination is { } path && EmptyRunLeavesNoFile) Assert.False(File.Exists(path), $"{path} exists after a run without frames");
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) => Dir.Dispose();
}

/// <summary>OpenCV's VideoWriter (encoder: opencv, and FFV1 without the system ffmpeg).</summary>
public class OpenCvWriterFfv1SinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new OpenCvVideoWriterSink(Dir.File("out.mkv"), "FFV1", overwrite: false);
    protected override string? Destination => Dir.File("out.mkv");
    protected override int? FramesAtDestination() => File.Exists(Dir.File("out.mkv")) ? TestMedia.CountFrames(Dir.File("out.mkv")) : 0;
}

public class OpenCvWriterMp4vSinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new OpenCvVideoWriterSink(Dir.File("out.mp4"), "mp4v", overwrite: false);
    protected override string? Destination => Dir.File("out.mp4");
    protected override int? FramesAtDestination() => File.Exists(Dir.File("out.mp4")) ? TestMedia.CountFrames(Dir.File("out.mp4")) : 0;
}

/// <summary>The default file sink users get for .mp4/.avi when FFmpeg is installed: its libraries in-process.</summary>
public class LibAvFileSinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new LibAvFileSink(Dir.File("out.mp4"), "mp4v", overwrite: false);
    protected override string? Destination => Dir.File("out.mp4");
    protected override int? FramesAtDestination() => File.Exists(Dir.File("out.mp4")) ? TestMedia.CountFrames(Dir.File("out.mp4")) : 0;

    [RequiresLibAvFact] public override void Complete_AfterWrites_LeavesEveryFrameAtDestination() => base.Complete_AfterWrites_LeavesEveryFrameAtDestination();
    [RequiresLibAvFact] public override void Abort_AfterWrites_LeavesNoPartialFile() => base.Abort_AfterWrites_LeavesNoPartialFile();
    [RequiresLibAvFact] public override void Complete_WithoutFrames_FinalizesAnEmptyOutput() => base.Complete_WithoutFrames_FinalizesAnEmptyOutput();
}

/// <summary>The ffmpeg program fed raw frames through a pipe (encoder: ffmpeg for FFV1, or when the libraries do not load).</summary>
public class FfmpegPipeSinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new FfmpegPipeSink(Dir.File("out.mkv"), "FFV1", overwrite: false);
    protected override string? Destination => Dir.File("out.mkv");
    protected override int? FramesAtDestination() => File.Exists(Dir.File("out.mkv")) ? TestMedia.CountFrames(Dir.File("out.mkv")) : 0;

    [RequiresToolsFact("ffmpeg")] public override void Complete_AfterWrites_LeavesEveryFrameAtDestination() => base.Complete_AfterWrites_LeavesEveryFrameAtDestination();
    [RequiresToolsFact("ffmpeg")] public override void Abort_AfterWrites_LeavesNoPartialFile() => base.Abort_AfterWrites_LeavesNoPartialFile();
    [RequiresToolsFact("ffmpeg")] public override void Complete_WithoutFrames_FinalizesAnEmptyOutput() => base.Complete_WithoutFrames_FinalizesAnEmptyOutput();
}

public class ImageSequenceSinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new ImageSequenceSink(Dir.File("%04d.png"), overwrite: false);
    protected override int? FramesAtDestination() => Directory.GetFiles(Dir.Path, "*.png").Length;
}

public class DiscardSinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new DiscardSink();
    protected override int? FramesAtDestination() => null;
}


/// <summary>
/// The url sink (MPEG-TS over UDP to a local port): its destination is the network, so nothing stays here — no file,
/// no partial. What arrives is checked by real ffmpeg receivers in UrlSinkTests.
/// </summary>
public class LibAvUrlSinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new LibAvUrlSink(new VideoConv.Pipeline.Specs.UrlSinkSpec("udp://127.0.0.1:9"), null, live: true);
    protected override int? FramesAtDestination() => null;

    [RequiresLibAvFact] public override void Complete_AfterWrites_LeavesEveryFrameAtDestination() => base.Complete_AfterWrites_LeavesEveryFrameAtDestination();
    [RequiresLibAvFact] public override void Abort_AfterWrites_LeavesNoPartialFile() => base.Abort_AfterWrites_LeavesNoPartialFile();
    [RequiresLibAvFact] public override void Complete_WithoutFrames_FinalizesAnEmptyOutput() => base.Complete_WithoutFrames_FinalizesAnEmptyOutput();
}

/// <summary>The wrapper <c>space: yuv</c> puts before sinks that take BGR: BGR frames pass through to the sink it wraps.</summary>
public class BgrConversionSinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new BgrConversionSink(new ImageSequenceSink(Dir.File("%04d.png"), overwrite: false));
    protected override int? FramesAtDestination() => Directory.GetFiles(Dir.Path, "*.png").Length;
}
