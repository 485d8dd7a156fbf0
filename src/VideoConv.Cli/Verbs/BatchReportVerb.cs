using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VideoConv.Cli.Batch;
using VideoConv.Cli.CommandLine;

namespace VideoConv.Cli.Verbs;

/// <summary><c>videoconv batch-report DIR</c>: the shards' reports merged; non-zero when any item failed or is missing.</summary>
internal static class BatchReportVerb
{
    public static VerbDefinition Definition { get; } = new(
        "batch-report",
        "Merge the reports of a sharded batch (DIR/.videoconv/shard-*.json) into one summary",
        [new("DIR", "The batch's --out folder")],
        [
            new("json", null, "Print the merged report as JSON on stdout"),
            new("verbose", null, "Print details (and stack traces) on errors", Alias: "v"),
        ],
        Run,
        """
        Exit code 0 when every work item of every shard is done and every segmented file is joined, 1 when
        any failed or is missing (a shard that has not reported, an item not finished, a file not joined).
        """);

    private static Task<int> Run(ParsedArguments args, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(args.Argument("DIR"));
        if (!Directory.Exists(dir)) throw new UsageException($"'{args.Argument("DIR")}' is not a folder");
        var merged = ReportMerge.Read(dir);
        if (merged is null)
        {
            Console.Error.WriteLine($"videoconv batch-report: error: no shard reports in '{Path.Combine(args.Argument("DIR"), WorkPlan.StateFolderName)}'");
            return Task.FromResult(VideoconvApp.Failure);
        }
        if (args.Flag("json")) Console.Out.WriteLine(JsonSerializer.Serialize(merged, BatchJson.Default.MergedReport));
        else Print(merged);
        return Task.FromResult(merged.Complete ? VideoconvApp.Success : VideoconvApp.Failure);
    }

    private static void Print(MergedReport m)
    {
        var ci = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Shard").AddColumn("Host").AddColumn(new TableColumn("Runs").RightAligned())
            .AddColumn(new TableColumn("Items").RightAligned()).AddColumn(new TableColumn("Done").RightAligned()).AddColumn(new TableColumn("Failed").RightAligned())
            .AddColumn(new TableColumn("Frames").RightAligned()).AddColumn(new TableColumn("Time").RightAligned()).AddColumn("State");
        foreach (var s in m.ShardSummaries)
            table.AddRow(s.Shard.ToString(ci), Markup.Escape(s.Host ?? "-"), s.Runs.ToString(ci), s.Items.ToString(ci), s.Done.ToString(ci), s.Failed.ToString(ci),
                s.Frames.ToString(ci), s.Seconds.ToString("0.0", ci) + " s", !s.Reported ? "[red]no report[/]" : s.Finished ? "finished" : "[yellow]unfinished[/]");
        AnsiConsole.Write(table);
        foreach (var f in m.Files)
            Console.Out.WriteLine($"{f.File}: {f.SegmentsDone} of {f.Segments} segments done, {(f.Joined ? "joined" : "not joined (videoconv join DIR)")}");
        foreach (var f in m.Failures) Console.Error.WriteLine($"failed: {f.Id}: {f.Reason}");
        foreach (var x in m.MissingItems) Console.Error.WriteLine($"missing: {x}");
        foreach (var p in m.Problems) Console.Error.WriteLine($"problem: {p}");
        foreach (var n in m.Notes) Console.Error.WriteLine($"note: {n}");
        var line = string.Format(ci, "{0} of {1} item(s) done, {2} failed, {3} missing; {4} frames in {5:0.0} s of work over {6} shard(s)",
            m.Done, m.TotalItems, m.Failed, m.Missing, m.Frames, m.Seconds, m.Shards);
        (m.Complete ? Console.Out : Console.Error).WriteLine(m.Complete ? line : "videoconv batch-report: " + line);
    }
}
