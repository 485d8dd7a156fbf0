using VideoConv.Cli.Batch;
using VideoConv.Cli.CommandLine;

namespace VideoConv.Cli.Tests.Cluster;

/// <summary>The partition, the shard options, the cut planning and the ffconcat quoting, in-process.</summary>
public sealed class ShardPartitionTests
{
    private static readonly string[] Keys = Enumerable.Range(0, 3000).Select(i => $"cam{i % 7}/day-{i:D5}.mp4").ToArray();

    [Fact]
    public void Of_SameKeyAnyListPosition_SameShard()
    {
        var first = Keys.ToDictionary(k => k, k => ShardSpec.Of(k, 3));
        // Adding files anywhere in the list moves none of the others: the shard is a function of the key alone.
        var grown = Keys.Concat(Enumerable.Range(0, 500).Select(i => $"new/{i}.mp4")).Reverse();
        foreach (var k in grown.Where(first.ContainsKey)) Assert.Equal(first[k], ShardSpec.Of(k, 3));
    }

    [Fact]
    public void Of_ManyKeys_EvenlySpreadAndFewMoveWhenAShardIsAdded()
    {
        var counts = new int[3];
        foreach (var k in Keys) counts[ShardSpec.Of(k, 3)]++;
        Assert.All(counts, c => Assert.InRange(c, 900, 1100));
        int moved = Keys.Count(k => ShardSpec.Of(k, 3) != ShardSpec.Of(k, 4));
        // Jump consistent hashing: going from 3 to 4 shards moves about a quarter, and only onto the new shard.
        Assert.InRange(moved, 600, 900);
        Assert.All(Keys.Where(k => ShardSpec.Of(k, 3) != ShardSpec.Of(k, 4)), k => Assert.Equal(3, ShardSpec.Of(k, 4)));
    }

    [Fact]
    public void Resolve_EnvironmentAndOption_GiveTheShard()
    {
        Func<string, string?> env(string? index, string? count) => name => name == ShardSpec.IndexVariable ? index : name == ShardSpec.CountVariable ? count : null;
        Assert.Null(ShardSpec.Resolve(null, env(null, null)));
        Assert.Null(ShardSpec.Resolve(null, env("2", null)));      // an Indexed Job without our count is not a shard of ours
        Assert.Equal(new ShardSpec(2, 5), ShardSpec.Resolve(null, env("2", "5")));
        Assert.Equal(new ShardSpec(1, 3), ShardSpec.Resolve("1/3", env("2", "5")));
        Assert.Equal(new ShardSpec(4, 5), ShardSpec.Resolve("4", env(null, "5")));
        foreach (var bad in new[] { "3/3", "-1/3", "a/3", "1/0", "1/", "1" })
            Assert.Throws<UsageException>(() => ShardSpec.Resolve(bad, env(null, null)));
        Assert.Throws<UsageException>(() => ShardSpec.Resolve(null, env(null, "3")));
    }

    [Fact]
    public void ShardOptions_ResumeIsTheDefaultWhenSharded()
    {
        static string? none(string _) => null;
        Assert.Null(ShardOptions.From(null, false, false, null, false, none));
        Assert.True(ShardOptions.From("0/2", false, false, null, false, none)!.Resume);
        Assert.False(ShardOptions.From("0/2", false, false, null, overwrite: true, none)!.Resume);
        Assert.Throws<UsageException>(() => ShardOptions.From("0/2", true, false, null, true, none));
        Assert.Throws<UsageException>(() => ShardOptions.From(null, false, false, "0", false, none));
        Assert.Equal(2.5, ShardOptions.From(null, false, false, "2.5", false, none)!.SegmentSeconds);
    }

    [Fact]
    public void ConcatList_QuotesAndNewlines_CannotInjectDirectives()
    {
        var list = StreamCopy.ConcatList(["/v/it's.mkv", "/v/a b.mkv"]);
        Assert.Equal("ffconcat version 1.0\nfile 'file:/v/it'\\''s.mkv'\nfile 'file:/v/a b.mkv'\n", list);
        var ex = Assert.Throws<StreamCopyException>(() => StreamCopy.ConcatList(["/v/x.mkv'\nfile '/etc/passwd"]));
        Assert.Contains("line breaks", ex.Message);
        Assert.StartsWith("file:/", StreamCopy.FileUrl("-i"));
    }

    [Fact]
    public void Plan_Packets_CutsAtCleanKeyframesAndCoversEveryPacketOnce()
    {
        // 30 fps in 1/90000, a keyframe each second, two B-frames: decode order I P B B P B B ...
        var packets = new List<VideoPacket>();
        for (int gop = 0; gop < 7; gop++)
            for (int i = 0; i < 30; i++)
            {
                int shown = i == 0 ? 0 : i % 3 == 1 ? Math.Min(i + 2, 29) : i - 1;
                packets.Add(new VideoPacket((gop * 30 + shown) * 3000L, 100 + gop * 30 + i, i == 0));
            }
        var cuts = SegmentCut.Plan(1, 90000, packets, 2);
        Assert.Equal([0, 60, 120], cuts.Select(c => c.FirstPacket));
        Assert.Equal(packets.Count, cuts.Sum(c => c.Packets));
        Assert.Equal([0.0, 2.0, 4.0], cuts.Select(c => c.StartSeconds));
        Assert.Null(cuts[0].SeekSeconds);
        Assert.Equal(2.0 + 1 / 60.0, cuts[1].SeekSeconds!.Value, 6);

        // A keyframe that a later packet is shown before (an open GOP's leading frame) is no cut: the next keyframe is.
        packets[61] = packets[61] with { Pts = packets[60].Pts - 3000 };
        Assert.Equal([0, 90, 120], SegmentCut.Plan(1, 90000, packets, 2).Select(c => c.FirstPacket));
    }
}
