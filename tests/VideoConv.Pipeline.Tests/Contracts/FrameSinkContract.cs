using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Contracts;

/// <summary>What every <see cref="IFrameSink"/> promises; each implementation overrides the factory and the output check.</summary>
public abstract class FrameSinkContract : IDisposable
{
    protected TempDir Dir { get; } = new();

    internal abstract IFrameSink Create();

    /// <summary>Frames found at the destination after <see cref="IFrameSink.Complete"/> (null: the sink keeps nothing).</summary>
    protected abstract int? FramesAtDestination();

    private static readonly ImageFormat Format = new(64, 48, 3);

    private static void WriteFrames(IFrameSink sink, int count)
    {
        var pattern = new PatternSource(Format.Width, Format.Height, 30, count);
        using var pool = new FramePool(Format);
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
    public void Complete_AfterWrites_LeavesEveryFrameAtDestination()
    {
        using var sink = Create();
        WriteFrames(sink, 7);
        sink.Complete();
        if (FramesAtDestination() is { } n) Assert.Equal(7, n);
        Assert.Empty(Directory.GetFiles(Dir.Path, ".*partial*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Abort_AfterWrites_LeavesNoPartialFile()
    {
        using var sink = Create();
        WriteFrames(sink, 3);
        sink.Abort();
        Assert.Empty(Directory.GetFiles(Dir.Path, ".*partial*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Complete_WithoutFrames_DoesNotThrow()
    {
        using var sink = Create();
        sink.Complete();
        Assert.False(string.IsNullOrWhiteSpace(sink.Name));
    }

    public void Dispose() => Dir.Dispose();
}

public class VideoFileSinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new VideoFileSink(Dir.File("out.mkv"), "FFV1", overwrite: false);
    protected override int? FramesAtDestination() => File.Exists(Dir.File("out.mkv")) ? TestMedia.CountFrames(Dir.File("out.mkv")) : 0;
}

public class Mp4vFileSinkContract : FrameSinkContract
{
    internal override IFrameSink Create() => new VideoFileSink(Dir.File("out.mp4"), "mp4v", overwrite: false);
    protected override int? FramesAtDestination() => File.Exists(Dir.File("out.mp4")) ? TestMedia.CountFrames(Dir.File("out.mp4")) : 0;
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
