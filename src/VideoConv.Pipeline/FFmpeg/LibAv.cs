using System.Runtime.InteropServices;
using VideoConv.Pipeline.Media;

namespace VideoConv.Pipeline.FFmpeg;

/// <summary>
/// The system FFmpeg libraries (libavformat/libavcodec/libavutil), called in-process. Only FFmpeg 5.1 —
/// Debian 12's libavformat59/libavcodec59/libavutil57, installed with the <c>ffmpeg</c> package — is used,
/// because a few struct fields are read at fixed offsets; any other version (or none) reports
/// <see cref="IsAvailable"/> false and callers keep their other paths.
/// </summary>
/// <remarks>
/// Why in-process: piping raw 1080p frames to and from an <c>ffmpeg</c> child costs ≈ 1 CPU-second per GB on
/// each side of each pipe (kernel page handling, wake-ups) — measured on the 2-core CI machine, that was the
/// whole gap between a VideoConv run and the FFmpeg CLI doing the same job (figures in the README).
/// Offsets below were printed with <c>offsetof</c> against the 5.1.9 headers (libavcodec-dev, Debian 12).
/// </remarks>
internal static unsafe partial class LibAv
{
    private const string Format = "libavformat.so.59";
    private const string Codec = "libavcodec.so.59";
    private const string Util = "libavutil.so.57";
    private const string Scale = "libswscale.so.6";
    private const string Resample = "libswresample.so.4";

    // Offsets of FFmpeg 5.1 (printed with offsetof against the 5.1.9 headers; checked at load by LibAvLayout).
    // AVFormatContext
    public const int FormatIformat = 8, FormatOformat = 16, FormatPb = 32, FormatNbStreams = 44, FormatStreams = 48, FormatStartTime = 64, FormatDuration = 72;
    // AVStream
    public const int StreamIndex = 0, StreamTimeBase = 16, StreamStartTime = 24, StreamDuration = 32, StreamNbFrames = 40, StreamAvgFrameRate = 72, StreamCodecpar = 208;
    // AVCodecParameters
    public const int ParCodecType = 0, ParCodecId = 4, ParCodecTag = 8, ParFormat = 28, ParWidth = 56, ParHeight = 60,
        ParColorRange = 76, ParColorPrimaries = 80, ParColorTrc = 84, ParColorSpace = 88;
    // AVFrame
    public const int FrameData = 0, FrameLinesize = 64, FrameWidth = 104, FrameHeight = 108, FrameFormat = 116, FramePts = 136, FrameQuality = 168,
        FrameFlags = 316, FrameColorRange = 320, FrameColorPrimaries = 324, FrameColorTrc = 328, FrameColorSpace = 332,
        FrameBestEffortTimestamp = 344, FramePktDuration = 360, FrameDecodeErrorFlags = 376,
        FrameExtendedData = 96, FrameNbSamples = 112, FrameSampleRate = 208, FrameChLayout = 448;
    // AVPacket
    public const int PacketPts = 8, PacketDts = 16, PacketSize = 32, PacketStreamIndex = 36, PacketFlags = 40, PacketDuration = 64, PacketPos = 72;
    // AVCodecContext
    public const int CtxCodecType = 12, CtxCodec = 16, CtxCodecId = 24, CtxCodecTag = 28, CtxBitRate = 56, CtxGlobalQuality = 68, CtxFlags = 76, CtxTimeBase = 100,
        CtxWidth = 116, CtxHeight = 120, CtxGopSize = 132, CtxPixFmt = 136, CtxColorPrimaries = 324, CtxColorTrc = 328, CtxColorSpace = 332,
        CtxColorRange = 336, CtxSampleRate = 352, CtxSampleFmt = 360, CtxFrameSize = 364, CtxThreadCount = 636, CtxFramerate = 712,
        CtxPktTimebase = 724, CtxChLayout = 920;
    // AVCodec
    public const int CodecSupportedSampleRates = 48, CodecSampleFmts = 56;
    // AVChannelLayout
    public const int ChLayoutNbChannels = 4;
    // AVOutputFormat
    public const int OutputName = 0, OutputFlags = 44;

