using System.Globalization;
using Spectre.Console;
using VideoConv.Cli.Batch;
using VideoConv.Cli.CommandLine;
using VideoConv.Cli.Config;
using VideoConv.Cli.Terminal;
using VideoConv.Cli.Yaml;
using VideoConv.Core;
using VideoConv.Pipeline;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Verbs;

/// <summary><c>videoconv batch CONFIG --out DIR INPUT…</c>: one config applied to many files, a few at a time.</summary>
internal static class BatchVerb
{
    public static VerbDefinition Definition { get; } = new(
        "batch",
        "Apply a config to many input files (each replaces the config's source)",
        [new("CONFIG", "Pipeline config whose chain and sinks apply to every input"), new("INPUT", "Video files, folders or globs", Many: true)],
        [
            new("out", "DIR", "Folder for the outputs: DIR/<input name>.<sink extension> (required)"),
            new("jobs", "N", "Inputs processed at once (default: 2 when there are 2 or more cores, else 1)", Alias: "j"),
            new("overwrite", null, "Replace existing outputs"),
            new("progress", null, "Print a progress line every second even when stderr is not a terminal (logs, scripts)"),
            new("shard", "INDEX/COUNT", $"Do only this shard's share (default: ${ShardSpec.IndexVariable}/${ShardSpec.CountVariable} when set); see docs/cluster.md"),
            new("resume", null, "Skip items whose outputs are finished (default when sharded)"),
            new("dry-run", null, "List this shard's work items and exit; writes nothing"),
            new("segment-seconds", "N", "Cut long inputs at keyframes into segments of about N s, each a work item; joined at the end"),
            CommonOptions.Threads,
            CommonOptions.Quiet,
            CommonOptions.Verbose,
        ],
        RunAsync,
        """
        A failed input leaves no output (one that broke mid-stream keeps the frames before the break),
        is listed in the summary with its reason, and does not stop the others; the exit code is 1 when
        any input failed. Display sinks are skipped. In a folder, files that are not videos by their
        extension are skipped with a note. Progress goes to stderr, the summary table to stdout.
        """);

    private static async Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var outDir = args.Value("out") ?? throw new UsageException("--out DIR is required");
        // Two at once pays on two cores: decoding and encoding are largely single-threaded.
        int jobsAtOnce = args.Int("jobs", 1, 64) ?? Math.Clamp(Environment.ProcessorCount, 1, 2);
        bool overwrite = args.Flag("overwrite");
        var config = PipelineConfigReader.ReadFile(args.Argument("CONFIG"));
        var say = Verbosity.From(args);
        var inputs = InputExpansion.Expand(args.Arguments("INPUT"), out var skipped);
        if (skipped.Count > 0)
            say.Say($"videoconv: note: skipped {skipped.Count} file(s) that are not videos: {string.Join(", ", skipped.Take(5).Select(Filters.FilterLibrary.DisplayPath))}{(skipped.Count > 5 ? ", …" : "")}");
        if (inputs.Count == 0) throw new UsageException("no input files" + (skipped.Count > 0 ? " (only files that are not videos)" : ""));
        int? threads = CommonOptions.ThreadsFrom(args, config.Threads);
        var outFull = Path.GetFullPath(outDir);
        ConfigValidation.CheckWritableFolder(outFull, "--out");
        if (File.Exists(outFull)) throw new UsageException($"--out '{outDir}' is a file, not a folder");
        bool progress = args.Flag("progress");
        var sharding = ShardOptions.From(args.Value("shard"), args.Flag("resume"), args.Flag("dry-run"), args.Value("segment-seconds"), overwrite, Environment.GetEnvironmentVariable);
        if (sharding is not null)
        {
            if (!sharding.DryRun) Directory.CreateDirectory(outFull);
            return await ShardedBatch.RunAsync(sharding, config, args.Arguments("INPUT"), outFull, overwrite,
                (list, prepare, finished) => RunJobsAsync(list, jobsAtOnce, overwrite, threads, progress, say, prepare, finished, cancellationToken),
                list => PrintSummary(list, say), cancellationToken);
        }
        Directory.CreateDirectory(outFull);

        var jobs = BatchJob.Plan(config, inputs, outFull);
        await RunJobsAsync(jobs, jobsAtOnce, overwrite, threads, progress, say, null, null, cancellationToken);

