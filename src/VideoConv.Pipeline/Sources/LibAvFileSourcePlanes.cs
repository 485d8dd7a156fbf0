using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sources;

// space: yuv — the decoder's planes handed on as they are (docs/yuv.md).
internal sealed unsafe partial class LibAvFileSource
{
    private readonly bool _planar;
    private void* _planeSws;
    private int _planeSwsFormat = -1;

    /// <summary>Decoded frames whose planes were handed on by reference (4:2:0), and frames converted to yuv420p first (other formats).</summary>
    public (long ByReference, long Converted) PlaneFrames { get; private set; }

    /// <summary>Pixel formats handed on as they are: 8-bit 4:2:0 planes (yuvj420p is the same layout, full range).</summary>
    public static bool IsNativePlanes(int pixelFormat) => pixelFormat is LibAv.PixYuv420P or LibAv.PixYuvJ420P;

    private void CheckPlanar()
    {
        if (!_planar) return;
        if (FramePlanes.LayoutProblem is { } problem) throw new InvalidOperationException($"{_what}: space: yuv cannot be used: {problem}");
        // The planes are handed on untouched; turning them upright would be a copy of every plane, which this mode exists to avoid.
        if (_rotation != 0)
            throw new InvalidOperationException($"{_what} is stored rotated by {_rotation}° (its display matrix); space: yuv hands on the planes as stored and does not turn them: use space: bgr, which turns frames upright");
    }

    // The decoded picture into the frame's planes: adopted (a move of references) when 4:2:0, else converted once to yuv420p.
    private void ToPlanes(Frame frame)
    {
        var planes = frame.Planes ?? throw new InvalidOperationException("a BGR frame was handed to a YUV source");
        int w = LibAv.Read<int>(_frame, LibAv.FrameWidth), h = LibAv.Read<int>(_frame, LibAv.FrameHeight), fmt = LibAv.Read<int>(_frame, LibAv.FrameFormat);
        if (w != Format.Width || h != Format.Height)
            throw new InvalidOperationException($"{_what} changed frame size mid-stream (now {w}x{h}, was {Format.Width}x{Format.Height})");
        if (IsNativePlanes(fmt))
        {
            planes.Adopt(_frame);
            PlaneFrames = (PlaneFrames.ByReference + 1, PlaneFrames.Converted);
            return;
        }
        if (_planeSws == null || fmt != _planeSwsFormat)
        {
            LibAv.sws_freeContext(_planeSws);
            _planeSws = LibAv.sws_getContext(w, h, fmt, w, h, LibAv.PixYuv420P, LibAv.SwsBicubic, null, null, null);
            if (_planeSws == null) throw new InvalidOperationException($"{_what}: FFmpeg cannot convert its pixel format {LibAv.PixelFormatName(fmt)} to yuv420p");
            _planeSwsFormat = fmt;
        }
        planes.Allocate(w, h, LibAv.PixYuv420P);
        var dst = planes.AVFrame;
        LibAv.sws_scale(_planeSws, (byte**)((byte*)_frame + LibAv.FrameData), (int*)((byte*)_frame + LibAv.FrameLinesize), 0, h,
            (byte**)((byte*)dst + LibAv.FrameData), (int*)((byte*)dst + LibAv.FrameLinesize));
        LibAv.av_frame_unref(_frame);
        PlaneFrames = (PlaneFrames.ByReference, PlaneFrames.Converted + 1);
    }

    private void ReleasePlanes()
    {
        if (_planeSws != null) LibAv.sws_freeContext(_planeSws);
        _planeSws = null;
    }
}
