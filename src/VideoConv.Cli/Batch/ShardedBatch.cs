using VideoConv.Pipeline.Sinks;
using System.Globalization;
using VideoConv.Cli.CommandLine;
using VideoConv.Cli.Config;
using VideoConv.Cli.Verbs;

namespace VideoConv.Cli.Batch;

/// <summary>
/// Runs one shard of a batch: its own work items (resumed when asked), cutting segments just before they run,
/// a report rewritten after every item, and the joins of every segmented file whose segments are all done.
/// </summary>
internal sealed class ShardedBatch
{
    /// <summary>Runs jobs with the batch's progress display; the callbacks come before each job (on its slot) and after it.</summary>
    public delegate Task JobRunner(IReadOnlyList<BatchJob> jobs, Func<BatchJob, CancellationToken, Task> prepare, Action<BatchJob> finished);

    private readonly ShardOptions _options;
    private readonly string _outDir;
    private readonly bool _overwrite;
    private readonly object _gate = new();
    private ShardReport _report = null!;
    private string _reportPath = "";

    private ShardedBatch(ShardOptions options, string outDir, bool overwrite) => (_options, _outDir, _overwrite) = (options, outDir, overwrite);

    public static async Task<int> RunAsync(ShardOptions options, PipelineConfig config, IReadOnlyList<string> inputArgs, string outDir, bool overwrite,
        JobRunner runJobs, Action<IReadOnlyList<BatchJob>> printSummary, CancellationToken cancellationToken)
    {
        var plan = WorkPlan.Build(config, inputArgs, outDir, options.SegmentSeconds, writeCache: !options.DryRun);
        var mine = plan.Items.Where(i => options.Shard.Owns(i.Key)).ToList();
        if (options.DryRun)
        {
            PrintPlan(options, plan, mine);
            return VideoconvApp.Success;
        }
        var state = WorkPlan.StateFolder(outDir);
        Directory.CreateDirectory(state);
        FileStream shardLock;
        try
        {
            shardLock = new FileStream(Path.Combine(state, $"shard-{options.Shard.Index}-of-{options.Shard.Count}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            Console.Error.WriteLine($"videoconv batch: error: shard {options.Shard} is already running on '{outDir}'");
            return VideoconvApp.Failure;
        }
        using var _ = shardLock;
        foreach (var file in plan.SegmentedFiles)
        {
            var path = Path.Combine(file.Folder, JoinSpec.FileName);
            var text = System.Text.Json.JsonSerializer.Serialize(JoinSpec.For(file), BatchJson.Default.JoinSpec);
            if (!File.Exists(path) || File.ReadAllText(path) != text) AtomicFile.WriteAllText(path, text);
        }
        var run = new ShardedBatch(options, outDir, overwrite);
        return await run.RunAsync(plan, mine, runJobs, printSummary, cancellationToken);
    }

    private async Task<int> RunAsync(WorkPlan plan, List<WorkItem> mine, JobRunner runJobs, Action<IReadOnlyList<BatchJob>> printSummary, CancellationToken ct)
    {
        _reportPath = ShardReport.PathFor(_outDir, _options.Shard);
        var previous = ShardReport.TryRead(_reportPath);
        if (previous is not null && previous.PlanDigest != plan.Digest)
        {
            Console.Error.WriteLine($"videoconv batch: shard {_options.Shard}: the work items changed since its last run; its report starts afresh");
            previous = null;
        }
        var earlier = previous?.Items.ToDictionary(i => i.Id) ?? [];
        _report = new ShardReport
        {
            Shard = _options.Shard.Index, Shards = _options.Shard.Count, PlanDigest = plan.Digest, TotalItems = plan.Items.Count,
            Started = previous?.Started ?? DateTimeOffset.UtcNow, Runs = (previous?.Runs ?? 0) + 1,
        };
        var byJob = new Dictionary<BatchJob, (WorkItem Item, ItemReport Report)>();
        var toRun = new List<BatchJob>();
        foreach (var item in mine)
        {
            earlier.TryGetValue(item.Id, out var before);
            var entry = NewEntry(item, before);
            _report.Items.Add(entry);
            if (_options.Resume && item.IsDone)
            {
                // Finished before (outputs appear only when complete): kept as it was, failure included (an input that broke mid-stream).
                if (before?.Status is not (ItemReport.Done or ItemReport.Failed)) entry.Status = ItemReport.Done;
                entry.Resumed = true;
                continue;
            }
            if (!_overwrite && item.File is { } file && file.FinalOutputs.FirstOrDefault(File.Exists) is { } exists)
            {
                entry.Status = ItemReport.Failed;
                entry.Reason = $"'{exists}' exists (give --overwrite to replace it, or --resume to keep it)";
                continue;
            }
            RemoveStalePartials(item);
            entry.Status = ItemReport.Pending;
            entry.Resumed = false;
            byJob[item.Job] = (item, entry);
            toRun.Add(item.Job);
        }
        Save();
        if (toRun.Count > 0) await runJobs(toRun, (job, token) => PrepareAsync(byJob[job], token), job => Finished(byJob[job]));
        if (!ct.IsCancellationRequested) JoinReady(plan);
        lock (_gate)
        {
            _report.Finished = DateTimeOffset.UtcNow;
            Save();
        }
        if (toRun.Count > 0) printSummary(toRun);
        int failed = _report.Items.Count(i => i.Status != ItemReport.Done), resumed = _report.Items.Count(i => i.Resumed);
        int joinFailed = _report.Joins.Count(j => j.Status == SegmentJoin.Failed);
        Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "shard {0}: {1} of {2} item(s) done ({3} earlier), {4} not done; {5} file(s) joined; report {6}",
            _options.Shard, _report.Items.Count - failed, _report.Items.Count, resumed, failed, _report.Joins.Count(j => j.Status == SegmentJoin.Joined), Filters.FilterLibrary.DisplayPath(_reportPath)));
        foreach (var j in _report.Joins.Where(j => j.Status == SegmentJoin.Failed)) Console.Error.WriteLine($"videoconv batch: error: joining {j.File}: {j.Reason}");
        if (ct.IsCancellationRequested) return VideoconvApp.Interrupted;
        return failed == 0 && joinFailed == 0 ? VideoconvApp.Success : VideoconvApp.Failure;
    }

