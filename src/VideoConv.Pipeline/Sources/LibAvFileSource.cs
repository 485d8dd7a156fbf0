using OpenCvSharp;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Media;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Sources;

/// <summary>
/// <c>file: PATH</c> (or <c>-</c>, a container on stdin) decoded in-process by the system FFmpeg libraries (see
/// <see cref="LibAv"/>), converted to BGR straight into the pooled frame (<see cref="BgrConverter"/>: ours where it
/// gives libswscale's bytes, else libswscale). Each frame keeps its
/// presentation time (the stream's time base, from the file's start or <c>start:</c>); rotated streams are
/// turned upright, as FFmpeg's autorotate does; damage mid-file is decoded past, and what was lost is named.
/// Anything it cannot open — FIFOs, empty files, missing libraries — goes to <see cref="VideoCaptureSource"/>,
/// which keeps its messages.
/// </summary>
/// <remarks>
/// Why not OpenCV's <c>VideoCapture</c> for files: measured on the 2-core CI machine, 300 frames of 1080p
/// H.264 decoded to a discard sink took 1.9 s in-process against 2.9 s through the capture. The BGR conversion
/// uses the flags OpenCV's capture uses (bicubic): frames are bit-identical to <c>ffmpeg -pix_fmt bgr24</c>.
/// </remarks>
internal sealed unsafe partial class LibAvFileSource(FileSourceSpec spec, AudioFeed? stdinAudio = null) : IFrameSource
{
    private int _audio = -1; // standard input's audio stream, published to stdinAudio
    private readonly string _what = spec.IsStdin ? "standard input" : $"file '{spec.Path}'";
    private readonly string _path = spec.Path;
    private IFrameSource? _fallback;
    private void* _format, _codec, _frame, _packet;
    private int _stream, _rotation;
    private BgrConverter? _bgr;
    private bool _pending, _flushed;
    private int _readError;
    private long _read;
    private Rational _tb;
    private ColourDescription _colour = ColourDescription.None;
    private long _origin, _end = long.MaxValue;
    private Mat? _unrotated;
    private readonly HashSet<long> _packetPts = [], _framePts = [];

    public LibAvFileSource(string path) : this(new FileSourceSpec(path)) { }

    /// <summary>A source for <paramref name="spec"/>; with <paramref name="planes"/> it hands over the decoder's YUV planes (<c>space: yuv</c>) instead of BGR.</summary>
    public LibAvFileSource(FileSourceSpec spec, AudioFeed? stdinAudio, bool planes) : this(spec, stdinAudio) => _planar = planes;

    public ImageFormat Format { get; private set; }
    public double Fps { get; private set; }
    public long? TotalFrames { get; private set; }
    public Rational? TimeBase => _fallback is null && _codec != null ? _tb : null;

    /// <summary>Which decoder this source ended up with, for logs and tests.</summary>
    public string Decoder => _fallback is null ? "libav" : "opencv";

    /// <summary>The video stream's colour description (range, primaries, transfer, matrix), once opened.</summary>
    public ColourDescription Colour => _colour;

    /// <summary>Degrees the picture was turned to be upright (0, 90, 180, 270), from the stream's display matrix.</summary>
    public int Rotation => _rotation;

    public void Open(CancellationToken cancellationToken)
    {
        if (spec.IsStdin)
        {
            if (!LibAv.IsAvailable) throw new InvalidOperationException($"reading a container from standard input needs the system FFmpeg 5.1 libraries; {LibAv.Unavailable}");
            if (!TryOpen("pipe:0")) throw new InvalidOperationException(IsMov(_format) ? MovOnPipe : "standard input holds no video FFmpeg can decode");
            CheckPlanar();
            return;
        }
        // A FIFO or device is read by the libraries like standard input (timestamps, audio through the feed), and never
        // handed to OpenCV after a failed open, which has already taken the stream's start.
        if (spec.ReadsOnce && LibAv.IsAvailable)
        {
            if (!TryOpen(_path)) throw new InvalidOperationException($"{_what} holds no video FFmpeg can decode");
            CheckPlanar();
            return;
        }
        // An empty file reports length 0: OpenCV's capture names it.
        bool regular = LibAv.IsAvailable && new FileInfo(_path) is { Exists: true, Length: > 0 };
        if (!regular || !TryOpen(_path))
        {
            if (_planar) throw new InvalidOperationException($"{_what}: space: yuv needs the system FFmpeg libraries to decode it ({(LibAv.IsAvailable ? "they cannot open it" : LibAv.UnavailableReason ?? "not loaded")}); use space: bgr");
            if (spec.Start is not null || spec.Duration is not null)
                throw new InvalidOperationException($"{_what}: trimming (start:, duration:) needs the system FFmpeg libraries to read it");
            Release();
            _fallback = VideoCaptureSource.ForFile(_path);
            _fallback.Open(cancellationToken);
            (Format, Fps, TotalFrames) = (_fallback.Format, _fallback.Fps, _fallback.TotalFrames);
        }
        else CheckPlanar();
    }

