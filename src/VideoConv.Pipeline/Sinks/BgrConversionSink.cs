using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// In YUV mode (<c>space: yuv</c>), a sink that draws or writes BGR (display, images, OpenCV's writer, the ffmpeg
/// command fed raw frames) gets each frame converted once, here, by libswscale into a pooled BGR frame, with the
/// flags the file source uses for BGR (bicubic); the filtered planes still go by reference to every libav file sink.
/// </summary>
internal sealed unsafe class BgrConversionSink(IFrameSink inner) : IFrameSink
{
    private FramePool? _pool;
    private void* _sws;
    private int _swsFormat = -1;

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
        if (_sws == null || planes.PixelFormat != _swsFormat)
        {
            LibAv.sws_freeContext(_sws);
            _sws = LibAv.sws_getContext(format.Width, format.Height, planes.PixelFormat, format.Width, format.Height, LibAv.PixBgr24, LibAv.SwsBicubic, null, null, null);
            if (_sws == null) throw new InvalidOperationException($"FFmpeg cannot convert {LibAv.PixelFormatName(planes.PixelFormat)} to BGR for {inner.Name}");
            _swsFormat = planes.PixelFormat;
        }
        var bgr = _pool.Rent();
        try
        {
            fixed (byte* pixels = bgr.Image.Data)
            {
                byte* dst = pixels;
                int stride = format.RowBytes;
                var src = planes.AVFrame;
                LibAv.sws_scale(_sws, (byte**)((byte*)src + LibAv.FrameData), (int*)((byte*)src + LibAv.FrameLinesize), 0, format.Height, &dst, &stride);
            }
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
        if (_sws != null) LibAv.sws_freeContext(_sws);
        _sws = null;
        _pool?.Dispose();
        _pool = null;
    }
}
