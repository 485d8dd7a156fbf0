using OpenCvSharp;
using VideoConv.Core;
using VideoConv.Core.Convolution;
using VideoConv.Core.Filters;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Files;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Validation;

/// <summary>
/// Everything about a spec that can be checked before the first frame — the one validator: the CLI's run, batch
/// and validate ask it and never re-check. Each refusal is a <see cref="PipelineSpecException"/> naming the part
/// ("source", "chain step 2", "sink 1") and carrying where it was written (the part's <see cref="SpecOrigin"/>).
/// </summary>
public static class SpecValidator
{
    /// <summary>Checks <paramref name="spec"/>; with <paramref name="foldersMayBeMissing"/> an output folder that does not
    /// exist yet passes when it can be created (the caller creates it, see <see cref="OutputFolders.Create"/>).</summary>
    public static void Validate(PipelineSpec spec, bool overwrite, bool foldersMayBeMissing = false)
    {
        ValidateSource(spec.Source);
        YuvSpecRules.Validate(spec); // space: yuv (its chains are checked there, per plane)
        if (spec.Space != PixelSpace.Yuv) ValidateChain(spec);
        if (spec.Sinks.Count == 0) throw Refuse("sinks", spec.Origin, "at least one sink is needed (file, display, images or discard)");
        if (spec.Sinks.Count(s => s is DisplaySinkSpec) > 1)
            throw Refuse("sinks", spec.Sinks.Where(s => s is DisplaySinkSpec).Skip(1).First().Origin ?? spec.Origin,
                "only one display sink per pipeline: OpenCV's windows are driven from one thread");
        var inputs = SpecFiles.Inputs(spec.Source);
        for (int i = 0; i < spec.Sinks.Count; i++)
            ValidateSink(spec.Sinks[i], SinkName(i), overwrite, foldersMayBeMissing, inputs);
        // Codecs, containers, encoders, options and frame sizes of the sinks the media layer writes.
        Media.MediaFormats.Validate(spec, (i, key, message) => Refuse(SinkName(i), spec.Sinks[i].Origin, message, key));
        if (KnownFormat(spec.Source) is { } input && ChainOutput(spec, input) is { } output && !OpenCvVideoWriterSink.KeepsSize(output))
            for (int i = 0; i < spec.Sinks.Count; i++)
                if (spec.Sinks[i] is FileSinkSpec f && !Media.MediaFormats.WritesInProcess(f))
                    throw Refuse(SinkName(i), f.Origin, OpenCvVideoWriterSink.OddSizeRefusal(output, f.Path));
        var files = spec.Sinks.OfType<FileSinkSpec>().Where(f => !f.IsStdout).GroupBy(f => FileNodes.Resolve(f.Path)).FirstOrDefault(g => g.Count() > 1);
        if (files is not null) throw Refuse("sinks", files.Skip(1).First().Origin ?? spec.Origin, $"two file sinks write to the same path '{files.Key}'");
    }

    /// <summary>A sink as messages name it: "sink 1" is the first.</summary>
    public static string SinkName(int index) => $"sink {index + 1}";

    /// <summary>The frame format the source will deliver, when it is known without opening a device or file.</summary>
    public static ImageFormat? KnownFormat(SourceSpec source) => source switch
    {
        PatternSourceSpec p => new ImageFormat(p.Width, p.Height, 3),
        _ => null,
    };

    /// <summary>
    /// Each step's geometry along the chain for an input of <paramref name="format"/> (empty outputs, channel counts);
    /// the output format, or a refusal at the step that breaks.
    /// </summary>
    public static ImageFormat ChainOutput(PipelineSpec spec, ImageFormat format)
    {
        for (int i = 0; i < spec.Chain.Count; i++)
        {
            try
            {
                format = ConvolutionEngine.OutputFormat(spec.Chain[i], format);
            }
            catch (Exception ex) when (ex is FilterDefinitionException or ArgumentException)
            {
                throw Refuse(PipelineSpec.ChainStepName(i), spec.ChainOrigin(i), ex.Message, (ex as FilterDefinitionException)?.Key);
            }
        }
        return format;
    }

