using System.Runtime.InteropServices;

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

    // AVFormatContext
    public const int FormatOformat = 16, FormatPb = 32, FormatStreams = 48, FormatDuration = 72;
    // AVStream
    public const int StreamTimeBase = 16, StreamNbFrames = 40, StreamCodecpar = 208;
    // AVCodecParameters
    public const int ParWidth = 56, ParHeight = 60;
    // AVFrame
    public const int FrameData = 0, FrameLinesize = 64, FrameWidth = 104, FrameHeight = 108, FrameFormat = 116, FramePts = 136, FrameQuality = 168;
    // AVPacket
    public const int PacketStreamIndex = 36, PacketDuration = 64;
    // AVCodecContext
    public const int CtxCodecTag = 28, CtxGlobalQuality = 68, CtxFlags = 76, CtxTimeBase = 100, CtxWidth = 116, CtxHeight = 120,
        CtxPixFmt = 136, CtxThreadCount = 636, CtxFramerate = 712;
    // AVOutputFormat
    public const int OutputFlags = 44;

    public const int PixYuv420P = 0, PixBgr24 = 3, PixYuvJ420P = 12;
    public const int CodecMpeg4 = 12, CodecMjpeg = 7;
    public const int MediaVideo = 0;
    public const int SideDataDisplayMatrix = 5;
    public const int ErrorEof = -541478725, ErrorAgain = -11;
    public const int FmtGlobalHeader = 64;
    public const int FlagQscale = 2, FlagGlobalHeader = 1 << 22;
    public const int QpToLambda = 118;
    public const int AvioWrite = 2;
    public const int TimeBase = 1_000_000;
    public const int SwsBicubic = 4;
    private const int LogQuiet = -8, LogInfo = 32;

    private static readonly Lazy<bool> s_available = new(Probe);

    /// <summary>True when FFmpeg 5.1's libraries load in this process.</summary>
    public static bool IsAvailable => s_available.Value;

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("VIDEOCONV_NO_LIBAV") == "1") return false;
        try
        {
            if (!(avformat_version() >> 16 == 59 && avcodec_version() >> 16 == 59 && avutil_version() >> 16 == 57 && swscale_version() >> 16 == 6))
                return false;
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

    /// <summary>FFmpeg's message for an error code.</summary>
    public static string Error(int code)
    {
        var buffer = stackalloc byte[256];
        return av_strerror(code, buffer, 256) == 0 ? Marshal.PtrToStringUTF8((nint)buffer) ?? $"error {code}" : $"error {code}";
    }

    public static T Read<T>(void* p, int offset) where T : unmanaged => *(T*)((byte*)p + offset);
    public static void Write<T>(void* p, int offset, T value) where T : unmanaged => *(T*)((byte*)p + offset) = value;

    [StructLayout(LayoutKind.Sequential)]
    public struct Rational
    {
        public int Num, Den;
        public readonly double Value => Den == 0 ? 0 : (double)Num / Den;
    }

    [LibraryImport(Format)] public static partial uint avformat_version();
    [LibraryImport(Codec)] public static partial uint avcodec_version();
    [LibraryImport(Util)] public static partial uint avutil_version();
    [LibraryImport(Scale)] public static partial uint swscale_version();
    [LibraryImport(Scale)] public static partial void* sws_getContext(int srcW, int srcH, int srcFormat, int dstW, int dstH, int dstFormat, int flags, void* srcFilter, void* dstFilter, double* param);
    [LibraryImport(Scale)] public static partial int sws_scale(void* ctx, byte** src, int* srcStride, int srcSliceY, int srcSliceH, byte** dst, int* dstStride);
    [LibraryImport(Scale)] public static partial void sws_freeContext(void* ctx);
    [LibraryImport(Util)] private static partial void av_log_set_level(int level);
    [LibraryImport(Util)] private static partial int av_strerror(int code, byte* buffer, nuint size);
    [LibraryImport(Util)] public static partial Rational av_d2q(double value, int max);

    // Demuxing and decoding
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial int avformat_open_input(void** ctx, string url, void* fmt, void** options);
    [LibraryImport(Format)] public static partial int avformat_find_stream_info(void* ctx, void** options);
    [LibraryImport(Format)] public static partial int av_find_best_stream(void* ctx, int type, int wanted, int related, void** decoder, int flags);
    [LibraryImport(Format)] public static partial Rational av_guess_frame_rate(void* ctx, void* stream, void* frame);
    [LibraryImport(Format)] public static partial int av_read_frame(void* ctx, void* packet);
    [LibraryImport(Format)] public static partial byte* av_stream_get_side_data(void* stream, int type, nuint* size);
    [LibraryImport(Util)] public static partial double av_display_rotation_get(int* matrix);
    [LibraryImport(Format)] public static partial void avformat_close_input(void** ctx);
    [LibraryImport(Codec)] public static partial void* avcodec_alloc_context3(void* codec);
    [LibraryImport(Codec)] public static partial int avcodec_parameters_to_context(void* ctx, void* par);
    [LibraryImport(Codec)] public static partial int avcodec_parameters_from_context(void* par, void* ctx);
    [LibraryImport(Codec)] public static partial int avcodec_open2(void* ctx, void* codec, void** options);
    [LibraryImport(Codec)] public static partial void avcodec_free_context(void** ctx);
    [LibraryImport(Codec)] public static partial int avcodec_send_packet(void* ctx, void* packet);
    [LibraryImport(Codec)] public static partial int avcodec_receive_frame(void* ctx, void* frame);
    [LibraryImport(Codec)] public static partial void* av_packet_alloc();
    [LibraryImport(Codec)] public static partial void av_packet_unref(void* packet);
    [LibraryImport(Codec)] public static partial void av_packet_free(void** packet);
    [LibraryImport(Codec)] public static partial void av_packet_rescale_ts(void* packet, Rational from, Rational to);
    [LibraryImport(Util)] public static partial void* av_frame_alloc();
    [LibraryImport(Util)] public static partial void av_frame_free(void** frame);
    [LibraryImport(Util)] public static partial void av_frame_unref(void* frame);
    [LibraryImport(Util)] public static partial int av_frame_get_buffer(void* frame, int align);
    [LibraryImport(Util)] public static partial int av_frame_make_writable(void* frame);

    // Encoding and muxing
    [LibraryImport(Codec)] public static partial void* avcodec_find_encoder(int id);
    [LibraryImport(Codec)] public static partial int avcodec_send_frame(void* ctx, void* frame);
    [LibraryImport(Codec)] public static partial int avcodec_receive_packet(void* ctx, void* packet);
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial int avformat_alloc_output_context2(void** ctx, void* format, string? formatName, string fileName);
    [LibraryImport(Format)] public static partial void* avformat_new_stream(void* ctx, void* codec);
    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] public static partial int avio_open(void** pb, string url, int flags);
    [LibraryImport(Format)] public static partial int avio_closep(void** pb);
    [LibraryImport(Format)] public static partial int avformat_write_header(void* ctx, void** options);
    [LibraryImport(Format)] public static partial int av_interleaved_write_frame(void* ctx, void* packet);
    [LibraryImport(Format)] public static partial int av_write_trailer(void* ctx);
    [LibraryImport(Format)] public static partial void avformat_free_context(void* ctx);
}
