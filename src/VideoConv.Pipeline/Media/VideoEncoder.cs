using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// One video encoder (libavcodec) fed pooled BGR/BGRA/grey frames: libswscale converts them into the encoder's
/// pixel format (the conversion FFmpeg's CLI inserts), and each frame's presentation time is rescaled once, from
/// its source's time base into the encoder's, so variable frame rates and gaps survive.
/// </summary>
/// <remarks>
/// The encoder's time base is the source's own (the input stream's, or 1/fps for pattern and images), except where
/// a codec or container limits it: MPEG-4 Part 2 takes denominators up to 65535 (then milliseconds), AVI is a
/// constant-rate container (then 1/fps). A timestamp that rounds onto the previous one is moved one tick on,
/// never dropped.
/// </remarks>
internal sealed unsafe partial class VideoEncoder : IDisposable
{
    private void* _ctx, _frame, _packet, _sws, _send;
    private readonly int _pixFmt;
    private readonly ImageFormat _input;
    private readonly Rational _timeBase;
    private readonly int _quality;
    private readonly Dictionary<long, long> _durations = [];
    private long _lastPts = long.MinValue, _count;
    private readonly Rational _rate;
    private readonly string _display;
    private readonly bool _ownBgr;

    /// <param name="colour">The input stream's colour description: tagged on the output and used for the BGR → YUV conversion.</param>
    /// <param name="planar">Frames come as YUV planes (<c>space: yuv</c>, <see cref="Frame.Planes"/>): the encoder takes 4:2:0 and gets them by reference (<see cref="EncodePlanes"/>).</param>
    public VideoEncoder(VideoCodec codec, void* encoder, MediaSinkSpec spec, ImageFormat input, Rational sourceTimeBase, double fps, OutputMuxer muxer, string display,
        ColourDescription colour, bool planar = false)
    {
        _input = input;
        _display = display;
        _ctx = LibAv.avcodec_alloc_context3(encoder);
        if (_ctx == null) throw new OutOfMemoryException("FFmpeg could not allocate an encoder");
        var rate = _rate = Rational.FrameTicks(fps > 0 ? fps : 30).Inverse;
        _timeBase = sourceTimeBase.IsValid ? sourceTimeBase : rate.Inverse;
        if (muxer.Name == "avi" || (codec.Id == LibAv.CodecMpeg4 && (_timeBase.Den > 65535 || _timeBase.Num > 65535)))
            _timeBase = muxer.Name == "avi" ? rate.Inverse : new Rational(1, 1000);
        int pixFmt = _pixFmt = planar ? PlanarPixelFormat(codec) : MediaFormats.PixelFormat(codec, input);
        LibAv.Write(_ctx, LibAv.CtxWidth, input.Width);
        LibAv.Write(_ctx, LibAv.CtxHeight, input.Height);
        LibAv.Write(_ctx, LibAv.CtxPixFmt, pixFmt);
        LibAv.Write(_ctx, LibAv.CtxTimeBase, _timeBase);
        LibAv.Write(_ctx, LibAv.CtxFramerate, rate);
        LibAv.Write(_ctx, LibAv.CtxThreadCount, codec.Id is LibAv.CodecMpeg4 or LibAv.CodecMjpeg ? Math.Max(1, Environment.ProcessorCount) : 0);
        if (codec.Name == "XVID" && muxer.Name == "avi") LibAv.Write(_ctx, LibAv.CtxCodecTag, 'x' | 'v' << 8 | 'i' << 16 | 'd' << 24);
        // A YUV output carries the input's colour description (its range too, unless the pixel format fixes it: yuvj420p).
        bool describe = codec.Pixels != PixelPolicy.Lossless && colour.IsKnown, keepRange = codec.Pixels == PixelPolicy.Yuv420;
        if (describe) colour.Tag(_ctx, keepRange);
        _quality = EncoderOptions.Apply(_ctx, codec, spec);
        if (muxer.WantsGlobalHeader) LibAv.Write(_ctx, LibAv.CtxFlags, LibAv.Read<int>(_ctx, LibAv.CtxFlags) | LibAv.FlagGlobalHeader);
        Check(LibAv.avcodec_open2(_ctx, encoder, null), "open the encoder for");

        _frame = LibAv.av_frame_alloc();
        _packet = LibAv.av_packet_alloc();
        if (planar)
        {
            _send = LibAv.av_frame_alloc();
            return; // a conversion frame only if the planes' format is not the encoder's (made at the first such frame)
        }
        LibAv.Write(_frame, LibAv.FrameWidth, input.Width);
        LibAv.Write(_frame, LibAv.FrameHeight, input.Height);
        LibAv.Write(_frame, LibAv.FrameFormat, pixFmt);
        Check(LibAv.av_frame_get_buffer(_frame, 0), "allocate a frame for");
        int srcFmt = input.Channels switch { 1 => LibAv.PixGray8, 4 => LibAv.PixBgra, _ => LibAv.PixBgr24 };
        // Bit-exact where the formats match (BGR → BGR0, grey → grey): lossless FFV1 keeps every sample.
        // A described input is converted with its own matrix and range: libswscale's fast BGR → yuv420p path (x86) has
        // BT.601 limited range built in and ignores both, so accurate rounding takes the general path, which obeys them.
        // BGR → yuv420p without a colour description: libswscale's unscaled MMX path, or the same bytes from our AVX2 copy of it.
        _ownBgr = !describe && srcFmt == LibAv.PixBgr24 && pixFmt == LibAv.PixYuv420P && input.Width % 2 == 0 && !Bgr24ToYuv420.ForceLibswscale &&
            LibAv.Read<int>(_frame, LibAv.FrameLinesize + 4) == LibAv.Read<int>(_frame, LibAv.FrameLinesize + 8) && Bgr24ToYuv420.MatchesLibswscale;
        if (_ownBgr) return;
        _sws = LibAv.sws_getContext(input.Width, input.Height, srcFmt, input.Width, input.Height, pixFmt, LibAv.SwsBicubic | (describe ? LibAv.SwsAccurateRnd : 0), null, null, null);
        if (_sws == null) throw new InvalidOperationException($"FFmpeg cannot convert {input} frames for the {codec.Display} encoder");
        if (describe) colour.ConvertTo(_sws, keepRange);
    }

