using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// In YUV mode (<c>space: yuv</c>), a sink that draws or writes BGR (display, images, OpenCV's writer, the ffmpeg
/// command fed raw frames) gets each frame converted once, here, into a pooled BGR frame as the file source converts
/// for BGR (<see cref="Media.BgrConverter"/>, libswscale's default matrix); the filtered planes still go by reference to every libav file sink.
/// </summary>
internal sealed unsafe class BgrConversionSink(IFrameSink inner) : IFrameSink
{
    private FramePool? _pool;
    private Media.BgrConverter? _bgr;

    public string Name => inner.Name;
    public bool AcceptsFormatChange => inner.AcceptsFormatChange;

    /// <summary>The sink that gets the BGR frames.</summary>
    public IFrameSink Inner => inner;

    public void Prepare(SinkFormat? expected) => inner.Prepare(expected is null ? null : expected with { Planar = false });
    public void Open(ImageFormat format, double fps) => inner.Open(format, fps);

    public void Write(Frame frame)
    {
        if (frame.Planes is not { } planes)
        {
            inner.Write(frame);
            return;
        }
        var format = new ImageFormat(planes.Width, planes.Height, 3);
        if (_pool is null || _pool.Format != format)
        {
            _pool?.Dispose();
            _pool = new FramePool(format);
        }
        var converter = Media.BgrConverter.For(ref _bgr, format.Width, format.Height, planes.PixelFormat, null, inner.Name);
        var bgr = _pool.Rent();
        try
        {
            fixed (byte* pixels = bgr.Image.Data) converter.Convert(planes.AVFrame, pixels, format.RowBytes);
            bgr.CopyStampsFrom(frame);
            inner.Write(bgr);
        }
        finally { bgr.Release(); }
    }

    public void Complete() => inner.Complete();
    public void Abort() => inner.Abort();

    public void Dispose()
    {
        inner.Dispose();
        _bgr?.Dispose();
        _bgr = null;
        _pool?.Dispose();
        _pool = null;
    }
}
