using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VideoConv.Cli.CommandLine;
using VideoConv.Cli.Config;
using VideoConv.Cli.Verbs;
using VideoConv.Cli.Yaml;
using VideoConv.Pipeline.Specs;

namespace VideoConv.Cli.Batch;

/// <summary>
/// Every work item of a batch, in the same order on every shard: inputs as given (files, folders, globs), long ones
/// split into segments when asked. Each shard builds the whole plan and keeps its own items.
/// </summary>
internal sealed class WorkPlan
{
    /// <summary><c>DIR/.videoconv</c>: reports, locks and segments; hidden, never an input.</summary>
    public const string StateFolderName = ".videoconv";

    public required IReadOnlyList<WorkItem> Items { get; init; }
    public required IReadOnlyList<SegmentedFile> SegmentedFiles { get; init; }
    public required string Digest { get; init; }

    public static string StateFolder(string outDir) => Path.Combine(outDir, StateFolderName);

    internal static WorkPlan Build(PipelineConfig config, IReadOnlyList<string> inputArgs, string outDir, double? segmentSeconds, bool writeCache)
    {
        var inputs = new List<(string Path, string Key)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var arg in inputArgs)
        {
            bool folder = Directory.Exists(arg);
            var root = Path.GetFullPath(arg);
            foreach (var file in InputExpansion.Expand([arg]))
                if (seen.Add(file))
                    inputs.Add((file, folder ? Path.GetRelativePath(root, file).Replace('\\', '/') : Path.GetFileName(file)));
        }
        if (inputs.Count == 0) throw new UsageException("no input files");
        var jobs = BatchJob.Plan(config, inputs.Select(i => i.Path).ToList(), outDir);
        if (segmentSeconds is not null && jobs[0].Config.Sinks.Any(s => s is ImagesSinkSpec))
            throw new UsageException("--segment-seconds joins video files; the config has an images sink");
        if (segmentSeconds is not null && !StreamCopy.Available)
            throw new UsageException("--segment-seconds cuts and joins with ffmpeg and ffprobe, which are not on PATH (apt-get install ffmpeg)");

        var items = new List<WorkItem>();
        var segmented = new List<SegmentedFile>();
        for (int i = 0; i < jobs.Count; i++)
        {
            var (input, key) = inputs[i];
            var job = jobs[i];
            var id = Path.GetFileName(job.Outputs[0]);
            var cuts = segmentSeconds is { } seconds && File.Exists(input) ? CutsFor(input, seconds, outDir, id, writeCache) : null;
            if (cuts is null || cuts.Count < 2)
            {
                items.Add(new WorkItem { Id = id, Key = key, Job = job });
                continue;
            }
            var file = new SegmentedFile { Name = id, Input = input, Folder = SegmentFolder(outDir, id), FinalOutputs = job.Outputs, Cuts = cuts };
            foreach (var cut in cuts)
            {
                var segJob = BatchJob.Plan(config, [file.CutPath(cut.Index)], file.Folder)[0];
                var item = new WorkItem { Id = $"{id}#{cut.Index}", Key = $"{key}#{cut.Index}", Job = segJob, File = file, Cut = cut };
                file.Items.Add(item);
                items.Add(item);
            }
            segmented.Add(file);
        }
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', items.Select(i => i.Id + "\t" + i.Key)))))[..16];
        return new WorkPlan { Items = items, SegmentedFiles = segmented, Digest = digest };
    }

    public static string SegmentFolder(string outDir, string name) => Path.Combine(StateFolder(outDir), "segments", name);

    /// <summary>The cuts of <paramref name="input"/>: from its cached plan when the file is unchanged, else probed (and cached).</summary>
    private static IReadOnlyList<SegmentCut>? CutsFor(string input, double seconds, string outDir, string name, bool writeCache)
    {
        // A file ffprobe cannot read stays one item: its run reports why, and the other inputs go on.
        double? duration;
        try
        {
            duration = StreamCopy.Duration(input);
        }
        catch (StreamCopyException)
        {
            return null;
        }
        if (duration is null || duration < 2 * seconds) return null;
        var info = new FileInfo(input);
        var cache = Path.Combine(SegmentFolder(outDir, name), "plan.json");
        var stamp = new CutCache(info.Length, info.LastWriteTimeUtc.Ticks, seconds, []);
        try
        {
            if (File.Exists(cache) && JsonSerializer.Deserialize(File.ReadAllText(cache), CutCacheJson.Default.CutCache) is { } cached
                && cached.Length == stamp.Length && cached.WriteTicks == stamp.WriteTicks && cached.Seconds == seconds)
                return cached.Cuts;
        }
        catch (JsonException) { /* re-probed below and rewritten */ }
        IReadOnlyList<SegmentCut> cuts;
        try
        {
            var (num, den, packets) = StreamCopy.VideoPackets(input);
            cuts = SegmentCut.Plan(num, den, packets, seconds);
        }
        catch (StreamCopyException)
        {
            return null;
        }
        if (writeCache) AtomicFile.WriteAllText(cache, JsonSerializer.Serialize(stamp with { Cuts = cuts }, CutCacheJson.Default.CutCache));
        return cuts;
    }

    /// <summary>A file's cuts, valid while its length and modification time are unchanged.</summary>
    internal sealed record CutCache(long Length, long WriteTicks, double Seconds, IReadOnlyList<SegmentCut> Cuts);
}
