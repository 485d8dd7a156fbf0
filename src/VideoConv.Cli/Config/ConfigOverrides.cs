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
        var full = Path.GetFullPath(value);
        return InputExpansion.HasWildcards(value) ? new ImagesSourceSpec(full) : new FileSourceSpec(full);
    }

    public static PipelineConfig WithInput(PipelineConfig config, string value, string origin = "--input")
    {
        var source = ParseSource(value);
        return config with
        {
            // A live/realtime setting belongs to the config's source kind; keep realtime only for a like-for-like swap.
            Source = source with { Realtime = config.Source.GetType() == source.GetType() && config.Source.Realtime },
            SourceLocation = SourceLocation.CommandLine(origin),
        };
    }

    /// <summary>Replaces all sinks with one output: an image pattern when it holds a % frame number, else a video file.</summary>
    public static PipelineConfig WithOutput(PipelineConfig config, string value, string origin = "--output")
    {
        var full = Path.GetFullPath(value);
        SinkSpec sink = value.Contains('%') ? new ImagesSinkSpec(full) : new FileSinkSpec(full);
        return config with { Sinks = [sink], SinkLocations = [SourceLocation.CommandLine(origin)] };
    }

    /// <summary>True when no sink can show frames here: every sink is a display and Linux has no display server.</summary>
    public static bool DisplayUnavailable(PipelineConfig config) =>
        config.Sinks.All(s => s is DisplaySinkSpec)
        && OperatingSystem.IsLinux()
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));

    /// <summary>A display-only config with a file sink instead: <c>NAME-out.mp4</c> (MPEG-4: small, plays anywhere, quick to encode) in the current folder, never overwriting.</summary>
    public static PipelineConfig WithFileInsteadOfDisplay(PipelineConfig config, out string path, string? folder = null)
    {
        folder ??= Environment.CurrentDirectory;
        var stem = Path.GetFileNameWithoutExtension(config.File) + "-out";
        path = Path.GetFullPath(stem + ".mp4", folder);
        for (int i = 2; File.Exists(path); i++) path = Path.GetFullPath($"{stem}-{i}.mp4", folder);
        return config with { Sinks = [new FileSinkSpec(path, "mp4v")], SinkLocations = [config.SinkLocations[0]] };
    }
}
