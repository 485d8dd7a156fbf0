using VideoConv.Cli.CommandLine;
using VideoConv.Cli.Config;
using VideoConv.Cli.Filters;
using VideoConv.Cli.Yaml;
using VideoConv.Core.Filters;

namespace VideoConv.Cli.Verbs;

/// <summary><c>videoconv validate FILE</c>: checks a pipeline config (or a filter file) without running it.</summary>
internal static class ValidateVerb
{
    public static VerbDefinition Definition { get; } = new(
        "validate",
        "Check a pipeline config or a filter file without running it",
        [new("FILE", "A pipeline config (source/chain/sinks) or a filter file (kernel, generator, …)")],
        [
            new("overwrite", null, "Do not report outputs that already exist (as run --overwrite would replace them)"),
            new("verbose", null, "Print details (and stack traces) on errors", Alias: "v"),
        ],
        RunAsync,
        "Errors are printed as FILE:LINE:COL: error: MESSAGE; the exit code is 0 when valid, 2 otherwise.");

    private static Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var path = args.Argument("FILE");
        var full = Path.GetFullPath(path);
        var display = FilterLibrary.DisplayPath(full);
        var root = SafeYamlReader.ReadFile(full, display);
        if (root is YMapping map && !PipelineConfigReader.TopKeys.Any(map.Has) && FilterFileKeys.All.Intersect(map.Keys).Any())
        {
            var def = FilterFileReader.Read(map, Path.GetFileNameWithoutExtension(full));
            var (h, w) = def.KernelSize;
            Console.Out.WriteLine(def.IsGeometric
                ? $"{display}: ok: filter '{def.Name}', {(object?)def.Resize ?? def.Crop} {def.Mode.ToString().ToLowerInvariant()}"
                : $"{display}: ok: filter '{def.Name}', {h}x{w} {Describe(def)}");
            return Task.FromResult(VideoconvApp.Success);
        }
        var config = RunVerb.WithoutUnavailableDisplay(PipelineConfigReader.Read(root, display, Path.GetDirectoryName(full)!), "run would write");
        ConfigValidation.Check(config, args.Flag("overwrite"));
        var output = ConfigValidation.KnownFormat(config) is { } format
            ? $" -> {ConfigValidation.ChainOutput(config.Chain, format, config.RootLocation)}"
            : "";
        Console.Out.WriteLine($"{display}: ok: {RunVerb.DescribeSource(config.Source)}, {config.Chain.Count} filter(s){output}, {config.Sinks.Count} sink(s)");
        return Task.FromResult(VideoconvApp.Success);
    }

    private static string Describe(FilterDefinition def) => def.Mode switch
    {
        FilterMode.GradientMagnitude => "gradient magnitude",
        FilterMode.ChannelMix => $"conv2d layer {def.Layer!.InChannels}->{def.Layer.OutChannels} channels",
        _ when def.PerChannelKernels => "per-channel kernels",
        _ => "kernel",
    };
}
