using VideoConv.Core.Filters;

namespace VideoConv.Pipeline.Specs;

/// <summary>A whole job: one source, a filter chain, one or more sinks. What a pipeline config deserialises to.</summary>
public sealed record PipelineSpec(SourceSpec Source, IReadOnlyList<FilterDefinition> Chain, IReadOnlyList<SinkSpec> Sinks)
{
    /// <summary>Where the config itself was written (errors about the whole spec point here).</summary>
    public SpecOrigin? Origin { get; init; }

    /// <summary>Where each chain step was written, by index; null or shorter when unknown.</summary>
    public IReadOnlyList<SpecOrigin>? ChainOrigins { get; init; }

    /// <summary>Chain step <paramref name="index"/> as messages name it everywhere: "chain step 1" is the first.</summary>
    public static string ChainStepName(int index) => $"chain step {index + 1}";

    public SpecOrigin? ChainOrigin(int index) => ChainOrigins is { } o && index < o.Count ? o[index] : Origin;

    /// <summary><c>space:</c> — what the chain filters: BGR frames (default) or the decoder's YUV planes (<see cref="Chain"/> is then Y's chain).</summary>
    public PixelSpace Space { get; init; } = PixelSpace.Bgr;

    /// <summary>Where <c>space:</c> was written (refusals of the YUV mode point here).</summary>
    public SpecOrigin? SpaceOrigin { get; init; }

    /// <summary>With <c>space: yuv</c>: the chains of the U and V planes (empty: the plane passes through untouched, no copy).</summary>
    public PlaneChain U { get; init; } = PlaneChain.None;

    /// <inheritdoc cref="U"/>
    public PlaneChain V { get; init; } = PlaneChain.None;
}

/// <summary>The pixels a pipeline filters.</summary>
public enum PixelSpace
{
    /// <summary>Packed BGR frames (the decoder's output converted once); every source and sink.</summary>
    Bgr,
    /// <summary>The decoder's 4:2:0 planes, filtered in place and handed to the encoder as they are (docs/yuv.md).</summary>
    Yuv,
}

/// <summary>One plane's chain in YUV mode: its steps and where each was written.</summary>
public sealed record PlaneChain(IReadOnlyList<FilterDefinition> Steps, IReadOnlyList<SpecOrigin>? Origins = null)
{
    public static readonly PlaneChain None = new([]);

    public SpecOrigin? Origin(int index) => Origins is { } o && index < o.Count ? o[index] : null;
}

/// <summary>Where frames come from (exactly one kind).</summary>
public abstract record SourceSpec
{
    /// <summary>Live: drop the oldest queued frame when a stage falls behind. Null: the kind's default (true for camera and url).</summary>
    public bool? Live { get; init; }

    /// <summary>Pace a file or pattern at its frame rate, as a camera would.</summary>
    public bool Realtime { get; init; }

    public abstract bool DefaultLive { get; }
    public bool IsLive => Live ?? DefaultLive;

    /// <summary>Where the source was written (a config node or a command-line option); null when made in code.</summary>
    public SpecOrigin? Origin { get; init; }
}

/// <summary><c>camera: N</c> — a webcam through OpenCV, with optional capture requests.</summary>
public sealed record CameraSourceSpec(int Index, int? Width = null, int? Height = null, double? Fps = null) : SourceSpec
{
    public override bool DefaultLive => true;
}

/// <summary><c>file: PATH</c> — a video file (<c>-</c>: a container on stdin), decoded by the media layer.</summary>
public sealed record FileSourceSpec(string Path) : SourceSpec
{
    public override bool DefaultLive => false;

    /// <summary><c>start:</c> — the first frame kept is the one at this time (decoded forward from the keyframe before it).</summary>
    public TimeSpan? Start { get; init; }

    /// <summary><c>duration:</c> (or <c>end:</c> minus <c>start:</c>) — how much of the input is kept.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>True for <c>-</c>: read a container from standard input.</summary>
    public bool IsStdin => Path == "-";

    /// <summary>
    /// Standard input, a FIFO or a device: a stream that can be read only once, so nothing may open it a second time:
    /// probes open regular files only, and its audio comes from the one reader (<see cref="Media.AudioFeed"/>). Probing a
    /// FIFO once ate the stream's start and, closing it, ended the writer (ffmpeg -re died of EPIPE; the run then waited forever).
    /// </summary>
    public bool ReadsOnce => IsStdin || Files.FileNodes.KindOf(Path) is not (Files.FileNodeKind.RegularFile or Files.FileNodeKind.Missing);
}

/// <summary><c>images: GLOB</c> — an image sequence in name order, at <see cref="Fps"/> frames a second.</summary>
public sealed record ImagesSourceSpec(string Glob) : SourceSpec
{
    public override bool DefaultLive => false;

    /// <summary><c>fps:</c> — the rate the images are shown at (their timestamps), default 25 as FFmpeg's image demuxer.</summary>
    public double Fps { get; init; } = 25;
}

/// <summary><c>pattern: {width, height, fps, frames}</c> — a moving synthetic test pattern made in-process.</summary>
public sealed record PatternSourceSpec(int Width = 1280, int Height = 720, double Fps = 30, int Frames = 300) : SourceSpec
{
    public override bool DefaultLive => false;
}

/// <summary><c>url: …</c> — a network stream read through the system ffmpeg binary.</summary>
public sealed partial record UrlSourceSpec(string Url) : SourceSpec
{
    public override bool DefaultLive => true;

