using VideoConv.Cli.CommandLine;
using VideoConv.Cli.Config;
using VideoConv.Cli.Imaging;
using VideoConv.Core.Convolution;
using VideoConv.Core.Imaging;
using VideoConv.Pipeline.Files;

namespace VideoConv.Cli.Verbs;

/// <summary><c>videoconv image IN OUT --filter …</c>: runs a filter chain on one still image.</summary>
internal static class ImageVerb
{
    public static VerbDefinition Definition { get; } = new(
        "image",
        "Filter one image (PNG, PGM, JPEG, … or a .txt/.csv matrix of 0..255)",
        [new("IN", "Input image; .txt/.csv is a grey matrix, one row per line"), new("OUT", "Output image; the type follows the extension")],
        [
            new("filter", "NAME|FILE.yaml|{YAML}", "A built-in filter, a filter file, or an inline filter mapping", Repeatable: true, Alias: "f",
                Completions: () => Filters.FilterLibrary.BuiltinNames),
            new("overwrite", null, "Replace an existing output image (never the input)"),
            new("verbose", null, "Print details (and stack traces) on errors", Alias: "v"),
        ],
        RunAsync,
        """
        Filters apply in the order given. A grey image stays grey; 16-bit images are scaled to 8-bit,
        float images are refused. Example (the founding conv2d example, stride 2, zero padding 1):
          videoconv image in.txt out.txt --filter '{kernel: [[1,2,1],[0,1,0],[2,1,0]], stride: 2, padding: 1}'
        """);

    private static Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        string input = args.Argument("IN"), output = args.Argument("OUT");
        var steps = FilterArguments.Read(args.Values("filter"));
        bool overwrite = args.Flag("overwrite");
        ImageFiles.CheckWritable(output);
        // The output rule of every verb: never the input (by identity), an existing file only with --overwrite.
        var inputs = new List<string> { input };
        inputs.AddRange(steps.Select(step => step.Location.File).Where(File.Exists));
        OutputPaths.Check(output, overwrite, inputs);
        var src = ImageFiles.Read(input, note => Console.Error.WriteLine($"videoconv: note: {note}"));
        ConfigValidation.ChainOutput(steps, src.Format, SourceLocation.CommandLine("--filter"));
        var chain = new FilterChain(steps.Select(s => s.Definition).ToList(), src.Format);
        var dst = new Image(chain.Output);
        chain.Apply(src, dst);
        ImageFiles.Write(dst, output, overwrite);
        if (args.Flag("verbose"))
            Console.Error.WriteLine($"{input} {src.Format} -> {output} {dst.Format} via {chain.Path}");
        return Task.FromResult(VideoconvApp.Success);
    }
}
