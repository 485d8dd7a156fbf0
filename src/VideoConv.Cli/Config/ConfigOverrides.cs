using VideoConv.Cli.Yaml;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Config;

/// <summary>Command-line replacements for a config's source and sinks (<c>--input</c>, <c>--output</c>, batch inputs).</summary>
public static class ConfigOverrides
{
    /// <summary>
    /// The source an <c>--input</c> value means: <c>camera:N</c>, a URL (<c>scheme://…</c>), a glob (an image
    /// sequence) or a video file. Relative paths resolve against the current folder.
    /// </summary>
    public static SourceSpec ParseSource(string value)
    {
        if (value.StartsWith("camera:", StringComparison.Ordinal))
        {
            if (!int.TryParse(value["camera:".Length..], out var index) || index < 0)
                throw new ConfigException(SourceLocation.CommandLine("--input"), $"'{value}': expected camera:N with N a camera number");
            return new CameraSourceSpec(index);
        }
        if (value.Contains("://", StringComparison.Ordinal)) return new UrlSourceSpec(value);
        if (value == "-") return new FileSourceSpec("-");   // a container on standard input
        var full = Path.GetFullPath(value);
        return InputExpansion.HasWildcards(value) ? new ImagesSourceSpec(full) : new FileSourceSpec(full);
    }

    public static PipelineConfig WithInput(PipelineConfig config, string value, string origin = "--input")
    {
        var source = ParseSource(value);
        return config with
        {
            // A live/realtime setting belongs to the config's source kind; keep realtime only for a like-for-like swap.
            Source = source with
            {
                Realtime = config.Source.GetType() == source.GetType() && config.Source.Realtime,
                Origin = new SpecOrigin(SourceLocation.CommandLine(origin)),
            },
        };
    }

    /// <summary>Replaces all sinks with one output: a stream for a url (udp://…), an image pattern when it holds a % frame number, else a video file.</summary>
    public static PipelineConfig WithOutput(PipelineConfig config, string value, string origin = "--output", string? format = null)
    {
        // "-": a container on standard output, in the muxer --format names (progress and messages stay on stderr).
        SinkSpec sink = value == "-" ? new FileSinkSpec("-") { Format = format }
            : UrlSourceSpec.HasScheme(value) ? new UrlSinkSpec(value) { Format = format }   // never a path: "udp:" is no folder
            : value.Contains('%') ? new ImagesSinkSpec(Path.GetFullPath(value))
            : new FileSinkSpec(Path.GetFullPath(value)) { Format = format };
        return config with { Sinks = [sink with { Origin = new SpecOrigin(SourceLocation.CommandLine(origin)) }] };
    }

    /// <summary>Why no sink can show frames here (every sink is a display and there is no display server), else null.</summary>
    public static string? DisplayUnavailable(PipelineConfig config) =>
        config.Sinks.All(s => s is DisplaySinkSpec) ? Pipeline.Validation.DisplayServer.Unavailable() : null;

    /// <summary>
    /// A display-only config with a file sink instead: always <c>NAME-out.mp4</c> (MPEG-4: small, plays anywhere, quick
    /// to encode) in the current folder — one stated path, which like any output is replaced only with --overwrite.
    /// </summary>
    public static PipelineConfig WithFileInsteadOfDisplay(PipelineConfig config, out string path, string? folder = null)
    {
        folder ??= Environment.CurrentDirectory;
        var stem = Path.GetFileNameWithoutExtension(config.File) + "-out";
        path = Path.GetFullPath(stem + ".mp4", folder);
        // Pacing was for the window: a file is written as fast as it can be.
        return config with { Source = config.Source with { Realtime = false }, Sinks = [new FileSinkSpec(path, "mp4v") { Origin = config.Sinks[0].Origin }] };
    }
}