    private static ItemReport NewEntry(WorkItem item, ItemReport? before) => new()
    {
        Id = item.Id, Key = item.Key, Input = item.Input, Outputs = item.Outputs,
        File = item.File?.Name, FinalOutputs = item.File?.FinalOutputs, Segment = item.Cut?.Index, Segments = item.File?.Cuts.Count,
        StartSeconds = item.Cut?.StartSeconds, EndSeconds = item.Cut?.EndSeconds,
        Status = before?.Status ?? ItemReport.Pending, Attempts = before?.Attempts ?? 0, Frames = before?.Frames, Seconds = before?.Seconds, Fps = before?.Fps, Reason = before?.Reason,
    };

    /// <summary>Partial files of this item's outputs left by a killed earlier attempt (only this shard writes them; it holds the shard lock).</summary>
    private static void RemoveStalePartials(WorkItem item)
    {
        var outputs = item.Outputs.AsEnumerable();
        if (item.File is { } file) outputs = outputs.Append(file.CutPath(item.Cut!.Index));
        foreach (var output in outputs) PartialFiles.RemoveStale(output);   // only those whose writer is gone (their lock is free)
    }

    private Task PrepareAsync((WorkItem Item, ItemReport Report) work, CancellationToken ct)
    {
        var (item, entry) = work;
        lock (_gate)
        {
            entry.Status = ItemReport.Running;
            entry.Attempts++;
            entry.Reason = null;
            Save();
        }
        if (item.File is not { } file || item.Cut is not { } cut) return Task.CompletedTask;
        var target = file.CutPath(cut.Index);
        if (File.Exists(target)) return Task.CompletedTask;
        return Task.Run(() => CutSegment(file, cut, target), ct);
    }

