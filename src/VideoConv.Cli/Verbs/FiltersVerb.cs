using System.Globalization;
using Spectre.Console;
using VideoConv.Cli.CommandLine;
using VideoConv.Cli.Filters;
using VideoConv.Cli.Yaml;
using VideoConv.Core.Filters;
using VideoConv.Core.Kernels;

namespace VideoConv.Cli.Verbs;

/// <summary><c>videoconv filters [NAME]</c>: the built-in filter library.</summary>
internal static class FiltersVerb
{
    public static VerbDefinition Definition { get; } = new(
        "filters",
        "List the built-in filters, or print one's YAML",
        [new("NAME", "Print this built-in filter's file", Optional: true, Completions: () => FilterLibrary.BuiltinNames)],
        [new("verbose", null, "Print details (and stack traces) on errors", Alias: "v")],
        RunAsync);

    private static Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var name = args.Arguments("NAME").FirstOrDefault();
        if (name is not null)
        {
            var text = FilterLibrary.BuiltinText(name)
                ?? throw new UsageException($"unknown filter '{name}'{NameSuggestions.Hint(name, FilterLibrary.BuiltinNames)}");
            Console.Out.Write(text);
            return Task.FromResult(VideoconvApp.Success);
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Name").AddColumn("Description").AddColumn("Size").AddColumn("Kernel");
        foreach (var builtin in FilterLibrary.BuiltinNames)
        {
            var def = FilterLibrary.Load(builtin, Environment.CurrentDirectory, SourceLocation.CommandLine(builtin));
            var (h, w) = def.KernelSize;
            table.AddRow(Markup.Escape(builtin), Markup.Escape(def.Description), $"{h}x{w}", Markup.Escape(Preview(def)));
        }
        AnsiConsole.Write(table);
        return Task.FromResult(VideoconvApp.Success);
    }

    /// <summary>A short text picture of the weights: small kernels in full, large ones by size.</summary>
    public static string Preview(FilterDefinition def) => def.Mode switch
    {
        FilterMode.GradientMagnitude => $"|({Matrix(def.Kernels[0])}, {Matrix(def.Kernels[1])})|",
        FilterMode.ChannelMix => $"conv2d {def.Layer!.InChannels}->{def.Layer.OutChannels}",
        _ when def.PerChannelKernels => string.Join(" ; ", def.Kernels.Select(Matrix)),
        _ => Matrix(def.Kernels[0]),
    };

    private static string Matrix(Kernel k)
    {
        if (k.Height > 3 || k.Width > 5) return k.TrySeparate(out _, out _) ? $"{k.Height}x{k.Width} separable" : $"{k.Height}x{k.Width}";
        var rows = Enumerable.Range(0, k.Height).Select(y =>
            string.Join(' ', Enumerable.Range(0, k.Width).Select(x => k[y, x].ToString("0.###", CultureInfo.InvariantCulture))));
        return "[" + string.Join(" / ", rows) + "]";
    }
}
