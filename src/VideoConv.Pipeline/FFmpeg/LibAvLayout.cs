using System.Runtime.InteropServices;
using VideoConv.Pipeline.Media;

namespace VideoConv.Pipeline.FFmpeg;

/// <summary>
/// Proves at load that the struct offsets in <see cref="LibAv"/> match the libraries in this process: fields FFmpeg
/// exposes as AVOptions are set through <c>av_opt_set*</c> and read back at the offsets; the others are checked
/// against what FFmpeg's own allocators and setters put there (defaults, sizes, back-pointers). Any mismatch
/// leaves the libraries unused, with the reason, instead of reading or writing the wrong field.
/// </summary>
/// <remarks>
/// One table exists today: FFmpeg 5.1 (libavformat 59, Debian 12). FFmpeg 6.1 and 7.1 moved fields in
/// AVCodecContext and AVFrame; they need their own table, printed from their headers and verified here the same way.
/// </remarks>
internal static unsafe class LibAvLayout
{
    /// <summary>Null when every checked offset matches; otherwise which one did not.</summary>
    public static string? Verify()
    {
        var failures = new List<string>();
        void Expect(bool ok, string field) { if (!ok) failures.Add(field); }

        void* encoder = LibAv.avcodec_find_encoder(LibAv.CodecMpeg4);
        if (encoder == null) return "no MPEG-4 encoder to check the layout with";
        void* ctx = LibAv.avcodec_alloc_context3(encoder);
        try
        {
            Expect(LibAv.Read<nint>(ctx, LibAv.CtxCodec) == (nint)encoder, "AVCodecContext.codec");
            Expect(LibAv.Read<int>(ctx, LibAv.CtxCodecId) == LibAv.CodecMpeg4 && LibAv.Read<int>(ctx, LibAv.CtxCodecType) == LibAv.MediaVideo, "AVCodecContext.codec_id/codec_type");
            SetInt(ctx, "b", 1_234_567); Expect(LibAv.Read<long>(ctx, LibAv.CtxBitRate) == 1_234_567, "AVCodecContext.bit_rate");
            SetInt(ctx, "g", 77); Expect(LibAv.Read<int>(ctx, LibAv.CtxGopSize) == 77, "AVCodecContext.gop_size");
            SetInt(ctx, "threads", 5); Expect(LibAv.Read<int>(ctx, LibAv.CtxThreadCount) == 5, "AVCodecContext.thread_count");
            SetInt(ctx, "global_quality", 333); Expect(LibAv.Read<int>(ctx, LibAv.CtxGlobalQuality) == 333, "AVCodecContext.global_quality");
            SetInt(ctx, "flags", LibAv.FlagGlobalHeader); Expect(LibAv.Read<int>(ctx, LibAv.CtxFlags) == LibAv.FlagGlobalHeader, "AVCodecContext.flags");
            SetInt(ctx, "pixel_format", LibAv.PixYuv444P); Expect(LibAv.Read<int>(ctx, LibAv.CtxPixFmt) == LibAv.PixYuv444P, "AVCodecContext.pix_fmt");
            SetInt(ctx, "color_range", 2); Expect(LibAv.Read<int>(ctx, LibAv.CtxColorRange) == 2, "AVCodecContext.color_range");
            SetInt(ctx, "color_primaries", 9); Expect(LibAv.Read<int>(ctx, LibAv.CtxColorPrimaries) == 9, "AVCodecContext.color_primaries");
            SetInt(ctx, "color_trc", 16); Expect(LibAv.Read<int>(ctx, LibAv.CtxColorTrc) == 16, "AVCodecContext.color_trc");
            SetInt(ctx, "colorspace", 9); Expect(LibAv.Read<int>(ctx, LibAv.CtxColorSpace) == 9, "AVCodecContext.colorspace");
            SetInt(ctx, "ar", 44_100); Expect(LibAv.Read<int>(ctx, LibAv.CtxSampleRate) == 44_100, "AVCodecContext.sample_rate");
            SetInt(ctx, "frame_size", 960); Expect(LibAv.Read<int>(ctx, LibAv.CtxFrameSize) == 960, "AVCodecContext.frame_size");
            Expect(LibAv.av_opt_set(ctx, "video_size", "321x123", 0) >= 0 && LibAv.Read<int>(ctx, LibAv.CtxWidth) == 321 && LibAv.Read<int>(ctx, LibAv.CtxHeight) == 123, "AVCodecContext.width/height");
            Expect(LibAv.av_opt_set(ctx, "ch_layout", "stereo", 0) >= 0 && LibAv.Read<int>((byte*)ctx + LibAv.CtxChLayout, LibAv.ChLayoutNbChannels) == 2, "AVCodecContext.ch_layout");

            // AVCodecParameters: what avcodec_parameters_from_context copies out of the context checked above.
            void* format = null;
            if (LibAv.avformat_alloc_output_context2(&format, null, "matroska", "layout.mkv") >= 0)
            {
                void* s0 = LibAv.avformat_new_stream(format, null), s1 = LibAv.avformat_new_stream(format, null);
                Expect(LibAv.Read<int>(format, LibAv.FormatNbStreams) == 2 && ((nint*)LibAv.Read<nint>(format, LibAv.FormatStreams))[1] == (nint)s1, "AVFormatContext.nb_streams/streams");
                Expect(LibAv.Read<int>(s0, LibAv.StreamIndex) == 0 && LibAv.Read<int>(s1, LibAv.StreamIndex) == 1, "AVStream.index");
                Expect(LibAv.Read<nint>(format, LibAv.FormatOformat) == (nint)LibAv.av_guess_format("matroska", null, null), "AVFormatContext.oformat");
                Expect(Marshal.PtrToStringUTF8(LibAv.Read<nint>(LibAv.av_guess_format("matroska", null, null), LibAv.OutputName)) == "matroska", "AVOutputFormat.name");
                Expect((LibAv.Read<int>(LibAv.av_guess_format("mp4", null, null), LibAv.OutputFlags) & LibAv.FmtGlobalHeader) != 0
                    && (LibAv.Read<int>(LibAv.av_guess_format("mpegts", null, null), LibAv.OutputFlags) & LibAv.FmtGlobalHeader) == 0, "AVOutputFormat.flags");
                void* par = LibAv.Read<nint>(s0, LibAv.StreamCodecpar).ToPointer();
                Expect(par != null && LibAv.avcodec_parameters_from_context(par, ctx) >= 0
                    && LibAv.Read<int>(par, LibAv.ParWidth) == 321 && LibAv.Read<int>(par, LibAv.ParHeight) == 123
                    && LibAv.Read<int>(par, LibAv.ParCodecId) == LibAv.CodecMpeg4 && LibAv.Read<int>(par, LibAv.ParFormat) == LibAv.PixYuv444P
                    && LibAv.Read<int>(par, LibAv.ParColorRange) == 2 && LibAv.Read<int>(par, LibAv.ParColorSpace) == 9
                    && LibAv.Read<int>(par, LibAv.ParColorPrimaries) == 9 && LibAv.Read<int>(par, LibAv.ParColorTrc) == 16, "AVCodecParameters fields / AVStream.codecpar");
                LibAv.avformat_free_context(format);
            }
            else failures.Add("AVFormatContext (no matroska muxer)");
        }
        finally { LibAv.avcodec_free_context(&ctx); }

        // AVFrame: allocator defaults, then a buffer allocated from the size and format written at the offsets.
        void* frame = LibAv.av_frame_alloc();
        try
        {
            Expect(LibAv.Read<long>(frame, LibAv.FramePts) == LibAv.NoPts && LibAv.Read<long>(frame, LibAv.FrameBestEffortTimestamp) == LibAv.NoPts, "AVFrame.pts/best_effort_timestamp");
            Expect(LibAv.Read<int>(frame, LibAv.FrameFormat) == -1, "AVFrame.format");
            Expect(LibAv.Read<nint>(frame, LibAv.FrameExtendedData) == (nint)frame + LibAv.FrameData, "AVFrame.extended_data");
            LibAv.Write(frame, LibAv.FrameWidth, 35);
            LibAv.Write(frame, LibAv.FrameHeight, 17);
            LibAv.Write(frame, LibAv.FrameFormat, LibAv.PixBgr24);
            Expect(LibAv.av_frame_get_buffer(frame, 0) >= 0 && LibAv.Read<nint>(frame, LibAv.FrameData) != 0 && LibAv.Read<int>(frame, LibAv.FrameLinesize) >= 35 * 3, "AVFrame.width/height/data/linesize");
        }
        finally { LibAv.av_frame_free(&frame); }

        // AVPacket: allocator defaults (no timestamps, unknown position).
        void* packet = LibAv.av_packet_alloc();
        try
        {
            Expect(LibAv.Read<long>(packet, LibAv.PacketPts) == LibAv.NoPts && LibAv.Read<long>(packet, LibAv.PacketDts) == LibAv.NoPts, "AVPacket.pts/dts");
            Expect(LibAv.Read<long>(packet, LibAv.PacketPos) == -1 && LibAv.Read<int>(packet, LibAv.PacketSize) == 0 && LibAv.Read<long>(packet, LibAv.PacketDuration) == 0, "AVPacket.pos/size/duration");
        }
        finally { LibAv.av_packet_free(&packet); }

        return failures.Count == 0 ? null : $"FFmpeg {Version()} does not have the struct layout this build was written for ({string.Join(", ", failures)})";
    }

    private static void SetInt(void* obj, string name, long value) => LibAv.av_opt_set_int(obj, name, value, 0);

    private static string Version()
    {
        uint v = LibAv.avformat_version();
        return $"libavformat {v >> 16}.{(v >> 8) & 0xff}.{v & 0xff}";
    }
}
