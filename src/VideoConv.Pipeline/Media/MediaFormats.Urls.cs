using System.Runtime.InteropServices;
using VideoConv.Pipeline.FFmpeg;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Media;

// The choices for url sinks: which schemes, which container each gets, and the checks made before the first frame.
public static unsafe partial class MediaFormats
{
    /// <summary>The url schemes a url sink accepts, each with the container it gets by default (libavformat's protocol of the same name sends it).</summary>
    public static IReadOnlyDictionary<string, string> StreamSchemes { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["udp"] = "mpegts", ["tcp"] = "mpegts", ["srt"] = "mpegts", ["rtp"] = "rtp", ["rtmp"] = "flv",
    };

    /// <summary>The scheme of <paramref name="url"/> (<c>udp</c> for <c>udp://…</c>); null when it has none.</summary>
    public static string? SchemeOf(string url)
    {
        int end = url.IndexOf("://", StringComparison.Ordinal);
        return end > 0 && UrlSourceSpec.HasScheme(url) ? url[..end].ToLowerInvariant() : null;
    }

    /// <summary>The muxer name a url sink writes: <c>format:</c>, else its scheme's default.</summary>
    internal static string StreamFormat(UrlSinkSpec sink) =>
        sink.Format ?? (SchemeOf(sink.Url) is { } scheme && StreamSchemes.TryGetValue(scheme, out var format) ? format : "mpegts");

    /// <summary>
    /// Checks a url sink's address before anything is opened: a scheme we send (udp, tcp, srt, rtp, rtmp), a protocol the
    /// installed libavformat can write, and a container that protocol can carry. Throws <see cref="PipelineSpecException"/>
    /// blaming <c>url</c> or <c>format</c>.
    /// </summary>
    internal static void CheckUrl(UrlSinkSpec sink)
    {
        string known = string.Join(", ", StreamSchemes.Keys.Select(k => k + "://"));
        if (SchemeOf(sink.Url) is not { } scheme)
            throw new PipelineSpecException("url", $"'{sink.Url}' is not an address of the form scheme://host:port ({known})");
        if (!StreamSchemes.ContainsKey(scheme))
            throw new PipelineSpecException("url", scheme is "file" or "pipe"
                ? $"'{sink.Url}' is a file, not a stream; use file: for files (they obey --overwrite and appear only when complete)"
                : $"unknown url scheme '{scheme}://' for a url sink; known: {known}");
        if (!LibAv.IsAvailable) return; // Validate refuses url sinks then, naming the libraries
        if (!OutputProtocols.Value.Contains(scheme))
            throw new PipelineSpecException("url", $"the installed FFmpeg (libavformat) cannot send {scheme}://; its output protocols are: {string.Join(", ", OutputProtocols.Value.Order())}");
        string format = StreamFormat(sink);
        var muxer = LibAv.av_guess_format(format, null, null);
        if (muxer == null)
            throw new PipelineSpecException("format", $"unknown container format '{format}' (for streams: mpegts, flv, rtp, matroska, nut)");
        if ((LibAv.Read<int>(muxer, LibAv.OutputFlags) & LibAv.FmtNoFile) != 0)
            throw new PipelineSpecException("format", $"the {format} muxer writes its own files and cannot be sent over {scheme}://; use mpegts, flv, matroska or nut");
        if (scheme == "rtmp" && format != "flv")
            throw new PipelineSpecException("format", $"rtmp:// carries only FLV; leave format: out or give format: flv (got '{format}')");
        if (format == "rtp" && scheme != "rtp")
            throw new PipelineSpecException("format", $"format: rtp needs an rtp:// url (got {scheme}://); for MPEG-TS over {scheme}:// use format: mpegts");
        if (scheme == "rtp" && format is not ("rtp" or "rtp_mpegts"))
            throw new PipelineSpecException("format", $"rtp:// carries the rtp or rtp_mpegts formats; got '{format}'");
    }

    /// <summary>The muxer (AVOutputFormat*) of a url sink, after <see cref="CheckUrl"/>.</summary>
    private static void* StreamMuxer(UrlSinkSpec sink)
    {
        CheckUrl(sink);
        var muxer = LibAv.av_guess_format(StreamFormat(sink), null, null);
        return muxer != null ? muxer : throw new PipelineSpecException("format", $"unknown container format '{StreamFormat(sink)}'");
    }

    /// <summary>True for the rtp muxer, which carries exactly one stream (the video): its audio must be dropped.</summary>
    internal static bool CarriesOneStream(void* muxer) => MuxerName(muxer) == "rtp";

    // The protocols the loaded libavformat can write (avio_enum_protocols), asked once.
    private static readonly Lazy<HashSet<string>> OutputProtocols = new(() =>
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void* opaque = null;
        for (byte* name; (name = LibAv.avio_enum_protocols(&opaque, 1)) != null;)
            if (Marshal.PtrToStringUTF8((nint)name) is { } n) names.Add(n);
        return names;
    });
}