        PrintSummary(jobs, say);
        if (cancellationToken.IsCancellationRequested) return VideoconvApp.Interrupted;
        return jobs.All(j => j.Succeeded == true) ? VideoconvApp.Success : VideoconvApp.Failure;
    }

    /// <summary>Runs <paramref name="jobs"/>, <paramref name="jobsAtOnce"/> at a time, with one status line; <paramref name="prepare"/> runs on a job's slot before it, <paramref name="finished"/> after it.</summary>
    private static async Task RunJobsAsync(IReadOnlyList<BatchJob> jobs, int jobsAtOnce, bool overwrite, int? threads, bool progress, Verbosity say,
        Func<BatchJob, CancellationToken, Task>? prepare, Action<BatchJob>? finished, CancellationToken cancellationToken)
    {
        var existed = jobs.SelectMany(j => j.Outputs).Where(o => File.Exists(o) || Directory.Exists(o)).ToHashSet();
        using var gate = new SemaphoreSlim(jobsAtOnce);
        var status = new StatusLine(linesWhenRedirected: progress, quiet: say.Quiet);
        status.StartBatch(jobs.Count);
        await Task.WhenAll(jobs.Select(job => RunOneAsync(job, status, gate, overwrite, threads, existed, prepare, finished, cancellationToken)));
        status.Clear();
    }

    private static async Task RunOneAsync(BatchJob job, StatusLine status, SemaphoreSlim gate, bool overwrite, int? threads, IReadOnlySet<string> existed,
        Func<BatchJob, CancellationToken, Task>? prepare, Action<BatchJob>? finished, CancellationToken ct)
    {
        try
        {
            await gate.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            job.Succeeded = false;
            job.Reason = "cancelled before it started";
            return;
        }
        try
        {
            if (prepare is not null) await prepare(job, ct);
            ConfigValidation.Check(job.Config, overwrite, createOutputFolders: true);
            var options = new PipelineOptions
            {
                Overwrite = overwrite,
                Threads = threads,
                Progress = s => status.Update(job.Label, s),
            };
            await using var pipeline = new VideoPipeline(job.Config.ToSpec(), options);
            var stats = await pipeline.RunAsync(ct);
            job.Stats = stats;
            if (ct.IsCancellationRequested)
            {
                job.Succeeded = false;
                job.Reason = "cancelled";
            }
            else job.Succeeded = true;
        }
        catch (Exception ex)
        {
            job.Succeeded = false;
            job.KeepOutputs = ex is PipelineInputBrokeException;
            job.Reason = ex switch
            {
                ConfigException c => c.Location.Line > 0 ? c.Formatted : c.Message,
                PipelineSpecException p => p.Message,
                PipelineStageException s => VideoconvApp.StageMessage(s),
                FilterDefinitionException f => f.Message,
                _ => ex.Message,
            };
        }
        finally
        {
            // An input that broke mid-stream keeps its finalized outputs (the frames before the break); it still counts as failed.
            if (job.Succeeded != true && !job.KeepOutputs) job.RemoveOutputs(existed);
            status.Finished(job.Label);
            finished?.Invoke(job);
            gate.Release();
        }
    }

    private static void PrintSummary(IReadOnlyList<BatchJob> jobs, Verbosity say)
    {
        int failed = jobs.Count(j => j.Succeeded != true);
        var line = $"{jobs.Count - failed} of {jobs.Count} input(s) done" + (failed > 0 ? $", {failed} failed" : "");
        if (say.Quiet)
        {
            foreach (var job in jobs.Where(j => j.Succeeded != true)) Console.Error.WriteLine($"videoconv: error: {job.Label}: {job.Reason ?? "failed"}");
            if (failed > 0) Console.Error.WriteLine($"videoconv: {line}");
            return;
        }
        // Wide enough when redirected that paths are not cut: each input and each output is named in full.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Input").AddColumn("Result").AddColumn(new TableColumn("Frames").RightAligned())
            .AddColumn(new TableColumn("FPS").RightAligned()).AddColumn(new TableColumn("Time").RightAligned()).AddColumn("Output / reason");
        var ci = CultureInfo.InvariantCulture;
        foreach (var job in jobs)
        {
            bool ok = job.Succeeded == true;
            table.AddRow(
                Markup.Escape(job.Label),
                ok ? "[green]ok[/]" : "[red]failed[/]",
                job.Stats?.FramesOut.ToString(ci) ?? "-",
                job.Stats is { } s ? s.Fps.ToString("0.0", ci) : "-",
                job.Stats is { } t ? t.ElapsedSeconds.ToString("0.0", ci) + " s" : "-",
                Markup.Escape(ok ? string.Join(", ", job.Outputs.Select(Filters.FilterLibrary.DisplayPath)) : job.Reason ?? "failed"));
        }
        AnsiConsole.Write(table);
        if (failed > 0) Console.Error.WriteLine($"videoconv: {line}");
        else Console.Out.WriteLine(line);
    }
}