    private static PipelineSpecException Refuse(string subject, SpecOrigin? origin, string message, string? key = null) =>
        new(subject, message, key is null ? origin?.At : origin?.Of(key));

    private static void ValidateChain(PipelineSpec spec)
    {
        for (int i = 0; i < spec.Chain.Count; i++)
        {
            try { spec.Chain[i].Validate(); }
            catch (FilterDefinitionException ex) { throw Refuse(PipelineSpec.ChainStepName(i), spec.ChainOrigin(i), ex.Message, ex.Key); }
        }
        if (KnownFormat(spec.Source) is { } format)
        {
            ChainOutput(spec, format);
            // Memory is bounded before the first frame: a chain whose working memory would not fit is refused with the estimate.
            try { ChainMemory.Check(spec.Chain, format, Environment.ProcessorCount); }
            catch (FilterDefinitionException ex)
            {
                int step = ex.Step ?? 0;
                throw Refuse(ex.Step is null ? "chain" : PipelineSpec.ChainStepName(step), spec.ChainOrigin(step), ex.Message, ex.Key);
            }
        }
    }

    private static void ValidateSource(SourceSpec source)
    {
        const string S = "source";
        var at = source.Origin;
        switch (source)
        {
            case FileSourceSpec { IsStdin: true }:
                if (!FFmpeg.LibAv.IsAvailable)
                    throw Refuse(S, at, "reading a container from standard input (-) needs the system FFmpeg libraries, which are not loaded here");
                break;
            case FileSourceSpec f:
                if (f.Path.Contains("://", StringComparison.Ordinal) && !File.Exists(f.Path))
                    throw Refuse(S, at, $"'{f.Path}' is a network address: OpenCV's bundled FFmpeg has no network protocols; use url: instead of file:");
                if (Directory.Exists(f.Path))
                    throw Refuse(S, at, $"source file '{f.Path}' is a folder; use 'images: {Path.Combine(f.Path, "*.png")}' for an image sequence");
                if (!File.Exists(f.Path))
                    throw Refuse(S, at, $"source file '{f.Path}' does not exist");
                if (FileNodes.KindOf(f.Path) is var kind && kind is FileNodeKind.CharacterDevice or FileNodeKind.BlockDevice or FileNodeKind.Socket)
                    throw Refuse(S, at, $"source '{f.Path}' is {FileNodes.Describe(kind)}, not a video file (cameras are camera: N)");
                break;
            case ImagesSourceSpec i:
                if (ImageSequenceSource.Match(i.Glob).Length == 0)
                    throw Refuse(S, at, $"no image matches '{i.Glob}' (wildcards are allowed in the file name only)");
                break;
            case CameraSourceSpec c:
                if (c.Index < 0) throw Refuse(S, at, $"camera index must not be negative, got {c.Index}");
                if (OperatingSystem.IsLinux() && !File.Exists($"/dev/video{c.Index}"))
                    throw Refuse(S, at, $"no camera at index {c.Index} (/dev/video{c.Index} does not exist)");
                if (c.Width <= 0 || c.Height <= 0 || c.Fps <= 0)
                    throw Refuse(S, at, "camera width, height and fps must be positive");
                break;
            case PatternSourceSpec p:
                if (p.Width < 16 || p.Height < 16 || (long)p.Width * p.Height * 3 > Image.MaxBytes)
                    throw Refuse(S, at, $"pattern size {p.Width}x{p.Height} is out of range (16x16 up to the 1 GiB frame limit)");
                if (!(p.Fps > 0) || p.Fps > 1000) throw Refuse(S, at, $"pattern fps must be in (0, 1000], got {p.Fps}");
                if (p.Frames < 0) throw Refuse(S, at, $"pattern frames must not be negative, got {p.Frames}");
                break;
            case UrlSourceSpec u:
                if (string.IsNullOrWhiteSpace(u.Url)) throw Refuse(S, at, "url is empty");
                if (!UrlSourceSpec.HasScheme(u.Url))
                    throw Refuse(S, at, $"url '{u.Url}' is not an address of the form scheme://… (udp://, rtsp://, srt://, http://…)");
                if (SystemTools.Find("ffmpeg") is null || SystemTools.Find("ffprobe") is null)
                    throw Refuse(S, at, "url sources need the system ffmpeg and ffprobe (OpenCV's bundled FFmpeg has no network protocols); install ffmpeg");
                break;
        }
    }

