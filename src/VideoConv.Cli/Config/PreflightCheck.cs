using VideoConv.Cli.Yaml;
using VideoConv.Core;
using VideoConv.Core.Convolution;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Config;

/// <summary>
/// Everything checked before the first frame: the chain against the source's frame size (when known),
/// source files, codecs, output folders, then the pipeline's own checks — each error located in the config.
/// </summary>
public static class PreflightCheck
{
    /// <summary>Codec names that mean H.264/H.265, which the bundled encoders do not provide.</summary>
    private static readonly string[] UnavailableCodecs = ["h264", "h.264", "avc1", "avc", "x264", "h265", "h.265", "hevc", "hvc1", "hev1", "x265"];

    /// <summary>
    /// Throws <see cref="ConfigException"/> at the first problem found. With <paramref name="createOutputFolders"/>
    /// (run, batch) missing output folders are created once shown creatable; without it (validate) nothing is
    /// created and sinks whose folder does not exist yet are left out of the pipeline's own folder check.
    /// </summary>
    public static void Run(PipelineConfig config, bool overwrite, bool createOutputFolders = false)
    {
        CheckSource(config);
        CheckChain(config);
        for (int i = 0; i < config.Sinks.Count; i++) CheckSink(config.Sinks[i], config.SinkLocations[i], overwrite);
        if (createOutputFolders) CreateOutputFolders(config.Sinks);
        var spec = config.ToSpec();
        if (!createOutputFolders)
            spec = spec with { Sinks = spec.Sinks.Select(s => OutputFolder(s) is { } dir && !Directory.Exists(dir) ? new DiscardSinkSpec() : s).ToList() };
        try
        {
            VideoPipeline.Validate(spec, overwrite);
        }
        catch (PipelineSpecException ex)
        {
            throw new ConfigException(config.Locate(ex.Subject), ex.Message, ex);
        }
        catch (FilterDefinitionException ex)
        {
            throw new ConfigException(config.RootLocation, ex.Message, ex);
        }
        catch (NotImplementedException)
        {
            // Before the pipeline implementation is merged its checks do not exist; ours above still ran.
        }
    }

    /// <summary>The folder a file or images sink writes into.</summary>
    public static string? OutputFolder(SinkSpec sink) => sink switch
    {
        FileSinkSpec f => Path.GetDirectoryName(f.Path),
        ImagesSinkSpec i => Path.GetDirectoryName(i.Pattern),
        _ => null,
    };

    /// <summary>Creates the folders file and image sinks write into.</summary>
    public static void CreateOutputFolders(IEnumerable<SinkSpec> sinks)
    {
        foreach (var sink in sinks)
            if (OutputFolder(sink) is { } dir) Directory.CreateDirectory(dir);
    }

    /// <summary>The frame format the source will deliver, when it is known without opening a device or file.</summary>
    public static ImageFormat? KnownFormat(SourceSpec source) => source switch
    {
        PatternSourceSpec p => new ImageFormat(p.Width, p.Height, 3),
        _ => null,
    };

    /// <summary>Checks each step's geometry along the chain (empty outputs, channel counts) for a known input format.</summary>
    public static ImageFormat CheckChainGeometry(IReadOnlyList<ChainStep> chain, ImageFormat format)
    {
        foreach (var step in chain)
        {
            try
            {
                format = new ConvolutionGeometry(step.Definition, format).Output;
            }
            catch (Exception ex) when (ex is FilterDefinitionException or ArgumentException)
            {
                throw new ConfigException(step.Location, ex.Message, ex);
            }
        }
        return format;
    }

    private static void CheckChain(PipelineConfig config)
    {
        if (KnownFormat(config.Source) is { } format) CheckChainGeometry(config.Chain, format);
    }

    private static void CheckSource(PipelineConfig config)
    {
        var at = config.SourceLocation;
        switch (config.Source)
        {
            case FileSourceSpec f when Directory.Exists(f.Path):
                throw new ConfigException(at, $"source file '{f.Path}' is a folder; use 'images: {Path.Combine(f.Path, "*.png")}' for an image sequence");
            case FileSourceSpec f when !File.Exists(f.Path):
                throw new ConfigException(at, $"source file '{f.Path}' does not exist");
            case ImagesSourceSpec i when InputExpansion.Glob(i.Glob).Count == 0:
                throw new ConfigException(at, $"no files match '{i.Glob}'");
        }
    }

    /// <summary>The canonical spelling of a known codec; throws at <paramref name="at"/> for unknown ones.</summary>
    public static string CheckCodec(string codec, SourceLocation at)
    {
        var known = Codecs.Known.FirstOrDefault(k => string.Equals(k, codec, StringComparison.OrdinalIgnoreCase));
        if (known is not null) return known;
        if (UnavailableCodecs.Contains(codec.ToLowerInvariant()))
            throw new ConfigException(at,
                $"codec '{codec}' (H.264/H.265) is not available: the FFmpeg bundled with OpenCV has no such encoder; " +
                $"use mp4v (.mp4), MJPG or XVID (.avi) or FFV1 (.mkv, lossless)");
        throw new ConfigException(at, $"unknown codec '{codec}'{NameSuggestions.Hint(codec, Codecs.Known)} (known: {string.Join(", ", Codecs.Known)})");
    }

    private static void CheckSink(SinkSpec sink, SourceLocation at, bool overwrite)
    {
        switch (sink)
        {
            case FileSinkSpec f:
                if (f.Codec is { } codec) CheckCodec(codec, at);
                try
                {
                    Codecs.Resolve(f.Path, f.Codec); // the extension must have a default codec, or fit the one given
                }
                catch (PipelineSpecException ex)
                {
                    throw new ConfigException(at, ex.Message, ex);
                }
                catch (NotImplementedException)
                {
                    // Not merged yet (see Run).
                }
                if (Directory.Exists(f.Path)) throw new ConfigException(at, $"output '{f.Path}' is a folder; give a file name");
                if (File.Exists(f.Path) && !overwrite)
                    throw new ConfigException(at, $"output '{f.Path}' already exists; pass --overwrite to replace it");
                CheckWritableFolder(Path.GetDirectoryName(f.Path)!, at);
                break;
            case ImagesSinkSpec i:
                if (!i.Pattern.Contains('%'))
                    throw new ConfigException(at, $"images output '{i.Pattern}' needs a frame number such as %05d in its name");
                CheckWritableFolder(Path.GetDirectoryName(i.Pattern)!, at);
                break;
        }
    }

    /// <summary>
    /// The folder must be writable, or be creatable: its nearest existing ancestor must be a writable folder.
    /// Probed by creating a file, because permission bits do not tell the whole story (read-only mounts, ACLs).
    /// </summary>
    public static void CheckWritableFolder(string folder, SourceLocation at)
    {
        var probe = folder;
        while (!Directory.Exists(probe))
        {
            if (File.Exists(probe)) throw new ConfigException(at, $"output folder '{folder}' cannot be created: '{probe}' is a file");
            var parent = Path.GetDirectoryName(probe);
            if (parent is null) throw new ConfigException(at, $"output folder '{folder}' cannot be created");
            probe = parent;
        }
        try
        {
            using var _ = new FileStream(Path.Combine(probe, $".videoconv-write-test-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(at, probe == folder
                ? $"output folder '{folder}' cannot be written ({ex.GetType().Name}: {ex.Message})"
                : $"output folder '{folder}' cannot be created: '{probe}' cannot be written ({ex.GetType().Name}: {ex.Message})");
        }
    }
}
