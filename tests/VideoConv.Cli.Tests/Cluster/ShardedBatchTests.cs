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
    public void ThreeShards_Concurrently_EveryItemDoneOnceAndTheSegmentedFileEqualsTheUnsplitRun()
    {
        var config = _dir.Write("job.yaml", ClusterClips.Config);
        var inDir = _dir.Combine("in");
        Directory.CreateDirectory(inDir);
        var clips = Enumerable.Range(1, 4).Select(i => ClusterClips.Make(Path.Combine(inDir, $"clip{i}.mp4"), 1, 300 + 40 * i)).ToList();
        var longClip = ClusterClips.Make(Path.Combine(inDir, "long.mp4"), 6);
        var outDir = _dir.Combine("out");

        using (var reference = new ClusterClips.Shard(_dir.Path, new Dictionary<string, string?>(), "batch", config, "--out", _dir.Combine("ref"), longClip))
        {
            var shards = Enumerable.Range(0, 3)
                .Select(i => new ClusterClips.Shard(_dir.Path, ShardEnv(i, 3), "batch", config, "--out", outDir, inDir, "--segment-seconds", "2", "--jobs", "1"))
                .ToList();
            foreach (var shard in shards)
            {
                var result = shard.Wait();
                Assert.True(result.ExitCode == 0, result.ToString());
                shard.Dispose();
            }
            var refResult = reference.Wait();
            Assert.True(refResult.ExitCode == 0, refResult.ToString());
        }

        // Every work item (4 clips, 3 segments of the long one) done exactly once, by exactly one shard.
        var items = Reports(outDir).SelectMany(r => r.Items.Select(i => (r.Shard, Item: i))).ToList();
        var expected = clips.Select(c => Path.GetFileNameWithoutExtension(c) + ".mkv").Concat(["long.mkv#0", "long.mkv#1", "long.mkv#2"]).Order().ToList();
        Assert.Equal(expected, items.Select(i => i.Item.Id).Order());
        Assert.All(items, i => Assert.True(i.Item.Status == ItemReport.Done && i.Item.Attempts == 1, $"{i.Item.Id}: {i.Item.Status} after {i.Item.Attempts}"));
        Assert.All(items, i => Assert.Equal(i.Shard, ShardSpec.Of(i.Item.Key, 3)));
        foreach (var clip in clips) Assert.Equal(30, SystemFfmpeg.CountFrames(Path.Combine(outDir, Path.GetFileNameWithoutExtension(clip) + ".mkv")));

        // The joined file is the unsplit run's: the same decoded frames with the same timestamps, and the same duration.
        var joined = Path.Combine(outDir, "long.mkv");
        var unsplit = _dir.Combine("ref", "long.mkv");
        var frames = ClusterClips.FrameMd5(joined);
        Assert.Equal(180, frames.Count);
        Assert.Equal(ClusterClips.FrameMd5(unsplit), frames);
        var (unsplitPackets, unsplitDuration) = ClusterClips.Timing(unsplit);
        var (joinedPackets, joinedDuration) = ClusterClips.Timing(joined);
        Assert.Equal(unsplitPackets, joinedPackets);
        Assert.Equal(unsplitDuration, joinedDuration);
        // Its audio is the input's, packet for packet (copied whole: segments are cut without audio).
        var audio = ClusterClips.AudioPacketMd5(joined);
        Assert.NotEmpty(audio);
        Assert.Equal(ClusterClips.AudioPacketMd5(longClip), audio);
        Assert.Empty(Partials(outDir));
        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("out", ".videoconv", "segments", "long.mkv"), "seg-*"));

        var report = VideoconvProcess.Run(_dir.Path, "batch-report", outDir, "--json");
        Assert.True(report.ExitCode == 0, report.ToString());
        using var json = JsonDocument.Parse(report.StdOut);
        var root = json.RootElement;
        Assert.Equal(7, root.GetProperty("total_items").GetInt32());
        Assert.Equal(7, root.GetProperty("done").GetInt32());
        Assert.Equal(0, root.GetProperty("failed").GetInt32() + root.GetProperty("missing").GetInt32());
        Assert.Equal(4 * 30 + 180, root.GetProperty("frames").GetInt64());
        Assert.True(root.GetProperty("files")[0].GetProperty("joined").GetBoolean());
    }

    [Fact(Skip = "not yet: the pipeline's file sink drops audio on this branch (issue 11's media layer keeps it); the joined file's audio is checked against the input's above")]
    public void Segmented_JoinedAudio_EqualsTheUnsplitRunsAudio()
    {
    }

    [RequiresFfmpegFact]
    public void KilledShard_Rerun_FinishesItsShareWithoutDuplicatesOrPartials()
    {
        var config = _dir.Write("job.yaml", ClusterClips.Config);
        var inDir = _dir.Combine("in");
        Directory.CreateDirectory(inDir);
        // Three clips of shard 0 of 2 (chosen by the partition itself), long enough to be caught mid-file, and one of shard 1.
        var names = Enumerable.Range(0, 200).Select(i => $"take{i:D3}.mp4").Where(n => ShardSpec.Of(n, 2) == 0).Take(3).ToList();
        var other = Enumerable.Range(0, 200).Select(i => $"take{i:D3}.mp4").First(n => ShardSpec.Of(n, 2) == 1);
        foreach (var n in names.Append(other)) ClusterClips.Make(Path.Combine(inDir, n), 3);
        var outDir = _dir.Combine("out");
        string[] args = ["batch", config, "--out", outDir, inDir, "--jobs", "1"];
        var reportPath = ShardReport.PathFor(outDir, new ShardSpec(0, 2));

        ItemReport killedItem;
        bool killed = false;
        using (var shard = new ClusterClips.Shard(_dir.Path, ShardEnv(0, 2), args))
        {
            // Kill it (SIGKILL: no cleanup at all) while it writes a file, after at least one item finished.
            var deadline = DateTime.UtcNow.AddSeconds(90);
            ShardReport? seen = null;
            while (!shard.Process.HasExited && DateTime.UtcNow < deadline)
            {
                seen = ShardReport.TryRead(reportPath);
                if (seen is not null && seen.Items.Any(i => i.Status == ItemReport.Done) && seen.Items.FirstOrDefault(i => i.Status == ItemReport.Running) is { } running
                    && Partials(outDir).Any(p => Path.GetFileName(p).StartsWith("." + Path.GetFileNameWithoutExtension(running.Outputs[0]) + ".", StringComparison.Ordinal)))
                {
                    shard.Process.Kill();
                    killed = true;
                    break;
                }
                shard.Process.WaitForExit(10);
            }
            shard.Process.WaitForExit();
            Assert.True(killed, $"the shard ended (exit {shard.Process.ExitCode}) before it could be killed mid-file");
            seen = ShardReport.TryRead(reportPath)!;
            killedItem = seen.Items.Single(i => i.Status == ItemReport.Running);
        }
        Assert.False(File.Exists(killedItem.Outputs[0]));
        Assert.NotEmpty(Partials(outDir));   // what SIGKILL leaves: the killed file's hidden partial

        var partialReport = VideoconvProcess.Run(_dir.Path, "batch-report", outDir);
        Assert.Equal(1, partialReport.ExitCode);
        Assert.Contains("shard 1 has not reported", partialReport.StdErr);

        var rerun = VideoconvProcess.Run(_dir.Path, ShardEnv(0, 2), args);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        var final = ShardReport.TryRead(reportPath)!;
        Assert.Equal(names.Select(n => Path.GetFileNameWithoutExtension(n) + ".mkv").Order(), final.Items.Select(i => i.Id).Order());
        Assert.All(final.Items, i => Assert.Equal(ItemReport.Done, i.Status));
        Assert.Equal(2, final.Runs);
        Assert.Equal(2, final.Items.Single(i => i.Id == killedItem.Id).Attempts);
        // Items finished before the kill were not redone.
        Assert.All(final.Items.Where(i => i.Resumed), i => Assert.Equal(1, i.Attempts));
        Assert.Contains(final.Items, i => i.Resumed);
        Assert.Empty(Partials(outDir));
        foreach (var n in names) Assert.Equal(90, SystemFfmpeg.CountFrames(Path.Combine(outDir, Path.GetFileNameWithoutExtension(n) + ".mkv")));
        Assert.False(File.Exists(Path.Combine(outDir, Path.GetFileNameWithoutExtension(other) + ".mkv")));

        var second = VideoconvProcess.Run(_dir.Path, ShardEnv(1, 2), args);
        Assert.True(second.ExitCode == 0, second.ToString());
        var merged = VideoconvProcess.Run(_dir.Path, "batch-report", outDir);
        Assert.True(merged.ExitCode == 0, merged.ToString());
        Assert.Contains("4 of 4 item(s) done, 0 failed, 0 missing", merged.StdOut);
    }
}