    public const int PixYuv420P = 0, PixBgr24 = 3, PixYuv444P = 5, PixGray8 = 8, PixYuvJ420P = 12, PixBgra = 28, PixBgr0 = 121;
    public const int CodecMpeg4 = 12, CodecMjpeg = 7, CodecH264 = 27, CodecFfv1 = 33, CodecVp9 = 167, CodecHevc = 173, CodecAv1 = 226,
        CodecMp3 = 86017, CodecAac = 86018, CodecVorbis = 86021, CodecOpus = 86076;
    public const int MediaVideo = 0, MediaAudio = 1;
    public const int SideDataDisplayMatrix = 5;
    public const int ErrorEof = -541478725, ErrorAgain = -11, ErrorNoSpace = -28;
    public const long NoPts = long.MinValue;
    public const int FmtNoFile = 1, FmtGlobalHeader = 64;
    public const int FlagQscale = 2, FlagGlobalHeader = 1 << 22;
    public const int FrameFlagCorrupt = 1, PacketFlagKey = 1, SeekBackward = 1;
    public const int OptSearchChildren = 1;
    public const int QpToLambda = 118;
    public const int AvioWrite = 2;
    public const int TimeBase = 1_000_000;
    public const int SwsBicubic = 4, SwsAccurateRnd = 0x40000;
    private const int LogQuiet = -8, LogInfo = 32;

    private static readonly Lazy<bool> s_available = new(Probe);

    /// <summary>True when <c>VIDEOCONV_NO_LIBAV=1</c> keeps the libraries out on purpose (tests of the other paths).</summary>
    public static bool SwitchedOff => Environment.GetEnvironmentVariable("VIDEOCONV_NO_LIBAV") == "1";

    /// <summary>Why the libraries are not used although they loaded (their struct layout did not verify); null otherwise.</summary>
    public static string? UnavailableReason { get; private set; }

    /// <summary>True when FFmpeg 5.1's libraries load in this process and their struct layout verified (<see cref="LibAvLayout"/>).</summary>
    public static bool IsAvailable => s_available.Value;

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || SwitchedOff) return false;
        try
        {
            if (!(avformat_version() >> 16 == 59 && avcodec_version() >> 16 == 59 && avutil_version() >> 16 == 57 && swscale_version() >> 16 == 6 && swresample_version() >> 16 == 4))
                return false;
            if (LibAvLayout.Verify() is { } mismatch)
            {
                UnavailableReason = mismatch;
                return false;
            }
            // A library keeps quiet: errors reach the user as one message from the stage that failed, not as
            // FFmpeg's own lines ("moov atom not found"). VIDEOCONV_FFMPEG_LOG=1 (the CLI's --verbose) keeps them.
            av_log_set_level(Environment.GetEnvironmentVariable("VIDEOCONV_FFMPEG_LOG") == "1" ? LogInfo : LogQuiet);
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>What is lost without the libraries, said once where it matters.</summary>
    public const string Unavailable =
        "without them files are written by OpenCV or the ffmpeg command: video only (no audio), at a constant frame rate, in MPEG-4, MJPEG or FFV1";

    /// <summary>FFmpeg's message for an error code.</summary>
    public static string Error(int code)
    {
        var buffer = stackalloc byte[256];
        return av_strerror(code, buffer, 256) == 0 ? Marshal.PtrToStringUTF8((nint)buffer) ?? $"error {code}" : $"error {code}";
    }

    /// <summary>The time base FFmpeg's public durations use (<c>AV_TIME_BASE_Q</c>).</summary>
    public static Rational Microseconds => new(1, TimeBase);

    public static T Read<T>(void* p, int offset) where T : unmanaged => *(T*)((byte*)p + offset);
    public static void Write<T>(void* p, int offset, T value) where T : unmanaged => *(T*)((byte*)p + offset) = value;
}