    /// <summary>What a pipe of an MP4/MOV that FFmpeg cannot read says (<c>ffmpeg -i -</c> fails the same way: "partial file").</summary>
    internal const string MovOnPipe =
        "standard input holds an MP4/MOV file that cannot be read from a pipe: most likely its index (moov) is at its end, and a pipe cannot " +
        "be read backwards to it (ffmpeg -i - fails on it too); give the file itself (file: PATH, --input PATH), remux it once with the index " +
        "first (ffmpeg -i in.mp4 -c copy -movflags +faststart out.mp4), or send Matroska or MPEG-TS";

    // The demuxer FFmpeg picked was mov/mp4 (AVFormatContext.iformat, compared with the registered one: a wrong offset only misses).
    private static bool IsMov(void* format) =>
        format != null && LibAv.Read<nint>(format, LibAv.FormatIformat) is var iformat && iformat != 0 && iformat == (nint)LibAv.av_find_input_format("mov");

    /// <summary>
    /// How much of a live stream read once (a FIFO, a device, a pipe with <c>live: true</c>) is analysed before its
    /// first frame, unless a sink keeps its audio and the container declares an audio stream (an audio stream's
    /// parameters can come later: FFmpeg's MPEG-TS muxer holds audio up to 0.7 s, and a stream found without them
    /// would be left out of the file; such a run analyses at FFmpeg's default, and what that reads arrives at once:
    /// a live run into a file drops some of its first frames). A stream without audio into a file is analysed as
    /// briefly as one into a window: before that, a 1080p30 FIFO into a file dropped 15–18 frames of its first second. FFmpeg's default, 5 s, never ends early on MPEG-TS (streams may appear later), and everything it
    /// reads is buffered and then delivered at once: a 30 fps FIFO took 0.53 s to open and its first frames arrived
    /// as a burst that queued 60–70 ms behind each other (720p, gaussian → sobel → window). 0.1 s finds the size, pixel format
    /// and rate of an MPEG-TS MPEG-4 or H.264 stream that starts at a keyframe (ffprobe -analyzeduration 100000 agrees
    /// with the default). A stream joined between keyframes has no parameter set in that window, and FFmpeg cannot
    /// analyse on (a second avformat_find_stream_info crashes in 5.1): that is refused, saying so.
    /// </summary>
    internal static readonly TimeSpan LiveAnalysis = TimeSpan.FromMilliseconds(100);

    /// <summary>With <see cref="LiveAnalysis"/>: bytes read to recognise the container and analyse it (FFmpeg's default 5 MB).</summary>
    internal const string LiveProbeBytes = "32768";

    // FFmpeg's own defaults (AVFormatContext's analyzeduration, 5 s in microseconds, and probesize, 5 MB).
    private const long DefaultAnalysis = 5_000_000, DefaultProbeBytes = 5_000_000;

    // Whether the container declared an audio stream on opening (MPEG-TS in its PMT, Matroska in its tracks). A container
    // that declares nothing up front (FLV) has no stream yet, and so no video either: it is analysed in full, below.
    private static bool DeclaresAudio(void* format)
    {
        int count = LibAv.Read<int>(format, LibAv.FormatNbStreams);
        if (count == 0) return true;
        var streams = (nint*)LibAv.Read<nint>(format, LibAv.FormatStreams);
        for (int i = 0; i < count; i++)
            if (LibAv.Read<int>(LibAv.Read<nint>(streams[i].ToPointer(), LibAv.StreamCodecpar).ToPointer(), LibAv.ParCodecType) == LibAv.MediaAudio)
                return true;
        return false;
    }

