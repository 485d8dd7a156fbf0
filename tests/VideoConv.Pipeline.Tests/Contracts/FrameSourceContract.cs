using OpenCvSharp;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Contracts;

/// <summary>
/// What every <see cref="IFrameSource"/> promises; each implementation overrides the factory and states its
/// capabilities (as the Channels tests do), and the tests hold it to them. Implementations that need the system
/// FFmpeg libraries override the facts with a skipping attribute (a visible reason) instead of passing silently.
/// </summary>
public abstract class FrameSourceContract : IDisposable
{
    protected TempDir Dir { get; } = new();

    /// <summary>A source that delivers exactly <paramref name="frames"/> frames of 128x96.</summary>
    internal abstract IFrameSource Create(int frames);

    /// <summary>The source knows before reading how many frames it will deliver (<see cref="IFrameSource.TotalFrames"/>).</summary>
    protected virtual bool DeclaresFrameCount => true;

    /// <summary>The source declares its frame rate (<see cref="IFrameSource.Fps"/> above 0) once open.</summary>
    protected virtual bool DeclaresFps => true;

    [Fact]
    public virtual void Open_DeclaresFrameCountAndRate_AsItsCapabilitiesSay()
    {
        using var source = Create(4);
        source.Open(CancellationToken.None);
        if (DeclaresFrameCount) Assert.Equal(4, source.TotalFrames);
        else Assert.Null(source.TotalFrames);
        if (DeclaresFps) Assert.True(source.Fps > 0, $"fps {source.Fps}");
        else Assert.Equal(0, source.Fps);
    }

    [Fact]
    public virtual void Open_Always_DeclaresFormatOfEightBitFrames()
    {
        using var source = Create(3);
        source.Open(CancellationToken.None);
        Assert.Equal(128, source.Format.Width);
        Assert.Equal(96, source.Format.Height);
        Assert.Equal(3, source.Format.Channels);
    }

    [Fact]
    public virtual void Read_UntilFalse_DeliversEveryFrameThenStaysAtEnd()
    {
        using var source = Create(5);
        source.Open(CancellationToken.None);
        using var pool = new FramePool(source.Format);
        int count = 0;
        while (true)
        {
            var frame = pool.Rent();
            try
            {
                if (!source.Read(frame, CancellationToken.None)) break;
                Assert.True(frame.SharesImage);
                count++;
            }
            finally { frame.Release(); }
        }
        Assert.Equal(5, count);
        var after = pool.Rent();
        Assert.False(source.Read(after, CancellationToken.None));
        after.Release();
    }

    [Fact]
    public virtual void Read_Frames_AreNotAllTheSame()
    {
        using var source = Create(3);
        source.Open(CancellationToken.None);
        using var pool = new FramePool(source.Format);
        var a = pool.Rent();
        var b = pool.Rent();
        Assert.True(source.Read(a, CancellationToken.None));
        Assert.True(source.Read(b, CancellationToken.None));
        Assert.True(TestMedia.CountDifferent(a.Mat, b.Mat) > 0, "consecutive frames are identical");
        a.Release();
        b.Release();
    }

    public void Dispose() => Dir.Dispose();
}

public class PatternSourceContract : FrameSourceContract
{
    internal override IFrameSource Create(int frames) => new PatternSource(128, 96, 30, frames);
}

/// <summary>OpenCV's capture: the fallback <see cref="LibAvFileSource"/> uses for FIFOs and files the libraries cannot open.</summary>
public class OpenCvCaptureFallbackSourceContract : FrameSourceContract
{
    internal override IFrameSource Create(int frames) => VideoCaptureSource.ForFile(TestMedia.MakeClip(Dir, 128, 96, frames, $"clip{frames}.mp4"));
}

/// <summary>The default file source users get: the system FFmpeg libraries in-process.</summary>
public class LibAvFileSourceContract : FrameSourceContract
{
    internal override IFrameSource Create(int frames) => new LibAvFileSource(TestMedia.MakeClip(Dir, 128, 96, frames, $"clip{frames}.mp4"));

    [RequiresLibAvFact] public override void Open_DeclaresFrameCountAndRate_AsItsCapabilitiesSay() => base.Open_DeclaresFrameCountAndRate_AsItsCapabilitiesSay();
    [RequiresLibAvFact] public override void Open_Always_DeclaresFormatOfEightBitFrames() => base.Open_Always_DeclaresFormatOfEightBitFrames();
    [RequiresLibAvFact] public override void Read_UntilFalse_DeliversEveryFrameThenStaysAtEnd() => base.Read_UntilFalse_DeliversEveryFrameThenStaysAtEnd();
    [RequiresLibAvFact] public override void Read_Frames_AreNotAllTheSame() => base.Read_Frames_AreNotAllTheSame();

    [RequiresLibAvFact]
    public void Open_RegularFile_DecodesInProcess()
    {
        using var source = (LibAvFileSource)Create(3);
        source.Open(CancellationToken.None);
        Assert.Equal("libav", source.Decoder);
    }
}

public class UrlSourceContract : FrameSourceContract
{
    internal override IFrameSource Create(int frames) => new FfmpegUrlSource("file://" + TestMedia.MakeClip(Dir, 128, 96, frames, $"clip{frames}.mp4"));
    protected override bool DeclaresFrameCount => false;   // a stream's length is not known in advance
}

/// <summary>The watched source users get for url: (and camera:) specs: reconnection around the inner source, a finite url ending cleanly.</summary>
public class WatchedUrlSourceContract : FrameSourceContract
{
    internal override IFrameSource Create(int frames)
    {
        var clip = TestMedia.MakeClip(Dir, 128, 96, frames, $"clip{frames}.mp4");
        return new SourceWatchdog(() => new FfmpegUrlSource("file://" + clip), "url 'file://clip'", new LiveSourcePolicy(), warn: null, endIsLoss: false);
    }

    protected override bool DeclaresFrameCount => false;   // live: never known
}

public class ImageSequenceSourceContract : FrameSourceContract
{
    internal override IFrameSource Create(int frames)
    {
        string folder = Path.Combine(Dir.Path, $"seq{frames}");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < frames; i++)
        {
            using var img = new Mat(96, 128, MatType.CV_8UC3, new Scalar(i * 30 % 256, 100, 200));
            Cv2.ImWrite(Path.Combine(folder, $"img{i:D3}.png"), img);
        }
        return new ImageSequenceSource(Path.Combine(folder, "img*.png"));
    }
}