    public void* Context => _ctx;
    public Rational TimeBase => _timeBase;

    /// <summary>Copies the encoder's parameters onto the output stream (after opening, before the header).</summary>
    public void Describe(void* stream)
    {
        Check(LibAv.avcodec_parameters_from_context(LibAv.Read<nint>(stream, LibAv.StreamCodecpar).ToPointer(), _ctx), "configure");
        LibAv.Write(stream, LibAv.StreamTimeBase, _timeBase);
    }

    /// <summary>Encodes one frame; <paramref name="write"/> gets each finished packet (timestamps in <see cref="TimeBase"/>).</summary>
    public void Encode(Frame frame, Action<nint> write)
    {
        Check(LibAv.av_frame_make_writable(_frame), "write a frame to");
        fixed (byte* pixels = frame.Image.Data)
        {
            byte* src = pixels;
            int stride = _input.RowBytes;
            byte** data = (byte**)((byte*)_frame + LibAv.FrameData);
            int* linesize = (int*)((byte*)_frame + LibAv.FrameLinesize);
            if (_ownBgr)
            {
                Bgr24ToYuv420.Convert(src, stride, data[0], linesize[0], data[1], data[2], linesize[1], _input.Width, _input.Height);
                Interlocked.Increment(ref Bgr24ToYuv420.Frames);
            }
            else LibAv.sws_scale(_sws, &src, &stride, 0, _input.Height, data, linesize);
        }
        Send(frame, _frame, write);
    }

    private void Send(Frame frame, void* target, Action<nint> write)
    {
        // A frame without a time (written straight to the sink, not through a source stage) is the next at the declared rate.
        bool stamped = frame.Pts != Frame.NoPts && frame.TimeBase.IsValid;
        long pts = stamped ? Rational.Rescale(frame.Pts, frame.TimeBase, _timeBase) : Rational.Rescale(_count, _rate.Inverse, _timeBase);
        _count++;
        if (pts <= _lastPts) pts = _lastPts + 1;
        _lastPts = pts;
        long duration = !stamped ? Rational.Rescale(1, _rate.Inverse, _timeBase) : frame.Duration > 0 ? Math.Max(1, Rational.Rescale(frame.Duration, frame.TimeBase, _timeBase)) : 0;
        _durations[pts] = duration;
        LibAv.Write(target, LibAv.FramePts, pts);
        // With a constant quantiser the encoder reads each frame's quality (ffmpeg's CLI copies global_quality there too).
        if (_quality > 0) LibAv.Write(target, LibAv.FrameQuality, _quality);
        Check(LibAv.avcodec_send_frame(_ctx, target), "encode a frame of");
        Drain(write);
    }

    /// <summary>Drains the encoder's delayed frames (B-frames, lookahead).</summary>
    public void Flush(Action<nint> write)
    {
        Check(LibAv.avcodec_send_frame(_ctx, null), "finish encoding");
        Drain(write);
    }

    private void Drain(Action<nint> write)
    {
        while (true)
        {
            int ret = LibAv.avcodec_receive_packet(_ctx, _packet);
            if (ret == LibAv.ErrorAgain || ret == LibAv.ErrorEof) return;
            Check(ret, "encode");
            long pts = LibAv.Read<long>(_packet, LibAv.PacketPts);
            // The muxer needs each packet's duration (the last frame's above all): the frame's own, as it came in.
            if (_durations.Remove(pts, out long duration) && duration > 0 && LibAv.Read<long>(_packet, LibAv.PacketDuration) <= 0)
                LibAv.Write(_packet, LibAv.PacketDuration, duration);
            write((nint)_packet);
            LibAv.av_packet_unref(_packet);
        }
    }

    private void Check(int ret, string what)
    {
        if (ret < 0) throw new IOException($"FFmpeg could not {what} '{_display}': {LibAv.Error(ret)}");
    }

    public void Dispose()
    {
        if (_send != null) fixed (void** send = &_send) LibAv.av_frame_free(send);
        fixed (void** ctx = &_ctx) LibAv.avcodec_free_context(ctx);
        fixed (void** frame = &_frame) LibAv.av_frame_free(frame);
        fixed (void** packet = &_packet) LibAv.av_packet_free(packet);
        if (_sws != null) LibAv.sws_freeContext(_sws);
        _sws = null;
    }
}