    private bool TryOpen(string url)
    {
        void* format = null;
        void* options = null;
        bool liveStream = spec.ReadsOnce && spec.IsLive;
        if (liveStream)
        {
            LibAv.av_dict_set(&options, "analyzeduration", ((long)LiveAnalysis.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), 0);
            LibAv.av_dict_set(&options, "probesize", LiveProbeBytes, 0);
        }
        int opened = LibAv.avformat_open_input(&format, url, null, &options);
        LibAv.av_dict_free(&options);
        if (opened < 0) return false;
        _format = format;
        if (liveStream && stdinAudio is not null && DeclaresAudio(_format))
        {
            // A sink keeps the audio and the container declared an audio stream: analysed at FFmpeg's defaults, or the
            // stream may be found without its parameters and left out (see LiveAnalysis).
            liveStream = false;
            LibAv.av_opt_set_int(_format, "analyzeduration", DefaultAnalysis, 0);
            LibAv.av_opt_set_int(_format, "probesize", DefaultProbeBytes, 0);
        }
        if (LibAv.avformat_find_stream_info(_format, null) < 0) return false;
        void* decoder = null;
        _stream = LibAv.av_find_best_stream(_format, LibAv.MediaVideo, -1, -1, &decoder, 0);
        if (_stream < 0 || decoder == null) return false;
        void* stream = ((nint*)LibAv.Read<nint>(_format, LibAv.FormatStreams))[_stream].ToPointer();
        void* par = LibAv.Read<nint>(stream, LibAv.StreamCodecpar).ToPointer();
        int width = LibAv.Read<int>(par, LibAv.ParWidth), height = LibAv.Read<int>(par, LibAv.ParHeight);
        if (liveStream && (width <= 0 || height <= 0))
            throw new InvalidOperationException(
                $"{_what}: no picture size in the first {LiveAnalysis.TotalSeconds:0.#} s of the live stream (an H.264 stream joined between two keyframes has " +
                "none until the next one): start the stream at a keyframe, or set live: false, which analyses up to 5 s as FFmpeg does");
        if (width <= 0 || height <= 0 || (long)width * height * 4 > Image.MaxBytes) return false;
        _rotation = UprightRotation(stream);
        _colour = ColourDescription.Of(par);

        _codec = LibAv.avcodec_alloc_context3(decoder);
        if (_codec == null || LibAv.avcodec_parameters_to_context(_codec, par) < 0) return false;
        LibAv.Write(_codec, LibAv.CtxThreadCount, 0); // auto: frame threads on every core, as the ffmpeg command
        if (LibAv.avcodec_open2(_codec, decoder, null) < 0) return false;
        _frame = LibAv.av_frame_alloc();
        _packet = LibAv.av_packet_alloc();
        _tb = LibAv.Read<Rational>(stream, LibAv.StreamTimeBase);

        var rate = LibAv.av_guess_frame_rate(_format, stream, null).Value;
        Fps = double.IsFinite(rate) && rate > 0 && rate < 1000 ? rate : 0;
        long declared = LibAv.Read<long>(stream, LibAv.StreamNbFrames);
        if (declared <= 0 && Fps > 0)
        {
            // No count in the container (Matroska): estimate it from the duration, as OpenCV's capture does.
            long duration = LibAv.Read<long>(_format, LibAv.FormatDuration);
            if (duration > 0) declared = (long)Math.Floor((double)duration / LibAv.TimeBase * Fps + 0.5);
        }
        bool trimmed = spec.Start is not null || spec.Duration is not null;
        TotalFrames = declared > 0 && !trimmed ? declared : spec.Duration is { } d && Fps > 0 ? (long)Math.Round(d.TotalSeconds * Fps) : null;

        // Timestamps count from the file's start (as ffmpeg's output does), or from start: when trimming; the audio uses the same origin.
        long startUs = LibAv.Read<long>(_format, LibAv.FormatStartTime);
        long originUs = (startUs == LibAv.NoPts ? 0 : startUs) + (spec.Start ?? TimeSpan.Zero).Ticks / 10;
        _origin = Rational.Rescale(originUs, LibAv.Microseconds, _tb);
        if (stdinAudio is not null && LibAv.av_find_best_stream(_format, LibAv.MediaAudio, -1, _stream, null, 0) is var audio and >= 0)
        {
            void* audioStream = ((nint*)LibAv.Read<nint>(_format, LibAv.FormatStreams))[audio].ToPointer();
            var audioTb = LibAv.Read<Rational>(audioStream, LibAv.StreamTimeBase);
            stdinAudio.Open(LibAv.Read<nint>(audioStream, LibAv.StreamCodecpar).ToPointer(), audioTb, Rational.Rescale(originUs, LibAv.Microseconds, audioTb));
            _audio = audio;
        }
        if (spec.Duration is { } keep) _end = _origin + Rational.Rescale(keep.Ticks / 10, LibAv.Microseconds, _tb);
        if (spec.Start is { } start && start > TimeSpan.Zero)
        {
            // The keyframe at or before start:, then decode forward (frames before start: are dropped), as ffmpeg -ss X -i.
            int ret = LibAv.avformat_seek_file(_format, _stream, long.MinValue, _origin, _origin, LibAv.SeekBackward);
            if (ret < 0) throw new InvalidOperationException($"{_what}: cannot seek to start {start}: {LibAv.Error(ret)}");
        }

        // The first frame proves the stream decodes and gives the real size.
        if (!Decode()) return spec.Start is not null ? throw new InvalidOperationException($"{_what}: start {spec.Start} is past the end of the video") : false;
        _pending = true;
        int w = LibAv.Read<int>(_frame, LibAv.FrameWidth), h = LibAv.Read<int>(_frame, LibAv.FrameHeight);
        Format = _rotation is 90 or 270 ? new ImageFormat(h, w, 3) : new ImageFormat(w, h, 3);
        if (_rotation != 0) _unrotated = new Mat(h, w, MatType.CV_8UC3);
        return true;
    }

