using VideoConv.Cli.CommandLine;
using VideoConv.Cli.Config;
using VideoConv.Cli.Terminal;
using VideoConv.Cli.Yaml;
using VideoConv.Pipeline;
using VideoConv.Pipeline.Files;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Verbs;

/// <summary><c>videoconv run CONFIG</c>: runs one pipeline with a live status line.</summary>
internal static class RunVerb
{
    public static VerbDefinition Definition { get; } = new(
        "run",
        "Run a pipeline config (source -> filter chain -> sinks)",
        [new("CONFIG", "Pipeline config (YAML); see configs/ for examples")],
        [
            new("input", "SOURCE", "Replace the source: a video file, an image glob, camera:N, a URL, or - for a container on stdin", Alias: "i"),
            new("output", "FILE", "Replace all sinks with this video file (or an image pattern like out/%05d.png, or a stream url like udp://HOST:PORT); - writes to stdout", Alias: "o"),
            new("format", "NAME", "Container of --output (FFmpeg muxer names: matroska, mpegts, mp4, nut, webm); needed for --output -"),
            new("stats-json", "FILE", "Write the run's statistics as JSON when it ends"),
            new("overwrite", null, "Replace existing output files"),
            new("watch", null, "Reload the chain when the config file changes (broken edits keep the running chain)"),
            new("progress", null, "Print a progress line every second even when stderr is not a terminal (logs, scripts)"),
            CommonOptions.Threads,
            CommonOptions.Quiet,
            CommonOptions.Verbose,
        ],
        RunAsync,
        "Ctrl+C stops the run and finalizes the outputs; a second Ctrl+C quits at once.");

    private static async Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var configPath = args.Argument("CONFIG");
        var config = PipelineConfigReader.ReadFile(configPath);
        if (args.Value("input") is { } input) config = ConfigOverrides.WithInput(config, input);
        if (args.Value("output") is { } output) config = ConfigOverrides.WithOutput(config, output, format: args.Value("format"));
        else if (args.Value("format") is not null) throw new UsageException("--format applies to --output; give the container on the sink (format:) otherwise");
        var say = Verbosity.From(args);
        config = WithoutUnavailableDisplay(config, "writing to", say);
        bool overwrite = args.Flag("overwrite");
        ConfigValidation.Check(config, overwrite, createOutputFolders: true);
        var statsPath = args.Value("stats-json");
        if (statsPath is not null) CheckStatsOutput(statsPath, config, configPath, overwrite);

        var status = new StatusLine(linesWhenRedirected: args.Flag("progress"), quiet: say.Quiet);
        var options = new PipelineOptions
        {
            Overwrite = overwrite,
            Threads = CommonOptions.ThreadsFrom(args, config.Threads),
            Progress = status.Update,
            Warning = message =>
            {
                if (!say.Quiet) status.WriteLine($"videoconv: warning: {message}");
            },
        };
        if (say.Verbose) Console.Error.WriteLine($"videoconv: {DescribeSource(config.Source)} -> {config.Chain.Count} filter(s) -> {config.Sinks.Count} sink(s)");

        PipelineStats stats;
        await using (var pipeline = new VideoPipeline(config.ToSpec(), options))
        {
            using var watcher = args.Flag("watch")
                ? new ChainWatcher(configPath, pipeline, ConfigValidation.KnownFormat(config), status)
                : null;
            if (watcher is not null) say.Say($"videoconv: watching {Filters.FilterLibrary.DisplayPath(Path.GetFullPath(configPath))} for changes to the chain");
            try
            {
                stats = await pipeline.RunAsync(cancellationToken);
            }
            catch (PipelineSpecException ex)
            {
                throw ConfigValidation.Located(ex, config.RootLocation);
            }
            catch (PipelineStageException ex) when (ex.InnerException is VideoConv.Core.FilterDefinitionException { Step: int step } refusal && step < config.Chain.Count)
            {
                // A step that cannot apply to the source's frames (a crop outside them, an empty output), found when the
                // chain is built for the first frame's size, before it is filtered: a config error at that step.
                throw new ConfigException(config.Chain[step].Location, refusal.Message, ex);
            }
            finally
            {
                status.Clear();
            }
        }
        say.Say($"videoconv: {StatusLine.Summary(stats)}");
        // Same rule as every output: complete or absent; a failed write fails the run.
        if (statsPath is not null) OutputPaths.WriteAtomically(statsPath, overwrite, stream => StatsJson.Write(stats, stream));
        if (cancellationToken.IsCancellationRequested)
        {
            say.Say("videoconv: interrupted; outputs were finalized");
            return VideoconvApp.Interrupted;
        }
        return VideoconvApp.Success;
    }

    /// <summary>
    /// <c>--stats-json</c> obeys the output rule: never an input of the run (the config, its filter files, the
    /// source), never one of the run's other outputs, an existing file only with --overwrite.
    /// </summary>
    public static void CheckStatsOutput(string statsPath, PipelineConfig config, string configPath, bool overwrite)
    {
        var at = SourceLocation.CommandLine("--stats-json");
        ConfigValidation.CheckWritableFolder(Path.GetDirectoryName(Path.GetFullPath(statsPath))!, "--stats-json");
        var inputs = new List<string> { configPath };
        inputs.AddRange(config.Chain.Select(step => step.Location.File).Where(File.Exists));
        inputs.AddRange(SpecFiles.Inputs(config.Source));
        if (OutputPaths.Refusal(statsPath, overwrite, inputs) is { } refusal) throw new ConfigException(at, refusal);
        foreach (var sink in config.Sinks)
        {
            if (SpecFiles.Writes(sink, statsPath)) throw new ConfigException(at, $"--stats-json '{statsPath}' is also an output of the run; give the statistics a file of their own");
        }
    }

    /// <summary>A display-only config on a machine without a display gets a file sink instead, and says so.</summary>
    public static PipelineConfig WithoutUnavailableDisplay(PipelineConfig config, string verb, Verbosity say = default)
    {
        if (ConfigOverrides.DisplayUnavailable(config) is not { } why) return config;
        config = ConfigOverrides.WithFileInsteadOfDisplay(config, out var fallback);
        say.Say($"videoconv: no display ({why}); {verb} {Filters.FilterLibrary.DisplayPath(fallback)} instead");
        return config;
    }

    public static string DescribeSource(SourceSpec source) => source switch
    {
        PatternSourceSpec p => $"pattern {p.Width}x{p.Height} @ {p.Fps} fps, {p.Frames} frames",
        FileSourceSpec f => $"file {Filters.FilterLibrary.DisplayPath(f.Path)}",
        ImagesSourceSpec i => $"images {Filters.FilterLibrary.DisplayPath(i.Glob)}",
        CameraSourceSpec c => $"camera {c.Index}",
        UrlSourceSpec u => $"url {u.Url}",
        _ => source.GetType().Name,
    };
}
