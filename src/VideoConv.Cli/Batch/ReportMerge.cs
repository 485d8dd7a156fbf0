using System.Text.RegularExpressions;

namespace VideoConv.Cli.Batch;

/// <summary>One shard's line in the merged report.</summary>
public sealed record ShardSummary(int Shard, bool Reported, string? Host, int Runs, int Items, int Done, int Failed, long Frames, double Seconds, bool Finished);

/// <summary>A segmented file: joined, or what it still waits for.</summary>
public sealed record FileSummary(string File, int Segments, int SegmentsDone, bool Joined, IReadOnlyList<string> Outputs);

/// <summary>Every shard's report of one batch merged: <c>videoconv batch-report DIR</c>.</summary>
public sealed record MergedReport(
    int Shards, string? PlanDigest, int TotalItems, int Done, int Failed, int Missing, long Frames, double Seconds,
    IReadOnlyList<ShardSummary> ShardSummaries, IReadOnlyList<ItemReport> Failures, IReadOnlyList<string> MissingItems,
    IReadOnlyList<FileSummary> Files, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes)
{
    /// <summary>Complete: every item done, every segmented file joined, nothing inconsistent.</summary>
    public bool Complete => Failed == 0 && Missing == 0 && Files.All(f => f.Joined) && Problems.Count == 0;
}

/// <summary>Reads <c>DIR/.videoconv/shard-*.json</c> and merges them, checking each finished item's outputs are really there.</summary>
public static partial class ReportMerge
{
    [GeneratedRegex(@"^shard-(\d+)-of-(\d+)\.json$")]
    private static partial Regex ReportName();

    /// <summary>The merged report, or null when <paramref name="outDir"/> holds no shard report.</summary>
    public static MergedReport? Read(string outDir)
    {
        var state = WorkPlan.StateFolder(outDir);
        if (!Directory.Exists(state)) return null;
        var problems = new List<string>();
        var reports = new List<ShardReport>();
        foreach (var path in Directory.EnumerateFiles(state, "shard-*.json").Order(StringComparer.Ordinal))
        {
            if (!ReportName().IsMatch(Path.GetFileName(path))) continue;
            if (ShardReport.TryRead(path) is { } r) reports.Add(r);
            else problems.Add($"{Path.GetFileName(path)}: unreadable");
        }
        if (reports.Count == 0) return null;
        // Reports of an earlier run over other inputs or another shard count may still lie there: the newest run counts.
        var newest = reports.MaxBy(r => r.Updated)!;
        var current = reports.Where(r => r.Shards == newest.Shards && r.PlanDigest == newest.PlanDigest).ToList();
        var merged = Merge(current, newest.Shards, newest.TotalItems, problems);
        return current.Count == reports.Count ? merged
            : merged with { Notes = [$"ignored {reports.Count - current.Count} report(s) of an earlier run (other inputs or shard count)"] };
    }

    public static MergedReport Merge(IReadOnlyList<ShardReport> reports, int shards, int totalItems, List<string> problems)
    {
        var summaries = new List<ShardSummary>();
        var failures = new List<ItemReport>();
        var missing = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int done = 0, listed = 0;
        long frames = 0;
        double seconds = 0;
        var files = new Dictionary<string, (int Segments, int Done, IReadOnlyList<string> Outputs)>(StringComparer.Ordinal);
        for (int s = 0; s < shards; s++)
        {
            var r = reports.FirstOrDefault(x => x.Shard == s);
            if (r is null)
            {
                summaries.Add(new ShardSummary(s, false, null, 0, 0, 0, 0, 0, 0, false));
                continue;
            }
            int shardDone = 0, shardFailed = 0;
            long shardFrames = 0;
            double shardSeconds = 0;
            foreach (var item in r.Items)
            {
                listed++;
                if (seen.TryGetValue(item.Id, out int other)) problems.Add($"{item.Id} is listed by shards {other} and {s}");
                seen[item.Id] = s;
                bool joined = item.FinalOutputs is { } finals && finals.All(File.Exists);
                bool present = item.Outputs.All(o => File.Exists(o) || Directory.Exists(o)) || joined;
                if (item.File is { } name)
                {
                    var f = files.TryGetValue(name, out var known) ? known : (Segments: item.Segments ?? 0, Done: 0, Outputs: item.FinalOutputs ?? []);
                    files[name] = (f.Segments, f.Done + (item.Status == ItemReport.Done && present ? 1 : 0), f.Outputs);
                }
                switch (item.Status)
                {
                    case ItemReport.Done when present:
                        done++;
                        shardDone++;
                        break;
                    case ItemReport.Failed:
                        failures.Add(item);
                        shardFailed++;
                        break;
                    default:
                        missing.Add(item.Status == ItemReport.Done ? $"{item.Id} (reported done, but its output is gone)" : $"{item.Id} ({item.Status})");
                        break;
                }
                shardFrames += item.Frames ?? 0;
                shardSeconds += item.Seconds ?? 0;
            }
            frames += shardFrames;
            seconds += shardSeconds;
            summaries.Add(new ShardSummary(s, true, r.Host, r.Runs, r.Items.Count, shardDone, shardFailed, shardFrames, Math.Round(shardSeconds, 3), r.Finished is not null));
        }
        foreach (var s in summaries.Where(s => !s.Reported)) missing.Add($"shard {s.Shard} has not reported");
        int unlisted = Math.Max(0, totalItems - listed);
        var fileSummaries = files.Select(kv => new FileSummary(kv.Key, kv.Value.Segments, kv.Value.Done, kv.Value.Outputs.Count > 0 && kv.Value.Outputs.All(File.Exists), kv.Value.Outputs))
            .OrderBy(f => f.File, StringComparer.Ordinal).ToList();
        return new MergedReport(shards, reports.FirstOrDefault()?.PlanDigest, totalItems, done, failures.Count, totalItems - done - failures.Count,
            frames, Math.Round(seconds, 3), summaries, failures, missing.Concat(unlisted > 0 ? [$"{unlisted} item(s) of unreported shards"] : []).ToList(), fileSummaries, problems, []);
    }
}
