using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;

namespace VideoConv.Pipeline.Frames;

/// <summary>
/// The planes of a YUV frame (<c>space: yuv</c>): one libavutil <c>AVFrame</c>, reference-counted by FFmpeg, whose
/// planes are the decoder's own buffers or the engine's output buffers — never a copy made to move them between
/// stages. A pooled <see cref="Frame"/> owns one; its last <see cref="Frame.Release"/> drops the references, so a
/// decoder's buffer goes back to the decoder as soon as nobody reads it.
/// </summary>
internal sealed unsafe class FramePlanes : IDisposable
{
    private void* _frame = LibAv.av_frame_alloc();

    public FramePlanes()
    {
        if (_frame == null) throw new OutOfMemoryException("FFmpeg could not allocate a frame");
    }

    /// <summary>The AVFrame (valid while the owning frame is held).</summary>
    public void* AVFrame => _frame;

    public int Width => LibAv.Read<int>(_frame, LibAv.FrameWidth);
    public int Height => LibAv.Read<int>(_frame, LibAv.FrameHeight);

    /// <summary>FFmpeg's pixel format number (<c>AV_PIX_FMT_*</c>): yuv420p or yuvj420p in this pipeline.</summary>
    public int PixelFormat => LibAv.Read<int>(_frame, LibAv.FrameFormat);

    public byte* Data(int plane) => ((byte**)((byte*)_frame + LibAv.FrameData))[plane];
    public int Linesize(int plane) => ((int*)((byte*)_frame + LibAv.FrameLinesize))[plane];

    /// <summary>Plane <paramref name="plane"/>'s size as a one-channel image (4:2:0: chroma is half each way, rounded up).</summary>
    public static ImageFormat PlaneFormat(int width, int height, int plane) =>
        plane == 0 ? new ImageFormat(width, height, 1) : new ImageFormat((width + 1) / 2, (height + 1) / 2, 1);

    /// <summary>Takes over the references of <paramref name="decoded"/> (which is left empty): no pixel moves.</summary>
    public void Adopt(void* decoded)
    {
        LibAv.av_frame_unref(_frame);
        LibAv.av_frame_move_ref(_frame, decoded);
    }

    /// <summary>Refers to the same buffers and properties as <paramref name="other"/> (a new reference to each, no copy).</summary>
    public void ReferTo(FramePlanes other)
    {
        LibAv.av_frame_unref(_frame);
        int ret = LibAv.av_frame_ref(_frame, other._frame);
        if (ret < 0) throw new InvalidOperationException($"FFmpeg could not reference a frame: {LibAv.Error(ret)}");
    }

    /// <summary>
    /// Makes plane <paramref name="plane"/> the packed buffer <paramref name="bufferRef"/> (an <c>AVBufferRef</c> whose
    /// reference passes to this frame), <paramref name="linesize"/> bytes a row. The buffer it replaces stays referenced
    /// until the frame is released (harmless: it is the decoder's, unchanged).
    /// </summary>
    public void SetPlane(int plane, void* bufferRef, int linesize)
    {
        var slots = (void**)((byte*)_frame + LibAv.FrameBuf);
        int free = 0;
        while (free < LibAv.FrameBufSlots && slots[free] != null) free++;
        if (free == LibAv.FrameBufSlots)
        {
            LibAv.av_buffer_unref(&bufferRef);
            throw new InvalidOperationException("the decoder's frame uses every buffer slot; cannot attach a filtered plane");
        }
        slots[free] = bufferRef;
        ((byte**)((byte*)_frame + LibAv.FrameData))[plane] = (byte*)LibAv.Read<nint>(bufferRef, LibAv.BufferRefData);
        ((int*)((byte*)_frame + LibAv.FrameLinesize))[plane] = linesize;
    }

    /// <summary>Fresh buffers of <paramref name="width"/> × <paramref name="height"/> in <paramref name="pixelFormat"/> (a converted frame).</summary>
    public void Allocate(int width, int height, int pixelFormat)
    {
        LibAv.av_frame_unref(_frame);
        LibAv.Write(_frame, LibAv.FrameWidth, width);
        LibAv.Write(_frame, LibAv.FrameHeight, height);
        LibAv.Write(_frame, LibAv.FrameFormat, pixelFormat);
        int ret = LibAv.av_frame_get_buffer(_frame, 0);
        if (ret < 0) throw new OutOfMemoryException($"FFmpeg could not allocate a {width}x{height} frame: {LibAv.Error(ret)}");
    }

    /// <summary>Drops every reference (the frame goes back to its pool empty).</summary>
    public void Clear()
    {
        if (_frame != null) LibAv.av_frame_unref(_frame);
    }

    public void Dispose()
    {
        if (_frame == null) return;
        fixed (void** f = &_frame) LibAv.av_frame_free(f);
    }

    /// <summary>
    /// Checks the AVFrame fields this class writes (buf[] and the AVBufferRef's data) against FFmpeg's own allocator:
    /// null when they match, else why the YUV path cannot be used. Done once per process.
    /// </summary>
    public static string? LayoutProblem => s_layout.Value;

    private static readonly Lazy<string?> s_layout = new(() =>
    {
        if (!LibAv.IsAvailable) return $"the system FFmpeg 5.1 libraries are not loaded";
        void* f = LibAv.av_frame_alloc();
        try
        {
            LibAv.Write(f, LibAv.FrameWidth, 64);
            LibAv.Write(f, LibAv.FrameHeight, 16);
            LibAv.Write(f, LibAv.FrameFormat, LibAv.PixYuv420P);
            if (LibAv.av_frame_get_buffer(f, 0) < 0) return "FFmpeg could not allocate a test frame";
            var slots = (void**)((byte*)f + LibAv.FrameBuf);
            for (int plane = 0; plane < 3; plane++)
            {
                byte* data = ((byte**)((byte*)f + LibAv.FrameData))[plane];
                bool inside = false;
                for (int s = 0; s < LibAv.FrameBufSlots && slots[s] != null; s++)
                {
                    byte* start = (byte*)LibAv.Read<nint>(slots[s], LibAv.BufferRefData);
                    nuint size = LibAv.Read<nuint>(slots[s], LibAv.BufferRefSize);
                    if (data >= start && data < start + size) inside = true;
                }
                if (!inside) return "the AVFrame buffer layout of this FFmpeg does not match the one the YUV path was built for";
            }
            return null;
        }
        finally { LibAv.av_frame_free(&f); }
    });
}