    /// <summary>Cuts one segment out of its input by stream copy and checks it holds exactly the planned packets.</summary>
    private static void CutSegment(SegmentedFile file, SegmentCut cut, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string? why = null;
        foreach (var seek in new[] { cut.SeekSeconds, cut.SeekLateSeconds }.Distinct())
        {
            var temp = PartialFiles.Create(target);
            try
            {
                StreamCopy.Cut(file.Input, seek, cut.Packets, temp);
                var (_, _, packets) = StreamCopy.VideoPackets(temp);
                if (packets.Count == cut.Packets && SegmentCut.Digest(packets, 0, packets.Count) == cut.SizesDigest)
                {
                    PartialFiles.Commit(temp, target, overwrite: false);
                    return;
                }
                why = $"the cut holds {packets.Count} packets, not the {cut.Packets} planned";
            }
            finally
            {
                PartialFiles.Discard(temp);
            }
        }
        throw new StreamCopyException($"{file.Input}: segment {cut.Index} cannot be cut exactly at its keyframe ({why}); run it without --segment-seconds");
    }

    private void Finished((WorkItem Item, ItemReport Report) work)
    {
        var (item, entry) = work;
        var job = item.Job;
        lock (_gate)
        {
            entry.Status = job.Succeeded == true ? ItemReport.Done : ItemReport.Failed;
            entry.Reason = job.Succeeded == true ? null : job.Reason;
            entry.Frames = job.Stats?.FramesOut;
            entry.Seconds = job.Stats is { } s ? Math.Round(s.ElapsedSeconds, 3) : null;
            entry.Fps = job.Stats is { } t ? Math.Round(t.Fps, 2) : null;
            Save();
        }
        // The cut is only the input of this segment: gone once its output is in place.
        if (job.Succeeded == true && item.File is { } file && File.Exists(file.CutPath(item.Cut!.Index))) File.Delete(file.CutPath(item.Cut.Index));
    }

    /// <summary>Joins every segmented file of the batch whose segments are all done (whichever shard finishes last does it).</summary>
    private void JoinReady(WorkPlan plan)
    {
        foreach (var file in plan.SegmentedFiles)
        {
            var result = SegmentJoin.Join(file.Folder, JoinSpec.For(file), _overwrite);
            if (result.Status == SegmentJoin.Waiting && !_report.Items.Any(i => i.File == file.Name)) continue;
            lock (_gate) _report.Joins.Add(result);
        }
    }

    /// <summary><c>--dry-run</c>: what this shard would do, one line per item; nothing is written.</summary>
    private static void PrintPlan(ShardOptions options, WorkPlan plan, List<WorkItem> mine)
    {
        var o = Console.Out;
        var ci = CultureInfo.InvariantCulture;
        o.WriteLine($"shard {options.Shard}: {mine.Count} of {plan.Items.Count} work item(s), plan {plan.Digest}{(options.Resume ? ", resuming" : "")}");
        foreach (var item in mine)
        {
            var what = options.Resume && item.IsDone ? "skip (done)" : "run";
            var target = item.File is { } f
                ? string.Format(ci, "segment {0}/{1} [{2:0.###}-{3:0.###} s] of {4} -> {5}", item.Cut!.Index + 1, f.Cuts.Count, item.Cut.StartSeconds, item.Cut.EndSeconds,
                    Filters.FilterLibrary.DisplayPath(item.Input), string.Join(", ", f.FinalOutputs.Select(Filters.FilterLibrary.DisplayPath)))
                : $"{Filters.FilterLibrary.DisplayPath(item.Input)} -> {string.Join(", ", item.Outputs.Select(Filters.FilterLibrary.DisplayPath))}";
            o.WriteLine($"  {what,-11} {item.Id}: {target}");
        }
    }

    private void Save() => _report.Write(_reportPath);
}
