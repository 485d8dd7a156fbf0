using System.Runtime.InteropServices;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Media;

/// <summary>How a video encoder's pixel format is chosen.</summary>
internal enum PixelPolicy
{
    /// <summary>yuv420p, as FFmpeg's CLI picks for H.264/H.265/VP9/AV1/MPEG-4 from BGR input.</summary>
    Yuv420,
    /// <summary>Full-range yuvj420p (MJPEG).</summary>
    YuvJ420,
    /// <summary>Lossless in the input's own layout: gray for 1 channel, bgr0 for 3 or 4 (FFV1; never BGRA).</summary>
    Lossless,
}

/// <summary>One video codec as users name it, with the FFmpeg encoders that write it (first found wins).</summary>
internal sealed record VideoCodec(string Name, string Display, int Id, string[] Encoders, PixelPolicy Pixels, bool EvenSizeIn420)
{
    /// <summary>A FOURCC OpenCV's writer knows for this codec, for <c>encoder: opencv</c>; null when it has none.</summary>
    public string? OpenCvFourcc { get; init; }
}

/// <summary>
/// The one place where the media layer chooses decoder, encoder and muxer: codec names users write, the
/// encoder behind each, defaults by extension (as FFmpeg's CLI chooses them), the container a file gets, what
/// happens to its audio, and every check of those choices made before the first frame.
/// </summary>
public static unsafe partial class MediaFormats
{
    private static readonly VideoCodec H264 = new("h264", "H.264", LibAv.CodecH264, ["libx264"], PixelPolicy.Yuv420, true);
    private static readonly VideoCodec Hevc = new("hevc", "H.265/HEVC", LibAv.CodecHevc, ["libx265"], PixelPolicy.Yuv420, true);
    private static readonly VideoCodec Vp9 = new("vp9", "VP9", LibAv.CodecVp9, ["libvpx-vp9"], PixelPolicy.Yuv420, false);
    private static readonly VideoCodec Av1 = new("av1", "AV1", LibAv.CodecAv1, ["libsvtav1", "libaom-av1"], PixelPolicy.Yuv420, true);
    private static readonly VideoCodec Mpeg4 = new("mpeg4", "MPEG-4 Part 2", LibAv.CodecMpeg4, ["mpeg4"], PixelPolicy.Yuv420, false) { OpenCvFourcc = "mp4v" };
    private static readonly VideoCodec Xvid = Mpeg4 with { Name = "XVID", OpenCvFourcc = "XVID" };
    private static readonly VideoCodec Mjpeg = new("mjpeg", "MJPEG", LibAv.CodecMjpeg, ["mjpeg"], PixelPolicy.YuvJ420, false) { OpenCvFourcc = "MJPG" };
    private static readonly VideoCodec Ffv1 = new("ffv1", "FFV1", LibAv.CodecFfv1, ["ffv1"], PixelPolicy.Lossless, false) { OpenCvFourcc = "FFV1" };

    /// <summary>Codec names a sink's <c>codec:</c> accepts: FFmpeg's names first, then today's FOURCCs.</summary>
    /// <remarks>One spelling per name ignoring case (FFV1 keeps its FOURCC spelling); common aliases (avc1, x264, …) are accepted too.</remarks>
    public static IReadOnlyList<string> CodecNames { get; } = ["h264", "hevc", "h265", "vp9", "av1", "mpeg4", "mjpeg", "FFV1", "mp4v", "MJPG", "XVID",
        "avc1", "h.264", "x264", "h.265", "hvc1", "x265"];

