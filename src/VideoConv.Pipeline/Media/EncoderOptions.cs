using System.Globalization;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Media;

/// <summary>
/// A file sink's quality keys (<c>crf</c>, <c>preset</c>, <c>bitrate</c>, <c>gop</c>) and <c>codec_options:</c>,
/// set on an encoder through its AVOptions — so FFmpeg itself checks names, types and ranges, the same way
/// before the first frame (on a throwaway encoder, opened at 64×64) and for the real one.
/// </summary>
internal static unsafe class EncoderOptions
{
    /// <summary>MPEG-4 Part 2's constant quantiser when no quality is given (FfmpegPipeSink's <c>-q:v 5</c>); MJPEG's is 3.</summary>
    public const int Mpeg4Quantiser = 5, MjpegQuantiser = 3;

    /// <summary>Opens a small encoder with the sink's settings; throws <see cref="PipelineSpecException"/> with FFmpeg's reason when it refuses them.</summary>
    public static void Check(VideoCodec codec, void* encoder, MediaSinkSpec sink)
    {
        void* ctx = LibAv.avcodec_alloc_context3(encoder);
        if (ctx == null) throw new OutOfMemoryException("FFmpeg could not allocate an encoder");
        try
        {
            LibAv.Write(ctx, LibAv.CtxWidth, 64);
            LibAv.Write(ctx, LibAv.CtxHeight, 64);
            LibAv.Write(ctx, LibAv.CtxPixFmt, MediaFormats.PixelFormat(codec, new Core.Imaging.ImageFormat(64, 64, 3)));
            LibAv.Write(ctx, LibAv.CtxTimeBase, new Rational(1, 25));
            LibAv.Write(ctx, LibAv.CtxFramerate, new Rational(25, 1));
            Apply(ctx, codec, sink);
            int ret = LibAv.avcodec_open2(ctx, encoder, null);
            if (ret < 0)
                throw new PipelineSpecException("codec_options", $"the {MediaFormats.EncoderName(encoder)} encoder refuses these settings: {LibAv.Error(ret)} (run with --verbose for FFmpeg's own lines)");
        }
        finally { LibAv.avcodec_free_context(&ctx); }
    }

    /// <summary>Sets the sink's keys on an allocated, not yet opened encoder context; returns the constant quantiser in use (0: none).</summary>
    public static int Apply(void* ctx, VideoCodec codec, MediaSinkSpec sink)
    {
        string encoder = EncoderName(ctx);
        int quantiser = 0;
        bool hasCrf = Has(ctx, "crf");
        if (sink.Crf is { } crf)
        {
            if (hasCrf) Set(ctx, "crf", crf.ToString(CultureInfo.InvariantCulture), "crf", encoder);
            else if (codec.Id is LibAv.CodecMpeg4 or LibAv.CodecMjpeg)
                quantiser = crf is >= 1 and <= 31 && crf == Math.Floor(crf) ? (int)crf
                    : throw new PipelineSpecException("crf", $"crf for {codec.Display} is its constant quantiser, an integer 1 (best) … 31, got {crf}");
            else throw new PipelineSpecException("crf", $"{encoder} has no constant-quality (crf) mode; use bitrate:");
        }
        if (sink.Preset is { } preset)
        {
            if (!Has(ctx, "preset"))
                throw new PipelineSpecException("preset", $"{encoder} has no preset option{(codec.Id == LibAv.CodecVp9 ? "; use codec_options: {deadline: good, cpu-used: 4}" : "")}");
            Set(ctx, "preset", preset, "preset", encoder);
        }
        if (sink.Bitrate is { } bitrate) Set(ctx, "b", bitrate, "bitrate", encoder);
        if (sink.Gop is { } gop) Set(ctx, "g", gop.ToString(CultureInfo.InvariantCulture), "gop", encoder);
        foreach (var (name, value) in sink.CodecOptions)
        {
            if (!Has(ctx, name))
                throw new PipelineSpecException($"codec_options.{name}", $"'{name}' is not an option of {encoder} (see: ffmpeg -h encoder={encoder})");
            Set(ctx, name, value, $"codec_options.{name}", encoder);
        }
        // Defaults where FFmpeg's own would surprise: MPEG-4/MJPEG at a constant quantiser (its CLI's 200 kb/s
        // blurs), VP9 at constant quality (its CLI's 256 kb/s); the others keep the encoder's defaults (x264: crf 23, medium).
        bool rateGiven = sink.Bitrate is not null || sink.CodecOptions.ContainsKey("b") || sink.CodecOptions.ContainsKey("qscale") || sink.CodecOptions.ContainsKey("global_quality");
        if (quantiser == 0 && !rateGiven && sink.Crf is null)
        {
            if (codec.Id == LibAv.CodecMpeg4) quantiser = Mpeg4Quantiser;
            else if (codec.Id == LibAv.CodecMjpeg) quantiser = MjpegQuantiser;
            else if (codec.Id == LibAv.CodecVp9 && hasCrf)
            {
                Set(ctx, "crf", "32", "crf", encoder);
                Set(ctx, "b", "0", "bitrate", encoder);
            }
        }
        if (sink is UrlSinkSpec) LiveDefaults(ctx, codec, sink, encoder);
        else if (sink is FileSinkSpec f && Sinks.HlsStaging.IsPlaylist(f.Path)) KeyframeEveryTwoSeconds(ctx, sink, encoder); // one per 2 s segment
        if (codec.Id == LibAv.CodecVp9 && Has(ctx, "row-mt") && !sink.CodecOptions.ContainsKey("row-mt")) Set(ctx, "row-mt", "1", "codec_options.row-mt", encoder);
        if (quantiser > 0)
        {
            LibAv.Write(ctx, LibAv.CtxGlobalQuality, quantiser * LibAv.QpToLambda);
            LibAv.Write(ctx, LibAv.CtxFlags, LibAv.Read<int>(ctx, LibAv.CtxFlags) | LibAv.FlagQscale);
        }
        return quantiser * LibAv.QpToLambda;
    }

