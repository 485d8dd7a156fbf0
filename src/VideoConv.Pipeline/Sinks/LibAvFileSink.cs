using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;

namespace VideoConv.Pipeline.Sinks;

/// <summary>
/// <c>file: PATH</c> encoded in-process by the system FFmpeg libraries: the same encoders and settings as
/// <see cref="FfmpegPipeSink"/> (mpeg4 <c>-q:v 5</c>, MJPEG <c>-q:v 3</c>), without a pipe. Used when
/// <see cref="LibAv.IsAvailable"/>; writes beside the destination and moves into place when finalized.
/// </summary>
/// <remarks>
/// Frames are converted to I420 by OpenCV (as the pipe sink does) and handed to the encoder, which runs its
/// own slice threads. Measured figures are in the README's end-to-end table.
/// </remarks>
internal sealed unsafe class LibAvFileSink(string path, string fourcc, bool overwrite) : IFrameSink
{
    private void* _format;     // AVFormatContext (output)
    private void* _stream;     // AVStream
    private void* _codec;      // AVCodecContext
    private void* _frame;      // AVFrame, I420 planes owned by the encoder side
    private void* _packet;
    private LibAv.Rational _codecTimeBase, _streamTimeBase;
    private Mat? _yuv;
    private string? _temp;
    private ImageFormat _format0;
    private long _pts;
    private int _quality;
    private bool _headerWritten;

    public string Name => $"sink file {path}";
    public bool AcceptsFormatChange => false;

    /// <summary>FOURCCs encoded in-process (FFV1 stays on OpenCV's writer, which codes BGR losslessly).</summary>
    public static bool Handles(string fourcc) => FfmpegPipeSink.Handles(fourcc);

    public void Open(ImageFormat format, double fps)
    {
        if (format.Channels == 2)
            throw new InvalidOperationException($"cannot encode 2-channel frames ({format}) to '{path}'; end the chain with 1, 3 or 4 channels");
        _format0 = format;
        int w = format.Width, h = format.Height;
        _temp = OpenCvVideoWriterSink.TempPathFor(path);
        void* output = null;
        Check(LibAv.avformat_alloc_output_context2(&output, null, null, path), "choose a container for");
        _format = output;
        bool mjpeg = fourcc == "MJPG";
        var encoder = LibAv.avcodec_find_encoder(mjpeg ? LibAv.CodecMjpeg : LibAv.CodecMpeg4);
        if (encoder == null) throw new InvalidOperationException($"the system FFmpeg has no {(mjpeg ? "MJPEG" : "MPEG-4")} encoder");
        _stream = LibAv.avformat_new_stream(_format, null);
        _codec = LibAv.avcodec_alloc_context3(encoder);
        if (_stream == null || _codec == null) throw new OutOfMemoryException("FFmpeg could not allocate an encoder");

        var rate = LibAv.av_d2q(fps > 0 ? fps : OpenCvVideoWriterSink.FallbackFps, 100_000);
        _codecTimeBase = new LibAv.Rational { Num = rate.Den, Den = rate.Num };
        LibAv.Write(_codec, LibAv.CtxWidth, w);
        LibAv.Write(_codec, LibAv.CtxHeight, h);
        LibAv.Write(_codec, LibAv.CtxPixFmt, mjpeg ? LibAv.PixYuvJ420P : LibAv.PixYuv420P);
        LibAv.Write(_codec, LibAv.CtxTimeBase, _codecTimeBase);
        LibAv.Write(_codec, LibAv.CtxFramerate, rate);
        // Constant quantiser, as ffmpeg's -q:v: mpeg4 5 (FfmpegPipeSink.Mpeg4Quality), MJPEG 3.
        _quality = (mjpeg ? 3 : FfmpegPipeSink.Mpeg4Quality) * LibAv.QpToLambda;
        LibAv.Write(_codec, LibAv.CtxGlobalQuality, _quality);
        int flags = LibAv.Read<int>(_codec, LibAv.CtxFlags) | LibAv.FlagQscale;
        void* oformat = LibAv.Read<nint>(_format, LibAv.FormatOformat).ToPointer();
        if ((LibAv.Read<int>(oformat, LibAv.OutputFlags) & LibAv.FmtGlobalHeader) != 0) flags |= LibAv.FlagGlobalHeader;
        LibAv.Write(_codec, LibAv.CtxFlags, flags);
        if (fourcc == "XVID") LibAv.Write(_codec, LibAv.CtxCodecTag, 'x' | 'v' << 8 | 'i' << 16 | 'd' << 24);
        LibAv.Write(_codec, LibAv.CtxThreadCount, Math.Max(1, Environment.ProcessorCount));
        Check(LibAv.avcodec_open2(_codec, encoder, null), "open the encoder for");
        Check(LibAv.avcodec_parameters_from_context(LibAv.Read<nint>(_stream, LibAv.StreamCodecpar).ToPointer(), _codec), "configure");
        LibAv.Write(_stream, LibAv.StreamTimeBase, _codecTimeBase);

        Check(LibAv.avio_open((void**)((byte*)_format + LibAv.FormatPb), _temp, LibAv.AvioWrite), "create");
        Check(LibAv.avformat_write_header(_format, null), "write the header of");
        _headerWritten = true;
        _streamTimeBase = LibAv.Read<LibAv.Rational>(_stream, LibAv.StreamTimeBase); // the muxer may change it

        _frame = LibAv.av_frame_alloc();
        _packet = LibAv.av_packet_alloc();
        LibAv.Write(_frame, LibAv.FrameWidth, w);
        LibAv.Write(_frame, LibAv.FrameHeight, h);
        LibAv.Write(_frame, LibAv.FrameFormat, mjpeg ? LibAv.PixYuvJ420P : LibAv.PixYuv420P);
        Check(LibAv.av_frame_get_buffer(_frame, 0), "allocate a frame for");
        _yuv = new Mat();
    }