    public bool Read(Frame frame, CancellationToken cancellationToken)
    {
        if (_fallback is not null) return _fallback.Read(frame, cancellationToken);
        if (_codec == null) throw new InvalidOperationException("source not opened");
        if (_pending) _pending = false;
        else if (!Decode())
        {
            stdinAudio?.Complete(); // every audio packet before the end is published
            CheckEnd();
            return false;
        }
        long pts = LibAv.Read<long>(_frame, LibAv.FrameBestEffortTimestamp);
        frame.TimeBase = _tb;
        frame.Pts = pts == LibAv.NoPts ? _read : pts - _origin;
        frame.Duration = Math.Max(0, LibAv.Read<long>(_frame, LibAv.FramePktDuration));
        if (_planar) ToPlanes(frame);
        else ToBgr(frame);
        _read++;
        return true;
    }

    // Next decoded picture at or after start: into _frame; false at the end (or end:). Damaged packets are decoded
    // past, as FFmpeg does; their timestamps are remembered so CheckEnd can name the frames they lost.
    private bool Decode()
    {
        while (true)
        {
            int ret = LibAv.avcodec_receive_frame(_codec, _frame);
            if (ret == 0)
            {
                long pts = LibAv.Read<long>(_frame, LibAv.FrameBestEffortTimestamp);
                if (pts != LibAv.NoPts) _framePts.Add(pts);
                if (pts != LibAv.NoPts && pts < _origin) { LibAv.av_frame_unref(_frame); continue; } // before start:
                if (pts != LibAv.NoPts && pts >= _end) { LibAv.av_frame_unref(_frame); _flushed = true; return false; }
                return true;
            }
            if (ret == LibAv.ErrorEof) return false;
            if (_flushed && ret != LibAv.ErrorAgain) return false;
            if (_flushed) return false;
            // EAGAIN, or a decoding error (damaged data): feed the next packet.
            ret = LibAv.av_read_frame(_format, _packet);
            if (ret < 0)
            {
                if (ret != LibAv.ErrorEof) _readError = ret;
                LibAv.avcodec_send_packet(_codec, null); // drain the frames still inside the decoder
                _flushed = true;
                continue;
            }
            if (LibAv.Read<int>(_packet, LibAv.PacketStreamIndex) == _stream)
            {
                long pts = LibAv.Read<long>(_packet, LibAv.PacketPts);
                if (pts != LibAv.NoPts && pts >= _origin && pts < _end) _packetPts.Add(pts);
                LibAv.avcodec_send_packet(_codec, _packet); // a damaged packet is reported by CheckEnd, not here
            }
            else if (_audio >= 0 && LibAv.Read<int>(_packet, LibAv.PacketStreamIndex) == _audio) stdinAudio!.Publish(_packet);
            LibAv.av_packet_unref(_packet);
        }
    }

