using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Media;

// The YUV-native input of the encoder (space: yuv): frames arrive as planes and are handed over by reference.
internal sealed unsafe partial class VideoEncoder
{
    /// <summary>4:2:0 for every codec in YUV mode (MJPEG: its full-range yuvj420p); FFV1 then keeps the planes losslessly.</summary>
    private static int PlanarPixelFormat(VideoCodec codec) => codec.Pixels == PixelPolicy.YuvJ420 ? LibAv.PixYuvJ420P : LibAv.PixYuv420P;

    /// <summary>Frames whose planes went to the encoder as they were (a new reference, no copy), and frames converted first.</summary>
    public long PlanesByReference { get; private set; }

    /// <inheritdoc cref="PlanesByReference"/>
    public long PlanesConverted { get; private set; }

    /// <summary>
    /// Encodes a YUV frame: its planes themselves when they are in the encoder's pixel format (the encoder takes its own
    /// reference to the buffers; any copy after that is the encoder's, as it is for the FFmpeg CLI), else converted once
    /// by libswscale (yuvj420p planes to a yuv420p encoder: the range conversion the FFmpeg CLI inserts).
    /// </summary>
    public void EncodePlanes(Frame frame, Action<nint> write)
    {
        var planes = frame.Planes ?? throw new InvalidOperationException("a BGR frame reached a YUV encoder");
        if (planes.Width != _input.Width || planes.Height != _input.Height)
            throw new InvalidOperationException($"planes of {planes.Width}x{planes.Height} reached an encoder opened for {_input.Width}x{_input.Height}");
        void* target;
        if (planes.PixelFormat == _pixFmt)
        {
            LibAv.av_frame_unref(_send);
            Check(LibAv.av_frame_ref(_send, planes.AVFrame), "reference a frame for");
            // The decoder's picture type would force the encoder's frame types (an I, P or B from the input): the
            // encoder chooses its own, as the FFmpeg CLI lets it.
            LibAv.Write(_send, LibAv.FramePictType, 0);
            target = _send;
            PlanesByReference++;
        }
        else
        {
            target = ConvertPlanes(planes);
            PlanesConverted++;
        }
        try { Send(frame, target, write); }
        finally { if (target == _send) LibAv.av_frame_unref(_send); }
    }

    private void* ConvertPlanes(FramePlanes planes)
    {
        if (_sws == null)
        {
            LibAv.Write(_frame, LibAv.FrameWidth, _input.Width);
            LibAv.Write(_frame, LibAv.FrameHeight, _input.Height);
            LibAv.Write(_frame, LibAv.FrameFormat, _pixFmt);
            Check(LibAv.av_frame_get_buffer(_frame, 0), "allocate a frame for");
            _sws = LibAv.sws_getContext(_input.Width, _input.Height, planes.PixelFormat, _input.Width, _input.Height, _pixFmt, LibAv.SwsBicubic, null, null, null);
            if (_sws == null) throw new InvalidOperationException($"FFmpeg cannot convert {LibAv.PixelFormatName(planes.PixelFormat)} for the encoder of '{_display}'");
        }
        Check(LibAv.av_frame_make_writable(_frame), "write a frame to");
        var src = planes.AVFrame;
        LibAv.sws_scale(_sws, (byte**)((byte*)src + LibAv.FrameData), (int*)((byte*)src + LibAv.FrameLinesize), 0, _input.Height,
            (byte**)((byte*)_frame + LibAv.FrameData), (int*)((byte*)_frame + LibAv.FrameLinesize));
        return _frame;
    }
}
