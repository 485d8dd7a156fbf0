using System.Runtime.InteropServices;
using VideoConv.Pipeline.FFmpeg;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// Decoded planes of one size and pixel format → packed BGR24 rows in the caller's buffer, as libswscale converts
/// them with the flags OpenCV's capture uses (bicubic) and, where given, the stream's matrix and range: by
/// <see cref="Yuv420ToBgr24"/> where that gives this context's bytes, else by libswscale itself. The one place a
/// BGR-mode source, the fused BGR filter and a YUV-mode BGR sink convert decoded frames.
/// </summary>
/// <remarks>
/// libswscale 5.1's yuv420p → BGR24 loop writes up to 45 bytes past each row at widths off its 16-pixel step
/// (<see cref="Yuv420ToBgr24"/>'s remarks): past the frame's end on the last row. Where libswscale converts at such a
/// width, it writes into a padded scratch frame (zeroed once, so the columns it skips are 0, not a previous frame's),
/// copied row by row into the caller's buffer.
/// </remarks>
internal sealed unsafe class BgrConverter : IDisposable
{
    private void* _sws;
    private readonly Yuv420ToBgr24.Coefficients? _own;
    private byte* _scratch;
    private readonly int _scratchStride;

    /// <param name="colour">The stream's colour description (its matrix and range, as ffmpeg's CLI converts); null: libswscale's defaults.</param>
    public BgrConverter(int width, int height, int format, ColourDescription? colour, string what)
    {
        (Width, Height, Format) = (width, height, format);
        _sws = LibAv.sws_getContext(width, height, format, width, height, LibAv.PixBgr24, LibAv.SwsBicubic, null, null, null);
        if (_sws == null) throw new InvalidOperationException($"{what}: FFmpeg cannot convert {LibAv.PixelFormatName(format)} frames to BGR");
        colour?.ConvertFrom(_sws);
        _own = Yuv420ToBgr24.ForContext(_sws, format, width, height);
        _scratchStride = (3 * width + 63) / 64 * 64 + 64;
    }

    /// <summary><paramref name="current"/> where it converts frames of this size and format, else a new converter in its place.</summary>
    public static BgrConverter For(ref BgrConverter? current, int width, int height, int format, ColourDescription? colour, string what)
    {
        if (current is { } c && c.Width == width && c.Height == height && c.Format == format) return c;
        current?.Dispose();
        current = null;
        return current = new BgrConverter(width, height, format, colour, what);
    }

    public int Width { get; }
    public int Height { get; }
    public int Format { get; }

    /// <summary>The constants frames go through <see cref="Yuv420ToBgr24"/> with; null where libswscale converts them.</summary>
    public Yuv420ToBgr24.Coefficients? Own => _own;

    /// <summary>Converts the frame's planes (an <c>AVFrame</c> of this size and format) into <paramref name="dst"/>, <paramref name="dstStride"/> bytes a row.</summary>
    public void Convert(void* frame, byte* dst, int dstStride) =>
        Convert((byte**)((byte*)frame + LibAv.FrameData), (int*)((byte*)frame + LibAv.FrameLinesize), dst, dstStride);

    /// <summary>Converts planes (<paramref name="data"/>, <paramref name="linesize"/> as in an <c>AVFrame</c>) into <paramref name="dst"/>.</summary>
    public void Convert(byte** data, int* linesize, byte* dst, int dstStride)
    {
        if (_own is { } own)
        {
            Yuv420ToBgr24.Convert(own, data[0], linesize[0], data[1], linesize[1], data[2], linesize[2], dst, dstStride, Width, Height);
            Interlocked.Increment(ref Yuv420ToBgr24.Frames);
            return;
        }
        if (Width % 16 == 0 && dstStride % 16 == 0)
        {
            LibAv.sws_scale(_sws, data, linesize, 0, Height, &dst, &dstStride);
            return;
        }
        if (_scratch == null) _scratch = (byte*)NativeMemory.AllocZeroed((nuint)((long)_scratchStride * Height + 64));
        byte* scratch = _scratch;
        int stride = _scratchStride;
        LibAv.sws_scale(_sws, data, linesize, 0, Height, &scratch, &stride);
        for (int y = 0; y < Height; y++)
            Buffer.MemoryCopy(scratch + (long)y * stride, dst + (long)y * dstStride, 3L * Width, 3L * Width);
    }

    public void Dispose()
    {
        LibAv.sws_freeContext(_sws);
        _sws = null;
        if (_scratch != null) NativeMemory.Free(_scratch);
        _scratch = null;
    }
}
