using VideoConv.Cli.Batch;
using VideoConv.Cli.CommandLine;
using VideoConv.Cli.Filters;

namespace VideoConv.Cli.Verbs;

/// <summary><c>videoconv join DIR</c>: joins every segmented file of a batch whose segments are all done.</summary>
internal static class JoinVerb
{
    public static VerbDefinition Definition { get; } = new(
        "join",
        "Join the segments of a batch run with --segment-seconds into whole outputs (stream copy, with audio)",
        [new("DIR", "The batch's --out folder")],
        [
            new("overwrite", null, "Join again over outputs older than their segments"),
            new("verbose", null, "Print details (and stack traces) on errors", Alias: "v"),
        ],
        Run,
        """
        Each file's processed segments (DIR/.videoconv/segments/NAME/) are joined by stream copy into the
        output an unsplit run writes, with the input's audio; the last shard of a batch does this itself
        when it finds every segment done. Exit code 1 while any file still waits for segments or failed.
        """);

    private static Task<int> Run(ParsedArguments args, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(args.Argument("DIR"));
        if (!Directory.Exists(dir)) throw new UsageException($"'{args.Argument("DIR")}' is not a folder");
        var specs = JoinSpec.ReadAll(dir);
        if (specs.Count == 0)
        {
            Console.Out.WriteLine("nothing to join (no segmented files)");
            return Task.FromResult(VideoconvApp.Success);
        }
        bool allJoined = true;
        foreach (var (folder, spec) in specs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = SegmentJoin.Join(folder, spec, args.Flag("overwrite"));
            bool ok = result.Status == SegmentJoin.Joined;
            allJoined &= ok;
            var line = $"{result.Status} {spec.Name}: {(ok ? string.Join(", ", spec.FinalOutputs.Select(FilterLibrary.DisplayPath)) : result.Reason)}";
            (ok ? Console.Out : Console.Error).WriteLine(line);
        }
        return Task.FromResult(allJoined ? VideoconvApp.Success : VideoconvApp.Failure);
    }
}