    private static readonly Dictionary<string, VideoCodec> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["h264"] = H264, ["h.264"] = H264, ["avc"] = H264, ["avc1"] = H264, ["x264"] = H264, ["libx264"] = H264,
        ["hevc"] = Hevc, ["h265"] = Hevc, ["h.265"] = Hevc, ["hvc1"] = Hevc, ["hev1"] = Hevc, ["x265"] = Hevc, ["libx265"] = Hevc,
        ["vp9"] = Vp9, ["vp09"] = Vp9, ["libvpx-vp9"] = Vp9,
        ["av1"] = Av1, ["av01"] = Av1, ["libsvtav1"] = Av1, ["libaom-av1"] = Av1,
        ["mpeg4"] = Mpeg4, ["mp4v"] = Mpeg4, ["xvid"] = Xvid,
        ["mjpeg"] = Mjpeg, ["mjpg"] = Mjpeg,
        ["ffv1"] = Ffv1,
    };

    // FFmpeg's CLI defaults by extension (its muxers' default video codecs, with libx264 installed).
    private static readonly Dictionary<string, VideoCodec> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".mp4"] = H264, [".m4v"] = H264, [".mov"] = H264, [".mkv"] = H264, [".ts"] = H264, [".m3u8"] = H264,
        [".webm"] = Vp9, [".avi"] = Mpeg4, [".nut"] = Mpeg4,
    };

    /// <summary>The canonical codec name for <paramref name="codec"/> (null: <paramref name="path"/>'s default); throws <see cref="PipelineSpecException"/> (subject "codec").</summary>
    public static string ResolveName(string path, string? codec, string? format = null) => Resolve(path, codec, format).Name;

    /// <summary>The codec a media sink writes: <c>codec:</c>, else its container's default.</summary>
    internal static VideoCodec Resolve(MediaSinkSpec sink) =>
        Resolve(sink is FileSinkSpec f ? f.Path : "", sink.Codec, sink is UrlSinkSpec u ? StreamFormat(u) : sink.Format);

    internal static VideoCodec Resolve(string path, string? codec, string? format)
    {
        if (!string.IsNullOrWhiteSpace(codec))
        {
            if (ByName.TryGetValue(codec.Trim(), out var named)) return named;
            throw new PipelineSpecException("codec", $"unknown codec '{codec.Trim()}'; known: {string.Join(", ", CodecNames)}");
        }
        string ext = Path.GetExtension(path);
        if (ByExtension.TryGetValue(ext, out var byExt)) return byExt;
        if (format is "matroska" or "mp4" or "mov" or "mpegts" or "flv" or "rtp" or "rtp_mpegts" or "hls") return H264;
        if (format is "webm") return Vp9;
        if (format is "nut" or "avi") return Mpeg4;
        throw new PipelineSpecException("codec",
            $"no default codec for '{(ext.Length == 0 ? "(no extension)" : ext)}'; use .mp4/.mkv/.mov/.ts (H.264), .webm (VP9), .avi (MPEG-4), or give codec: one of {string.Join(", ", CodecNames)}");
    }

    /// <summary>The OpenCV FOURCC for <c>encoder: opencv</c> and the ffmpeg-command fallback; throws when OpenCV's writer has none.</summary>
    public static string OpenCvFourcc(string path, string? codec)
    {
        var c = Resolve(path, codec, null);
        return c.OpenCvFourcc ?? throw new PipelineSpecException("codec",
            $"{c.Display} needs the system FFmpeg libraries (encoder: auto); OpenCV's bundled writer has only mp4v, MJPG, XVID and FFV1");
    }

    /// <summary>True when the media layer (the system FFmpeg's libraries, in-process) writes this sink.</summary>
    public static bool WritesInProcess(MediaSinkSpec sink) => sink.Encoder != FileEncoder.OpenCv && LibAv.IsAvailable;

    /// <summary>
    /// Checks every file and url sink of <paramref name="spec"/> before the first frame (<see cref="Validate(MediaSinkSpec, string)"/>),
    /// and, where the source's frame size is known beforehand (a pattern, a file's first video stream after rotation,
    /// through the chain), that the encoder keeps it exactly. Throws what <paramref name="refuse"/> makes for the sink at fault.
    /// </summary>
    /// <param name="refuse">Makes the exception for sink <c>i</c> and the key at fault (the validator attaches where it was written).</param>
    public static void Validate(PipelineSpec spec, Func<int, string, string, Exception> refuse)
    {
        ImageFormat? output = null;
        bool probed = false;
        for (int i = 0; i < spec.Sinks.Count; i++)
        {
            if (spec.Sinks[i] is not MediaSinkSpec f) continue;
            try
            {
                if (!Validate(f, $"sink {i + 1}")) continue;
                if (!probed) (output, probed) = (OutputFormat(spec), true);
                if (output is { } o) CheckSize(Resolve(f), o, Display(f));
            }
            catch (PipelineSpecException ex) { throw refuse(i, ex.Subject, ex.Message); }   // Subject: the sink's key at fault, or the sink
        }
    }

    // The frames sinks will get, when known without running: the source's size through the chain.
    private static ImageFormat? OutputFormat(PipelineSpec spec)
    {
        ImageFormat? input = spec.Source switch
        {
            PatternSourceSpec p => new ImageFormat(p.Width, p.Height, 3),
            FileSourceSpec f => Sources.LibAvFileSource.Probe(f),
            _ => null,
        };
        if (input is not { } format) return null;
        if (spec.Chain.Count == 0) return format;
        try { return new Core.Convolution.FilterChain(spec.Chain, format).Output; }
        catch (Exception ex) when (ex is Core.FilterDefinitionException or ArgumentException) { return null; } // the chain's own check reports it
    }

    /// <summary>
    /// Checks a file sink the media layer will write — the codec is known, its encoder installed, the container
    /// holds it, and every quality key and codec option is one the encoder accepts — throwing a
    /// <see cref="PipelineSpecException"/> blaming <paramref name="subject"/>. Returns false (nothing checked)
    /// for sinks written by OpenCV or the ffmpeg command, whose own checks apply; refuses codecs only the media
    /// layer has when its libraries are missing.
    /// </summary>
    public static bool Validate(MediaSinkSpec sink, string subject)
    {
        if (sink is UrlSinkSpec url) CheckUrl(url);
        VideoCodec codec;
        codec = Resolve(sink);   // its refusals name the key at fault ("codec", "format"…)
        if (sink is UrlSinkSpec && !LibAv.IsAvailable)
            throw new PipelineSpecException(subject, $"url sinks are written by the system FFmpeg 5.1 libraries (libavformat59), which are not {(LibAv.SwitchedOff ? "used here (VIDEOCONV_NO_LIBAV=1)" : "loaded here")}");
        if (!WritesInProcess(sink))
        {
            if (codec.OpenCvFourcc is null)
                throw new PipelineSpecException(subject, sink.Encoder == FileEncoder.OpenCv
                    ? $"encoder: opencv cannot write {codec.Display} (OpenCV's bundled writer has only mp4v, MJPG, XVID and FFV1); use encoder: auto"
                    : $"{codec.Display} output needs the system FFmpeg 5.1 libraries (libavcodec59, Debian 12's ffmpeg package), which are not loaded here; {LibAv.Unavailable}");
            return false;
        }
        var muxer = Muxer(sink);
        Encoder(codec, muxer);
        EncoderOptions.Check(codec, Encoder(codec, muxer), sink);
        return true;
    }

    /// <summary>The output format (AVOutputFormat*) for a sink: <c>format:</c> by name, else guessed from the file name as FFmpeg does.</summary>
    internal static void* Muxer(MediaSinkSpec sink)
    {
        if (sink is UrlSinkSpec url) return StreamMuxer(url);
        var file = (FileSinkSpec)sink;
        void* muxer;
        if (sink.Format is { } name)
        {
            muxer = LibAv.av_guess_format(name, null, null);
            if (muxer == null) throw new PipelineSpecException("format", $"unknown container format '{name}' (FFmpeg muxer names: matroska, mp4, mpegts, nut, webm, mov, avi, flv)");
        }
        else if (file.IsStdout) throw new PipelineSpecException("format", "writing to standard output needs a container: give --format NAME (matroska, mpegts, nut, mp4) or format: on the sink");
        else
        {
            muxer = LibAv.av_guess_format(null, file.Path, null);
            if (muxer == null) throw new PipelineSpecException("file", $"FFmpeg knows no container for '{Path.GetExtension(file.Path)}'; use .mp4, .mkv, .mov, .webm, .avi or .ts, or give format:");
        }
        // A muxer that opens its own files (hls, segment, image2, dash…) would write them past the output rule; only HLS
        // into a .m3u8 is staged for it (Sinks/HlsStaging).
        bool ownFiles = (LibAv.Read<int>(muxer, LibAv.OutputFlags) & LibAv.FmtNoFile) != 0;
        if (ownFiles && !(MuxerName(muxer) == "hls" && !file.IsStdout && Sinks.HlsStaging.IsPlaylist(file.Path)))
            throw new PipelineSpecException(sink.Format is null ? "file" : "format", MuxerName(muxer) == "hls"
                ? "HLS writes a playlist and its segments: give the sink a .m3u8 file name"
                : $"the {MuxerName(muxer)} muxer writes files of its own, outside the output rule (--overwrite, complete files only); use a container such as matroska, mp4 or mpegts, or images: for numbered pictures");
        return muxer;
    }

    /// <summary>How messages name a media sink's output: <c>'out.mp4'</c>, standard output, or its url.</summary>
    internal static string Display(MediaSinkSpec sink) => sink switch
    {
        FileSinkSpec { IsStdout: true } => "standard output",
        FileSinkSpec f => $"'{f.Path}'",
        _ => $"'{sink.Target}'",
    };

    internal static string MuxerName(void* muxer) => Marshal.PtrToStringUTF8(LibAv.Read<nint>(muxer, LibAv.OutputName)) ?? "?";

    /// <summary>The installed encoder (AVCodec*) for <paramref name="codec"/> in <paramref name="muxer"/>; throws naming what is missing.</summary>
    internal static void* Encoder(VideoCodec codec, void* muxer)
    {
        if (LibAv.avformat_query_codec(muxer, codec.Id, 0) == 0)
            throw new PipelineSpecException("codec", $"a {MuxerName(muxer)} container cannot hold {codec.Display}; pick another codec or container (.mkv holds them all)");
        // MPEG-TS answers "unknown" for every codec and writes the ones it has no stream type for as a data stream
        // nothing decodes (ffprobe: bin_data) — as ffmpeg's CLI does, silently.
        if (MuxerName(muxer) is "mpegts" or "hls" && codec.Id is LibAv.CodecFfv1 or LibAv.CodecMjpeg)
            throw new PipelineSpecException("codec", $"MPEG-TS has no stream type for {codec.Display}: it would be written as a data stream no player decodes; use h264, hevc or mpeg4, or a matroska/nut container");
        foreach (var name in codec.Encoders)
        {
            var encoder = LibAv.avcodec_find_encoder_by_name(name);
            if (encoder != null) return encoder;
        }
        throw new PipelineSpecException("codec",
            $"the installed FFmpeg has no {codec.Display} encoder ({string.Join(" or ", codec.Encoders)}); install one (Debian: the ffmpeg package has them all) or pick another codec");
    }

    internal static string EncoderName(void* encoder) => Marshal.PtrToStringUTF8(LibAv.Read<nint>(encoder, 0)) ?? "?";

    /// <summary>The encoder's pixel format for frames of <paramref name="input"/>.</summary>
    internal static int PixelFormat(VideoCodec codec, ImageFormat input) => codec.Pixels switch
    {
        PixelPolicy.YuvJ420 => LibAv.PixYuvJ420P,
        PixelPolicy.Lossless => input.Channels == 1 ? LibAv.PixGray8 : LibAv.PixBgr0,
        _ => LibAv.PixYuv420P,
    };

    /// <summary>Refuses a frame size the encoder cannot keep exactly (H.264/H.265/AV1 in 4:2:0 need even sides): the output never silently changes size.</summary>
    internal static void CheckSize(VideoCodec codec, ImageFormat input, string what)
    {
        if (input.Channels == 2)
            throw new PipelineSpecException("chain", $"cannot encode 2-channel frames ({input}) to {what}; end the chain with 1, 3 or 4 channels");
        if (codec.EvenSizeIn420 && codec.Pixels == PixelPolicy.Yuv420 && (input.Width % 2 != 0 || input.Height % 2 != 0))
            throw new PipelineSpecException("codec",
                $"{what}: frames are {input.Width}x{input.Height}, and {codec.Display} in yuv420p needs an even width and height; refusing rather than cropping or padding — " +
                "use codec: ffv1, vp9 or mpeg4 (any size), or a chain whose output size is even");
    }

    /// <summary>The audio encoder a container gets when its input's audio cannot be copied: AAC for MP4/MOV/TS/AVI, Opus for WebM/Matroska.</summary>
    internal static (string Encoder, int Id, string Display) AudioEncoder(void* muxer) => MuxerName(muxer) switch
    {
        "webm" or "matroska" or "ogg" or "nut" => ("libopus", LibAv.CodecOpus, "Opus"),
        _ => ("aac", LibAv.CodecAac, "AAC"),
    };

    /// <summary>Whether the container can hold an audio codec as it is (stream copy).</summary>
    /// <remarks>MPEG-TS (and HLS, in MPEG-TS segments) lists no codecs of its own (the query is "unknown"); it carries AAC, MP3 and Opus as FFmpeg's <c>-c:a copy</c> does.</remarks>
    internal static bool CanCopy(void* muxer, int codecId) => LibAv.avformat_query_codec(muxer, codecId, 0) switch
    {
        1 => true,
        < 0 => MuxerName(muxer) is "mpegts" or "hls" && codecId is LibAv.CodecAac or LibAv.CodecMp3 or LibAv.CodecOpus,
        _ => false,
    };
}