    private static void ValidateSink(SinkSpec sink, string subject, bool overwrite, bool foldersMayBeMissing, IReadOnlyList<string> inputs)
    {
        var at = sink.Origin;
        switch (sink)
        {
            case FileSinkSpec f:
            {
                bool folderExists = f.IsStdout || CheckOutput(f.Path, subject, at, overwrite, foldersMayBeMissing, inputs);
                if (!f.IsStdout && HlsStaging.IsPlaylist(f.Path) && HlsStaging.Refusal(f.Path, overwrite) is { } segments) throw Refuse(subject, at, segments);
                if (Media.MediaFormats.WritesInProcess(f)) break; // checked by MediaFormats.Validate (in Validate)
                string fourcc;
                try { fourcc = Media.MediaFormats.OpenCvFourcc(f.Path, f.Codec); }
                catch (PipelineSpecException ex) { throw Refuse(subject, at, ex.Message, f.Codec is null ? null : "codec"); }
                if (f.Encoder == FileEncoder.Ffmpeg && FfmpegPipeSink.FindFfmpeg() is null)
                    throw Refuse(subject, at, "encoder: ffmpeg needs the ffmpeg program on PATH (Debian: apt-get install ffmpeg), or use encoder: opencv", "encoder");
                // The probe needs the folder; a folder still to be created is probed when the pipeline validates again.
                if (f.Encoder != FileEncoder.Ffmpeg && folderExists && !f.IsStdout) ProbeEncoder(f.Path, fourcc, subject, at);
                break;
            }
            case ImagesSinkSpec i:
            {
                string first;
                try { first = ImageSequenceSink.PathFor(i.Pattern, 1); }
                catch (ArgumentException ex) { throw Refuse(subject, at, ex.Message); }
                if (!Cv2.HaveImageWriter(first))
                    throw Refuse(subject, at, $"OpenCV cannot write '{Path.GetExtension(first)}' images; use .png, .jpg, .bmp or .tif");
                CheckOutput(first, subject, at, overwrite, foldersMayBeMissing, inputs);
                if (inputs.FirstOrDefault(input => ImageSequenceSink.Produces(i.Pattern, input)) is { } clash)
                    throw Refuse(subject, at, $"images output '{i.Pattern}' would write over the input '{clash}'; refusing, even with overwrite");
                break;
            }
            case DisplaySinkSpec:
                if (DisplayServer.Unavailable() is { } why)
                    throw Refuse(subject, at, $"a display sink needs a graphical session: {why} (use xvfb-run for a virtual one)");
                break;
        }
    }

    // The folder exists (or may be created) and is writable; the output obeys the one output rule (OutputPaths). True when the folder exists.
    private static bool CheckOutput(string path, string subject, SpecOrigin? at, bool overwrite, bool foldersMayBeMissing, IReadOnlyList<string> inputs)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        if (OutputPaths.Refusal(path, overwrite, inputs) is { } refusal) throw Refuse(subject, at, refusal);
        bool exists = Directory.Exists(dir);
        if (!exists && !foldersMayBeMissing) throw Refuse(subject, at, $"output folder '{dir}' does not exist");
        try
        {
            OutputFolders.CheckWritable(dir);
        }
        catch (IOException ex)
        {
            throw Refuse(subject, at, ex.Message);
        }
        return exists;
    }

    // Opening a tiny encoder proves the codec/container pair works before any frame is decoded.
    private static void ProbeEncoder(string path, string fourcc, string subject, SpecOrigin? at)
    {
        string temp = PartialFiles.Create(path);
        try
        {
            using var writer = new VideoWriter(temp, FourCC.FromString(fourcc), 25, new OpenCvSharp.Size(64, 64), true);
            if (!writer.IsOpened())
                throw Refuse(subject, at, $"OpenCV cannot write {fourcc} into a '{Path.GetExtension(path)}' file; try .mkv with FFV1, .avi with MJPG or .mp4 with mp4v", "codec");
        }
        finally
        {
            PartialFiles.Discard(temp);
        }
    }
}
