using System.Text.Json;
using VideoConv.Cli.Batch;
using VideoConv.Cli.Tests.Reliability;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Cluster;

/// <summary>The report merge on written reports, and <c>videoconv join DIR</c> on segments cut by ffmpeg itself.</summary>
public sealed class ReportMergeAndJoinTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private ShardReport Report(int shard, int shards, params (string Id, string Status)[] items)
    {
        var report = new ShardReport { Shard = shard, Shards = shards, PlanDigest = "d1", TotalItems = 4, Finished = DateTimeOffset.UtcNow };
        foreach (var (id, status) in items)
        {
            var output = _dir.Combine(id);
            if (status == ItemReport.Done) File.WriteAllText(output, "x");
            report.Items.Add(new ItemReport { Id = id, Key = id, Input = "/in/" + id, Outputs = [output], Status = status, Reason = status == ItemReport.Failed ? "broken" : null, Frames = 10 });
        }
        return report;
    }

    [Fact]
    public void Merge_FailedMissingAndVanishedItems_AreNotComplete()
    {
        var merged = ReportMerge.Merge([Report(0, 2, ("a", ItemReport.Done), ("b", ItemReport.Done)), Report(1, 2, ("c", ItemReport.Done), ("d", ItemReport.Done))], 2, 4, []);
        Assert.True(merged.Complete);
        Assert.Equal((4, 40L), (merged.Done, merged.Frames));

        File.Delete(_dir.Combine("b"));   // reported done, output gone since
        merged = ReportMerge.Merge([Report(0, 2, ("a", ItemReport.Done), ("b", ItemReport.Failed))], 2, 4, []);
        Assert.False(merged.Complete);
        Assert.Equal((1, 1, 2), (merged.Done, merged.Failed, merged.Missing));
        Assert.Contains("shard 1 has not reported", merged.MissingItems);
        Assert.Equal("broken", merged.Failures.Single().Reason);

        merged = ReportMerge.Merge([Report(0, 2, ("a", ItemReport.Done)), Report(1, 2, ("a", ItemReport.Done), ("c", ItemReport.Running))], 2, 4, []);
        Assert.Contains(merged.Problems, p => p.Contains("listed by shards 0 and 1"));
        Assert.Contains("c (running)", merged.MissingItems);
    }

    [RequiresFfmpegFact]
    public void Join_SegmentsWithAQuoteInTheirName_JoinsThemLikeTheWholeFile()
    {
        // A whole FFV1 clip, and the same clip cut by ffmpeg's segment muxer; the name holds a quote and a space.
        var whole = _dir.Combine("whole.mkv");
        ClusterClips.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-t", "3", "-c:v", "ffv1", whole);
        var folder = _dir.Combine("out", ".videoconv", "segments", "it's one.mkv");
        Directory.CreateDirectory(folder);
        ClusterClips.Ffmpeg("-i", whole, "-c", "copy", "-f", "segment", "-segment_time", "1", "-reset_timestamps", "1", Path.Combine(folder, "seg-%05d.mkv"));
        var segments = Directory.EnumerateFiles(folder, "seg-*.mkv").Order(StringComparer.Ordinal).ToList();
        Assert.True(segments.Count >= 3);
        var final = _dir.Combine("out", "it's one.mkv");
        File.WriteAllText(Path.Combine(folder, JoinSpec.FileName), JsonSerializer.Serialize(new JoinSpec("it's one.mkv", whole, [final], [segments]), BatchJson.Default.JoinSpec));

        var join = VideoconvProcess.Run(_dir.Path, "join", _dir.Combine("out"));
        Assert.True(join.ExitCode == 0, join.ToString());
        Assert.StartsWith("joined it's one.mkv", join.StdOut);
        Assert.Equal(ClusterClips.FrameMd5(whole), ClusterClips.FrameMd5(final));
        Assert.Empty(Directory.EnumerateFiles(folder, "seg-*"));   // joined segments are removed

        var again = VideoconvProcess.Run(_dir.Path, "join", _dir.Combine("out"));
        Assert.True(again.ExitCode == 0, again.ToString());   // already joined: nothing redone, nothing lost
        Assert.Equal(90, ClusterClips.FrameMd5(final).Count);
    }
}