    /// <summary>True when <paramref name="url"/> starts with a scheme (<c>udp://</c>…), so no tool can read it as an option.</summary>
    public static bool HasScheme(string url) => SchemePattern().IsMatch(url);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*://")]
    private static partial System.Text.RegularExpressions.Regex SchemePattern();
}

/// <summary>Where frames go.</summary>
public abstract record SinkSpec
{
    /// <summary>Where the sink was written (a config node or a command-line option); null when made in code.</summary>
    public SpecOrigin? Origin { get; init; }
}

/// <summary>
/// A sink the media layer encodes: its codec (<c>codec:</c>, a name or FOURCC; null: the container's default),
/// quality, audio and container keys, shared by <see cref="FileSinkSpec"/> and <see cref="UrlSinkSpec"/>.
/// </summary>
public abstract record MediaSinkSpec(string? Codec) : SinkSpec
{
    /// <summary>Which encoder writes the file; <see cref="FileEncoder.Auto"/> is the system FFmpeg's libraries in-process.</summary>
    public FileEncoder Encoder { get; init; } = FileEncoder.Auto;

    /// <summary><c>crf:</c> constant-quality factor (libx264/libx265/libvpx-vp9/AV1); null: the encoder's default (x264: 23).</summary>
    public double? Crf { get; init; }

    /// <summary><c>preset:</c> speed/size trade-off (x264/x265: ultrafast … veryslow; SVT-AV1: 0 … 13).</summary>
    public string? Preset { get; init; }

    /// <summary><c>bitrate:</c> target bits per second, FFmpeg's syntax (<c>2M</c>, <c>800k</c>).</summary>
    public string? Bitrate { get; init; }

    /// <summary><c>gop:</c> the longest distance between keyframes, in frames.</summary>
    public int? Gop { get; init; }

    /// <summary><c>codec_options:</c> FFmpeg encoder options (<c>tune: film</c>, <c>x264-params: …</c>), checked against the encoder's AVOptions before the first frame.</summary>
    public IReadOnlyDictionary<string, string> CodecOptions { get; init; } = NoOptions;

    private static readonly IReadOnlyDictionary<string, string> NoOptions = new Dictionary<string, string>();

    /// <summary><c>audio:</c> what happens to the input's audio.</summary>
    public AudioMode Audio { get; init; } = AudioMode.Auto;

    /// <summary><c>format:</c> (or <c>--format</c>) an FFmpeg muxer name (<c>matroska</c>, <c>mpegts</c>, <c>mp4</c>, <c>nut</c>); null: by extension (a url: by scheme).</summary>
    public string? Format { get; init; }

    /// <summary>What libavformat is handed to open: a file path, <c>-</c> or a url.</summary>
    public abstract string Target { get; }
}

/// <summary><c>file: PATH</c> (<c>-</c>: standard output, with <see cref="MediaSinkSpec.Format"/>), <c>codec:</c> a name or FOURCC (null: chosen by extension), quality and audio keys.</summary>
public sealed record FileSinkSpec(string Path, string? Codec = null) : MediaSinkSpec(Codec)
{
    /// <summary>True for <c>-</c>: write to standard output.</summary>
    public bool IsStdout => Path == "-";

    public override string Target => Path;
}

/// <summary>
/// <c>url: udp://…</c> (also <c>rtp://</c>, <c>srt://</c>, <c>rtmp://</c>, <c>tcp://</c>) — a live stream sent through
/// libavformat's own protocols, in <see cref="MediaSinkSpec.Format"/> (default by scheme: mpegts, flv for rtmp, rtp for rtp).
/// Never a file: no partial, no overwrite rule; the url is only ever handed to libavformat, never to a program.
/// </summary>
public sealed record UrlSinkSpec(string Url, string? Codec = null) : MediaSinkSpec(Codec)
{
    public override string Target => Url;
}

/// <summary><c>audio:</c> of a file or url sink.</summary>
public enum AudioMode
{
    /// <summary>Kept: copied when the container holds its codec, re-encoded otherwise.</summary>
    Auto,
    /// <summary>Stream-copied; refused before starting when the container cannot hold the codec.</summary>
    Copy,
    /// <summary>Re-encoded (AAC for MP4/MOV/TS, Opus for WebM/Matroska).</summary>
    Encode,
    /// <summary>Left out.</summary>
    Drop,
}

/// <summary><c>encoder:</c> of a file sink.</summary>
public enum FileEncoder
{
    /// <summary>FFmpeg for mp4v, XVID and MJPG when it is installed (its libraries in-process, else the ffmpeg command fed raw frames); OpenCV's VideoWriter otherwise.</summary>
    Auto,
    /// <summary>OpenCV's bundled VideoWriter.</summary>
    OpenCv,
    /// <summary>The system FFmpeg: its libraries in-process for mp4v/XVID/MJPG, the ffmpeg command fed raw frames otherwise (FFV1).</summary>
    Ffmpeg,
}

/// <summary><c>display: TITLE</c> — an OpenCV window with an fps/latency overlay.</summary>
public sealed record DisplaySinkSpec(string Title) : SinkSpec;

/// <summary><c>images: PATTERN</c> — printf-style numbered files, e.g. <c>out/%05d.png</c>.</summary>
public sealed record ImagesSinkSpec(string Pattern) : SinkSpec;

/// <summary><c>discard: {}</c> — frames are processed and thrown away.</summary>
public sealed record DiscardSinkSpec : SinkSpec;