    public void Write(Frame frame)
    {
        if (_codec == null) throw new InvalidOperationException("sink not opened");
        if (frame.Format != _format0)
            throw new InvalidOperationException($"frame format changed from {_format0} to {frame.Format}; a video file's size is fixed");
        Check(LibAv.av_frame_make_writable(_frame), "write a frame to");
        ToI420(frame.Mat);
        LibAv.Write(_frame, LibAv.FramePts, _pts++);
        // With a constant quantiser the encoder takes each frame's quality (the ffmpeg command copies global_quality there too).
        LibAv.Write(_frame, LibAv.FrameQuality, _quality);
        Check(LibAv.avcodec_send_frame(_codec, _frame), "encode a frame of");
        Drain();
    }

    // BGR(A)/grey → the frame's three planes (OpenCV's BT.601 conversion, as the pipe sink). OpenCV converts
    // even sizes only: an odd frame is padded by one column/row (edge copied) and the planes cropped, so the
    // chroma of the last column/row comes from that edge, as FFmpeg's own conversion rounds odd sizes up.
    private void ToI420(Mat bgr)
    {
        int w = _format0.Width, h = _format0.Height, pw = (w + 1) & ~1, ph = (h + 1) & ~1;
        Mat src = bgr;
        Mat? scratch = null;
        if (bgr.Channels() == 1)
        {
            scratch = new Mat();
            Cv2.CvtColor(bgr, scratch, ColorConversionCodes.GRAY2BGR);
            src = scratch;
        }
        if (pw != w || ph != h)
        {
            var grown = new Mat();
            Cv2.CopyMakeBorder(src, grown, 0, ph - h, 0, pw - w, BorderTypes.Replicate);
            scratch?.Dispose();
            src = scratch = grown;
        }
        Cv2.CvtColor(src, _yuv!, src.Channels() == 4 ? ColorConversionCodes.BGRA2YUV_I420 : ColorConversionCodes.BGR2YUV_I420);
        scratch?.Dispose();
        byte* plane = (byte*)_yuv!.Data;
        for (int p = 0; p < 3; p++)
        {
            int stride = p == 0 ? pw : pw / 2, rows = p == 0 ? h : ph / 2, width = p == 0 ? w : pw / 2;
            byte* dst = (byte*)LibAv.Read<nint>(_frame, LibAv.FrameData + p * sizeof(nint));
            int linesize = LibAv.Read<int>(_frame, LibAv.FrameLinesize + p * sizeof(int));
            for (int y = 0; y < rows; y++) Buffer.MemoryCopy(plane + (long)y * stride, dst + (long)y * linesize, linesize, width);
            plane += (long)stride * (p == 0 ? ph : ph / 2);
        }
    }

    private void Drain()
    {
        while (true)
        {
            int ret = LibAv.avcodec_receive_packet(_codec, _packet);
            if (ret == LibAv.ErrorAgain || ret == LibAv.ErrorEof) return;
            Check(ret, "encode");
            LibAv.Write(_packet, LibAv.PacketDuration, 1L); // one frame, in the codec's 1/fps time base (the muxer needs it for the last frame)
            LibAv.av_packet_rescale_ts(_packet, _codecTimeBase, _streamTimeBase);
            Check(LibAv.av_interleaved_write_frame(_format, _packet), "write");
        }
    }

    public void Complete()
    {
        if (_codec == null || _temp is null) return; // no frame arrived: nothing to write
        Check(LibAv.avcodec_send_frame(_codec, null), "finish encoding");
        Drain();
        Check(LibAv.av_write_trailer(_format), "finish");
        _headerWritten = false;
        Release();
        PartialFiles.Commit(_temp, path, overwrite);
        _temp = null;
    }

    public void Abort()
    {
        Release();
        PartialFiles.Discard(_temp);
        _temp = null;
    }

    public void Dispose()
    {
        Abort();
        _yuv?.Dispose();
        _yuv = null;
    }

    private void Release()
    {
        if (_format != null)
        {
            if (_headerWritten) LibAv.av_write_trailer(_format); // an aborted file is discarded; this only flushes the muxer
            _headerWritten = false;
            LibAv.avio_closep((void**)((byte*)_format + LibAv.FormatPb));
            LibAv.avformat_free_context(_format);
            _format = null;
        }
        fixed (void** codec = &_codec) LibAv.avcodec_free_context(codec);
        fixed (void** frame = &_frame) LibAv.av_frame_free(frame);
        fixed (void** packet = &_packet) LibAv.av_packet_free(packet);
        _stream = null;
    }

    private void Check(int ret, string what)
    {
        if (ret < 0) throw new IOException($"FFmpeg could not {what} '{path}': {LibAv.Error(ret)}");
    }
}
