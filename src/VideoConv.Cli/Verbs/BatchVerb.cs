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
            new("shard", "INDEX/COUNT", $"Do only this shard's share (default: ${ShardSpec.IndexVariable}/${ShardSpec.CountVariable} when set); see docs/cluster.md"),
            new("resume", null, "Skip items whose outputs are finished (default when sharded)"),
            new("dry-run", null, "List this shard's work items and exit; writes nothing"),
            new("segment-seconds", "N", "Cut long inputs at keyframes into segments of about N s, each a work item; joined at the end"),
            new("verbose", null, "Print details (and stack traces) on errors", Alias: "v"),
        ],
        RunAsync,
        """
        A failed input leaves no output (one that broke mid-stream keeps the frames before the break),
        is listed in the summary with its reason, and does not stop the others; the exit code is 1 when
        any input failed. Display sinks are skipped.
        """);

    private static async Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken)
    {
        var outDir = args.Value("out") ?? throw new UsageException("--out DIR is required");
        // Two at once pays on two cores: decoding and encoding are largely single-threaded.
        int jobsAtOnce = args.Int("jobs", 1, 64) ?? Math.Clamp(Environment.ProcessorCount, 1, 2);
        bool overwrite = args.Flag("overwrite");
        var config = PipelineConfigReader.ReadFile(args.Argument("CONFIG"));
        var inputs = InputExpansion.Expand(args.Arguments("INPUT"));
        if (inputs.Count == 0) throw new UsageException("no input files");
        var outFull = Path.GetFullPath(outDir);
        PreflightCheck.CheckWritableFolder(outFull, SourceLocation.CommandLine("--out"));
        if (File.Exists(outFull)) throw new UsageException($"--out '{outDir}' is a file, not a folder");
        var sharding = ShardOptions.From(args.Value("shard"), args.Flag("resume"), args.Flag("dry-run"), args.Value("segment-seconds"), overwrite, Environment.GetEnvironmentVariable);
        if (sharding is not null)
        {
            if (!sharding.DryRun) Directory.CreateDirectory(outFull);
            return await ShardedBatch.RunAsync(sharding, config, args.Arguments("INPUT"), outFull, overwrite,
                (list, prepare, finished) => RunJobsAsync(list, jobsAtOnce, overwrite, prepare, finished, cancellationToken), PrintSummary, cancellationToken);
        }
        Directory.CreateDirectory(outFull);

        var jobs = BatchJob.Plan(config, inputs, outFull);
        await RunJobsAsync(jobs, jobsAtOnce, overwrite, null, null, cancellationToken);

        PrintSummary(jobs);
        if (cancellationToken.IsCancellationRequested) return VideoconvApp.Interrupted;
        return jobs.All(j => j.Succeeded == true) ? VideoconvApp.Success : VideoconvApp.Failure;
    }

    /// <summary>Runs <paramref name="jobs"/>, <paramref name="jobsAtOnce"/> at a time, with one progress bar each; <paramref name="prepare"/> runs on a job's slot before it, <paramref name="finished"/> after it.</summary>
    private static async Task RunJobsAsync(IReadOnlyList<BatchJob> jobs, int jobsAtOnce, bool overwrite, Func<BatchJob, CancellationToken, Task>? prepare, Action<BatchJob>? finished, CancellationToken cancellationToken)
    {
        var existed = jobs.SelectMany(j => j.Outputs).Where(o => File.Exists(o) || Directory.Exists(o)).ToHashSet();
        using var gate = new SemaphoreSlim(jobsAtOnce);

        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = jobs.Select(job =>
                {
                    var task = ctx.AddTask(Markup.Escape(job.Name), autoStart: false, maxValue: 1);
                    return RunOneAsync(job, task, gate, overwrite, existed, prepare, finished, cancellationToken);
                }).ToList();
                await Task.WhenAll(tasks);
            });
    }

    private static async Task RunOneAsync(BatchJob job, ProgressTask task, SemaphoreSlim gate, bool overwrite, IReadOnlySet<string> existed,
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
            task.StartTask();
            if (prepare is not null) await prepare(job, ct);
            PreflightCheck.Run(job.Config, overwrite, createOutputFolders: true);
            var options = new PipelineOptions
            {
                Overwrite = overwrite,
                Progress = s => Report(task, job, s),
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
            task.Value = task.MaxValue;
            task.Description = Markup.Escape(job.Name) + (job.Succeeded == true ? " [green]done[/]" : " [red]failed[/]");
            task.StopTask();
            finished?.Invoke(job);
            gate.Release();
        }
    }

    private static void Report(ProgressTask task, BatchJob job, PipelineStats s)
    {
        if (s.TotalFrames is > 0)
        {
            task.MaxValue = s.TotalFrames.Value;
            task.Value = Math.Min(s.FramesIn, s.TotalFrames.Value);
        }
        else task.IsIndeterminate = true;
        task.Description = string.Format(CultureInfo.InvariantCulture, "{0} {1} frames {2:0.0} fps", Markup.Escape(job.Name), s.FramesOut, s.Fps);
    }

    private static void PrintSummary(IReadOnlyList<BatchJob> jobs)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Input").AddColumn("Result").AddColumn(new TableColumn("Frames").RightAligned())
            .AddColumn(new TableColumn("FPS").RightAligned()).AddColumn(new TableColumn("Time").RightAligned()).AddColumn("Output / reason");
        var ci = CultureInfo.InvariantCulture;
        foreach (var job in jobs)
        {
            bool ok = job.Succeeded == true;
            table.AddRow(
                Markup.Escape(job.Name),
                ok ? "[green]ok[/]" : "[red]failed[/]",
                job.Stats?.FramesOut.ToString(ci) ?? "-",
                job.Stats is { } s ? s.Fps.ToString("0.0", ci) : "-",
                job.Stats is { } t ? t.ElapsedSeconds.ToString("0.0", ci) + " s" : "-",
                Markup.Escape(ok ? string.Join(", ", job.Outputs.Select(Filters.FilterLibrary.DisplayPath)) : job.Reason ?? "failed"));
        }
        AnsiConsole.Write(table);
        int failed = jobs.Count(j => j.Succeeded != true);
        var line = $"{jobs.Count - failed} of {jobs.Count} input(s) done" + (failed > 0 ? $", {failed} failed" : "");
        if (failed > 0) Console.Error.WriteLine($"videoconv: {line}");
        else Console.Out.WriteLine(line);
    }
}
