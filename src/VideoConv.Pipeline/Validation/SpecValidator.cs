using OpenCvSharp;
using VideoConv.Core;
using VideoConv.Pipeline.Sinks;
using VideoConv.Pipeline.Sources;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Pipeline.Validation;

/// <summary>Everything about a spec that can be checked before the first frame.</summary>
internal static class SpecValidator
{
    public static void Validate(PipelineSpec spec, bool overwrite)
    {
        ValidateSource(spec.Source);
        for (int i = 0; i < spec.Chain.Count; i++)
        {
            try { spec.Chain[i].Validate(); }
            catch (FilterDefinitionException ex) { throw new PipelineSpecException($"chain[{i}]", ex.Message); }
        }
        if (spec.Sinks.Count == 0) throw new PipelineSpecException("sinks", "at least one sink is needed (file, display, images or discard)");
        if (spec.Sinks.Count(s => s is DisplaySinkSpec) > 1)
            throw new PipelineSpecException("sinks", "only one display sink per pipeline: OpenCV's windows are driven from one thread");
        for (int i = 0; i < spec.Sinks.Count; i++)
            ValidateSink(spec.Sinks[i], $"sinks[{i}]", overwrite);
        Media.MediaFormats.Validate(spec); // codecs, containers, encoders, options and frame sizes of file sinks
        var files = spec.Sinks.OfType<FileSinkSpec>().Where(f => !f.IsStdout).Select(f => Path.GetFullPath(f.Path)).ToList();
        if (files.Distinct().Count() != files.Count)
            throw new PipelineSpecException("sinks", "two file sinks write to the same path");
    }

    private static void ValidateSource(SourceSpec source)
    {
        const string S = "source";
        switch (source)
        {
            case FileSourceSpec f:
                if (f.Path.Contains("://", StringComparison.Ordinal) && !File.Exists(f.Path))
                    throw new PipelineSpecException(S, $"'{f.Path}' is a network address: OpenCV's bundled FFmpeg has no network protocols; use url: instead of file:");
                if (!File.Exists(f.Path))
                    throw new PipelineSpecException(S, $"source file '{f.Path}' does not exist");
                break;
            case ImagesSourceSpec i:
                if (ImageSequenceSource.Match(i.Glob).Length == 0)
                    throw new PipelineSpecException(S, $"no image matches '{i.Glob}' (wildcards are allowed in the file name only)");
                break;
            case CameraSourceSpec c:
                if (c.Index < 0) throw new PipelineSpecException(S, $"camera index must not be negative, got {c.Index}");
                if (OperatingSystem.IsLinux() && !File.Exists($"/dev/video{c.Index}"))
                    throw new PipelineSpecException(S, $"no camera at index {c.Index} (/dev/video{c.Index} does not exist)");
                if (c.Width <= 0 || c.Height <= 0 || c.Fps <= 0)
                    throw new PipelineSpecException(S, "camera width, height and fps must be positive");
                break;
            case PatternSourceSpec p:
                if (p.Width < 16 || p.Height < 16 || (long)p.Width * p.Height * 3 > VideoConv.Core.Imaging.Image.MaxBytes)
                    throw new PipelineSpecException(S, $"pattern size {p.Width}x{p.Height} is out of range (16x16 up to the 1 GiB frame limit)");
                if (!(p.Fps > 0) || p.Fps > 1000) throw new PipelineSpecException(S, $"pattern fps must be in (0, 1000], got {p.Fps}");
                if (p.Frames < 0) throw new PipelineSpecException(S, $"pattern frames must not be negative, got {p.Frames}");
                break;
            case UrlSourceSpec u:
                if (string.IsNullOrWhiteSpace(u.Url)) throw new PipelineSpecException(S, "url is empty");
                if (SystemTools.Find("ffmpeg") is null || SystemTools.Find("ffprobe") is null)
                    throw new PipelineSpecException(S, "url sources need the system ffmpeg and ffprobe (OpenCV's bundled FFmpeg has no network protocols); install ffmpeg");
                break;
        }
    }

    private static void ValidateSink(SinkSpec sink, string subject, bool overwrite)
    {
        switch (sink)
        {
            case FileSinkSpec f:
            {
                if (!f.IsStdout) CheckOutput(f.Path, subject, overwrite);
                if (Media.MediaFormats.WritesInProcess(f)) break; // checked by MediaFormats.Validate (in Validate)
                string fourcc;
                try { fourcc = Media.MediaFormats.OpenCvFourcc(f.Path, f.Codec); }
                catch (PipelineSpecException ex) { throw new PipelineSpecException(subject, ex.Message); }
                if (f.Encoder == FileEncoder.Ffmpeg && FfmpegPipeSink.FindFfmpeg() is null)
                    throw new PipelineSpecException(subject, "encoder: ffmpeg needs the ffmpeg program on PATH (Debian: apt-get install ffmpeg), or use encoder: opencv");
                if (f.Encoder != FileEncoder.Ffmpeg) ProbeEncoder(f.Path, fourcc, subject);
                break;
            }
            case ImagesSinkSpec i:
            {
                string first;
                try { first = ImageSequenceSink.PathFor(i.Pattern, 1); }
                catch (ArgumentException ex) { throw new PipelineSpecException(subject, ex.Message); }
                if (!Cv2.HaveImageWriter(first))
                    throw new PipelineSpecException(subject, $"OpenCV cannot write '{Path.GetExtension(first)}' images; use .png, .jpg, .bmp or .tif");
                CheckOutput(first, subject, overwrite);
                break;
            }
            case DisplaySinkSpec:
                if (OperatingSystem.IsLinux() && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")))
                    throw new PipelineSpecException(subject, "a display sink needs a graphical session, and DISPLAY is not set (use xvfb-run for a virtual one)");
                break;
        }
    }

    // The folder exists and is writable; an existing file is refused unless overwriting.
    private static void CheckOutput(string path, string subject, bool overwrite)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new PipelineSpecException(subject, $"output folder '{dir}' does not exist");
        if (Directory.Exists(full)) throw new PipelineSpecException(subject, $"output '{path}' is a folder");
        if (File.Exists(full) && !overwrite) throw new PipelineSpecException(subject, $"output '{path}' exists; pass overwrite to replace it");
        string probe = Path.Combine(dir, $".videoconv-write-test-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PipelineSpecException(subject, $"output folder '{dir}' is not writable: {ex.Message}");
        }
    }

    // Opening a tiny encoder proves the codec/container pair works before any frame is decoded.
    private static void ProbeEncoder(string path, string fourcc, string subject)
    {
        string temp = VideoFileSink.TempPathFor(path);
        try
        {
            using var writer = new VideoWriter(temp, FourCC.FromString(fourcc), 25, new OpenCvSharp.Size(64, 64), true);
            if (!writer.IsOpened())
                throw new PipelineSpecException(subject, $"OpenCV cannot write {fourcc} into a '{Path.GetExtension(path)}' file; try .mkv with FFV1, .avi with MJPG or .mp4 with mp4v");
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
            PartialFiles.Forget(temp);
        }
    }
}