    private void ToBgr(Frame frame)
    {
        int w = LibAv.Read<int>(_frame, LibAv.FrameWidth), h = LibAv.Read<int>(_frame, LibAv.FrameHeight), fmt = LibAv.Read<int>(_frame, LibAv.FrameFormat);
        bool turned = _rotation is 90 or 270;
        if ((turned ? h : w) != Format.Width || (turned ? w : h) != Format.Height)
            throw new InvalidOperationException($"{_what} changed frame size mid-stream (now {w}x{h}, was {Format.Width}x{Format.Height})");
        var bgr = BgrConverter.For(ref _bgr, w, h, fmt, _colour, _what); // the stream's matrix and range, as ffmpeg's CLI converts
        fixed (byte* pixels = frame.Image.Data)
            bgr.Convert(_frame, _unrotated is null ? pixels : (byte*)_unrotated.Data, w * 3);
        LibAv.av_frame_unref(_frame);
        if (_unrotated is not null)
        {
            Cv2.Rotate(_unrotated, frame.Mat, _rotation switch { 90 => RotateFlags.Rotate90Clockwise, 180 => RotateFlags.Rotate180, _ => RotateFlags.Rotate90Counterclockwise });
            if (!frame.SharesImage) throw new InvalidOperationException("rotation reallocated the frame");
        }
    }

    private void CheckEnd()
    {
        // Frames whose packets arrived but never decoded: damage mid-file (the frames after it were kept).
        if (_packetPts.Count > _framePts.Count || _packetPts.Any(p => !_framePts.Contains(p)))
        {
            var order = _packetPts.Order().ToList();
            var lost = new List<int>();
            for (int i = 0; i < order.Count; i++) if (!_framePts.Contains(order[i])) lost.Add(i);
            if (lost.Count > 0)
                throw new SourceBrokeException($"{_what} is damaged: {Ranges(lost)} could not be decoded; the {_read} decodable frames were kept", _read);
        }
        if (_readError != 0) throw new SourceBrokeException($"{_what} broke at frame {_read}: reading stopped: {LibAv.Error(_readError)}; the {_read} frames before the break were kept", _read);
        if (TotalFrames is { } declared && spec.Start is null && spec.Duration is null && _read < declared - VideoCaptureSource.BreakTolerance(declared))
            throw SourceBrokeException.DeclaredMore(_what, _read, declared);
    }

    // "frames 170–228", "frame 12, frames 40–41"
    private static string Ranges(List<int> frames)
    {
        var parts = new List<string>();
        for (int i = 0; i < frames.Count;)
        {
            int j = i;
            while (j + 1 < frames.Count && frames[j + 1] == frames[j] + 1) j++;
            parts.Add(i == j ? $"frame {frames[i]}" : $"frames {frames[i]}–{frames[j]}");
            i = j + 1;
        }
        return parts.Count <= 4 ? string.Join(", ", parts) : $"{string.Join(", ", parts.Take(4))} and {parts.Count - 4} more ranges";
    }

    private void Release()
    {
        if (_codec != null) fixed (void** p = &_codec) LibAv.avcodec_free_context(p);
        if (_frame != null) fixed (void** p = &_frame) LibAv.av_frame_free(p);
        if (_packet != null) fixed (void** p = &_packet) LibAv.av_packet_free(p);
        if (_format != null) fixed (void** p = &_format) LibAv.avformat_close_input(p);
        _bgr?.Dispose();
        _bgr = null;
        ReleasePlanes();
        _unrotated?.Dispose();
        _unrotated = null;
    }

    public void Dispose()
    {
        stdinAudio?.Complete();
        _fallback?.Dispose();
        Release();
    }
}
