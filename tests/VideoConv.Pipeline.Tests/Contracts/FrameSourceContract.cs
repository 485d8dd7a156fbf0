using OpenCvSharp;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Contracts;

/// <summary>What every <see cref="IFrameSource"/> promises; each implementation overrides the factory.</summary>
public abstract class FrameSourceContract : IDisposable
{
    protected TempDir Dir { get; } = new();

    /// <summary>A source that delivers exactly <paramref name="frames"/> frames of 128x96.</summary>
    internal abstract IFrameSource Create(int frames);

    [Fact]
    public void Open_Always_DeclaresFormatOfEightBitFrames()
    {
        using var source = Create(3);
        source.Open(CancellationToken.None);
        Assert.Equal(128, source.Format.Width);
        Assert.Equal(96, source.Format.Height);
        Assert.Equal(3, source.Format.Channels);
    }

    [Fact]
    public void Read_UntilFalse_DeliversEveryFrameThenStaysAtEnd()
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
    public void Read_Frames_AreNotAllTheSame()
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

public class VideoFileSourceContract : FrameSourceContract
{
    internal override IFrameSource Create(int frames) => VideoCaptureSource.ForFile(TestMedia.MakeClip(Dir, 128, 96, frames, $"clip{frames}.mp4"));
}

public class UrlSourceContract : FrameSourceContract
{
    internal override IFrameSource Create(int frames) => new FfmpegUrlSource("file://" + TestMedia.MakeClip(Dir, 128, 96, frames, $"clip{frames}.mp4"));
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
