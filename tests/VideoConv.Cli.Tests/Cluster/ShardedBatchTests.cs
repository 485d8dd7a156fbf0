using System.Text.Json;
using VideoConv.Cli.Batch;
using VideoConv.Cli.Tests.Reliability;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Cluster;

/// <summary>
/// A cluster simulated with real processes: <c>videoconv batch</c> shards started concurrently with
/// <c>JOB_COMPLETION_INDEX</c> set as Kubernetes sets it, over real H.264+AAC clips; a shard killed with SIGKILL
/// mid-file and rerun; a long file cut into segments, joined, and compared with the unsplit run.
/// </summary>
public sealed class ShardedBatchTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string?> ShardEnv(int index, int count) =>
        new() { [ShardSpec.IndexVariable] = index.ToString(), [ShardSpec.CountVariable] = count.ToString() };

    private static List<ShardReport> Reports(string outDir) =>
        Directory.EnumerateFiles(Path.Combine(outDir, ".videoconv"), "shard-*.json").Select(p => ShardReport.TryRead(p)!).ToList();

    private static IEnumerable<string> Partials(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f).Contains(".partial", StringComparison.Ordinal));

    [RequiresFfmpegFact]
    public void ThreeShards_OneKilledMidFileAndRerun_EveryItemDoneOnceAndTheSegmentedFileEqualsTheUnsplitRun()
    {
        var config = _dir.Write("job.yaml", ClusterClips.Config);
        var inDir = _dir.Combine("in");
        Directory.CreateDirectory(inDir);
        // Two clips that the partition gives shard 1 (the one to be killed in its second), two for the others,
        // and a long one cut into three segments.
        var names = Enumerable.Range(0, 300).Select(i => $"take{i:D3}.mp4").ToList();
        var clipNames = names.Where(n => ShardSpec.Of(n, 3) == 1).Take(2).Concat(names.Where(n => ShardSpec.Of(n, 3) != 1).Take(2)).ToList();
        var clips = clipNames.Select((n, i) => ClusterClips.Make(Path.Combine(inDir, n), 2, 300 + 40 * i)).ToList();
        var longClip = ClusterClips.Make(Path.Combine(inDir, "long.mp4"), 6);
        var outDir = _dir.Combine("out");
        string[] args = ["batch", config, "--out", outDir, inDir, "--segment-seconds", "2", "--jobs", "1"];
        var report1 = ShardReport.PathFor(outDir, new ShardSpec(1, 3));

        ItemReport killedItem;
        using (var reference = new ClusterClips.Shard(_dir.Path, new Dictionary<string, string?>(), "batch", config, "--out", _dir.Combine("ref"), longClip))
        {
            var shards = Enumerable.Range(0, 3).Select(i => new ClusterClips.Shard(_dir.Path, ShardEnv(i, 3), args)).ToList();
            killedItem = KillWhileWriting(shards[1], report1, outDir);
            foreach (var shard in shards.Where((_, i) => i != 1))
            {
                var result = shard.Wait();
                Assert.True(result.ExitCode == 0, result.ToString());
            }
            shards.ForEach(s => s.Dispose());
            var refResult = reference.Wait();
            Assert.True(refResult.ExitCode == 0, refResult.ToString());
        }
        Assert.False(File.Exists(killedItem.Outputs[0]));
        Assert.NotEmpty(Partials(outDir));   // what SIGKILL leaves: the killed file's hidden partial
        var unfinished = VideoconvProcess.Run(_dir.Path, "batch-report", outDir);
        Assert.Equal(1, unfinished.ExitCode);
        Assert.Contains($"missing: {killedItem.Id} (running)", unfinished.StdErr);

        // Kubernetes retries the index: the same command line, the same JOB_COMPLETION_INDEX.
        var rerun = VideoconvProcess.Run(_dir.Path, ShardEnv(1, 3), args);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());

        // Every work item (4 clips, 3 segments of the long one) done exactly once, by the shard its key names.
        var items = Reports(outDir).SelectMany(r => r.Items.Select(i => (r.Shard, Item: i))).ToList();
        var expected = clipNames.Select(n => Path.GetFileNameWithoutExtension(n) + ".mkv").Concat(["long.mkv#0", "long.mkv#1", "long.mkv#2"]).Order().ToList();
        Assert.Equal(expected, items.Select(i => i.Item.Id).Order());
        Assert.All(items, i => Assert.Equal(ItemReport.Done, i.Item.Status));
        Assert.All(items, i => Assert.Equal(i.Shard, ShardSpec.Of(i.Item.Key, 3)));
        Assert.All(items, i => Assert.Equal(i.Item.Id == killedItem.Id ? 2 : 1, i.Item.Attempts));
        Assert.Contains(items, i => i.Shard == 1 && i.Item.Resumed);   // finished before the kill: not redone
        Assert.Empty(Partials(outDir));
        foreach (var clip in clips) Assert.Equal(60, SystemFfmpeg.CountFrames(Path.Combine(outDir, Path.GetFileNameWithoutExtension(clip) + ".mkv")));

        // The joined file is the unsplit run's: the same decoded frames with the same timestamps, and the same duration.
        var joined = Path.Combine(outDir, "long.mkv");
        var unsplit = _dir.Combine("ref", "long.mkv");
        var frames = ClusterClips.FrameMd5(joined);
        Assert.Equal(180, frames.Count);
        Assert.Equal(ClusterClips.FrameMd5(unsplit), frames);
        var (unsplitPackets, unsplitDuration) = ClusterClips.Timing(unsplit);
        var (joinedPackets, joinedDuration) = ClusterClips.Timing(joined);
        // Packet times to the Matroska tick (1 ms): a joined packet's time is rounded twice (in its segment, then moved by
        // the segment's start), the unsplit one once, so the two may differ by one tick at a segment's start. The decoded
        // frames' times above are equal exactly.
        Assert.Equal(unsplitPackets.Count, joinedPackets.Count);
        for (int i = 0; i < unsplitPackets.Count; i++)
        {
            var (u, j) = (unsplitPackets[i].Split(','), joinedPackets[i].Split(','));
            Assert.True(Math.Abs(long.Parse(u[0]) - long.Parse(j[0])) <= 1 && u[1] == j[1], $"packet {i}: unsplit {unsplitPackets[i]}, joined {joinedPackets[i]}");
        }
        Assert.Equal(unsplitDuration, joinedDuration);
        // Its audio is the input's, packet for packet (copied whole: segments are cut without audio).
        var audio = ClusterClips.AudioPacketMd5(joined);
        Assert.NotEmpty(audio);
        Assert.Equal(ClusterClips.AudioPacketMd5(longClip), audio);
        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("out", ".videoconv", "segments", "long.mkv"), "seg-*"));

        var report = VideoconvProcess.Run(_dir.Path, "batch-report", outDir, "--json");
        Assert.True(report.ExitCode == 0, report.ToString());
        using var json = JsonDocument.Parse(report.StdOut);
        var root = json.RootElement;
        Assert.Equal(7, root.GetProperty("total_items").GetInt32());
        Assert.Equal(7, root.GetProperty("done").GetInt32());
        Assert.Equal(0, root.GetProperty("failed").GetInt32() + root.GetProperty("missing").GetInt32());
        Assert.Equal(4 * 60 + 180, root.GetProperty("frames").GetInt64());
        Assert.True(root.GetProperty("files")[0].GetProperty("joined").GetBoolean());
    }

    /// <summary>SIGKILLs <paramref name="shard"/> (no cleanup at all) while it writes a file, after it finished one; returns that item.</summary>
    private static ItemReport KillWhileWriting(ClusterClips.Shard shard, string reportPath, string outDir)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!shard.Process.HasExited && DateTime.UtcNow < deadline)
        {
            var seen = ShardReport.TryRead(reportPath);
            if (seen is not null && seen.Items.Any(i => i.Status == ItemReport.Done) && seen.Items.FirstOrDefault(i => i.Status == ItemReport.Running) is { } running
                && running.Outputs.SelectMany(VideoConv.Pipeline.Sinks.PartialFiles.Find).Any())
            {
                shard.Process.Kill();
                shard.Process.WaitForExit();
                return ShardReport.TryRead(reportPath)!.Items.Single(i => i.Status == ItemReport.Running);
            }
            shard.Process.WaitForExit(10);
        }
        throw new InvalidOperationException($"shard ended (exited: {shard.Process.HasExited}) before it could be killed mid-file");
    }

    [RequiresFfmpegFact]
    public void Segmented_JoinedAudio_EqualsTheUnsplitRunsAudio()
    {
        var config = _dir.Write("job.yaml", ClusterClips.Config);
        var longClip = ClusterClips.Make(_dir.Combine("long.mp4"), 6);
        var unsplit = VideoconvProcess.Run(_dir.Path, "batch", config, "--out", _dir.Combine("ref"), longClip);
        Assert.True(unsplit.ExitCode == 0, unsplit.ToString());
        var split = VideoconvProcess.Run(_dir.Path, "batch", config, "--out", _dir.Combine("out"), longClip, "--segment-seconds", "2");
        Assert.True(split.ExitCode == 0, split.ToString());
        var audio = ClusterClips.AudioPacketMd5(_dir.Combine("ref", "long.mkv"));
        Assert.NotEmpty(audio);
        Assert.Equal(audio, ClusterClips.AudioPacketMd5(_dir.Combine("out", "long.mkv")));
    }
}