    /// <summary>
    /// A url sink is watched live: no encoder lookahead or frame reordering (x264/x265 <c>tune=zerolatency</c>, VP9
    /// <c>deadline=realtime</c>, SVT-AV1 and libaom their realtime modes) and a keyframe every 2 s so a receiver that joins
    /// late starts within 2 s — each only where the sink does not set that option itself.
    /// </summary>
    private static void LiveDefaults(void* ctx, VideoCodec codec, MediaSinkSpec sink, string encoder)
    {
        void Default(string name, string value)
        {
            if (!sink.CodecOptions.ContainsKey(name) && Has(ctx, name)) Set(ctx, name, value, $"codec_options.{name}", encoder);
        }
        if (codec.Id is LibAv.CodecH264 or LibAv.CodecHevc) Default("tune", "zerolatency");
        else if (codec.Id == LibAv.CodecVp9) { Default("deadline", "realtime"); Default("lag-in-frames", "0"); }
        else if (encoder == "libaom-av1") Default("usage", "realtime");
        KeyframeEveryTwoSeconds(ctx, sink, encoder);
    }

    // gop: 2 s of frames where the sink gives none (HLS segments are cut at keyframes, 2 s each by default).
    private static void KeyframeEveryTwoSeconds(void* ctx, MediaSinkSpec sink, string encoder)
    {
        if (sink.Gop is not null || sink.CodecOptions.ContainsKey("g")) return;
        var rate = LibAv.Read<Rational>(ctx, LibAv.CtxFramerate);
        int twoSeconds = rate.IsValid ? (int)Math.Clamp(Math.Round(2 * rate.Value), 1, 600) : 60;
        Set(ctx, "g", twoSeconds.ToString(CultureInfo.InvariantCulture), "gop", encoder);
    }

    private static bool Has(void* ctx, string name) => LibAv.av_opt_find(ctx, name, null, 0, LibAv.OptSearchChildren) != null;

    private static void Set(void* ctx, string name, string value, string key, string encoder)
    {
        int ret = LibAv.av_opt_set(ctx, name, value, LibAv.OptSearchChildren);
        if (ret < 0) throw new PipelineSpecException(key, $"{encoder} refuses {name} '{value}': {LibAv.Error(ret)}");
    }

    private static string EncoderName(void* ctx)
    {
        void* codec = LibAv.Read<nint>(ctx, LibAv.CtxCodec).ToPointer(); // set by avcodec_alloc_context3
        return codec == null ? "the encoder" : MediaFormats.EncoderName(codec);
    }
}
