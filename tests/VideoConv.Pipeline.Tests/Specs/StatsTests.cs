using System.Text.Json;
using CsCheck;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Stats;
using VideoConv.Pipeline.Tests.Support;

namespace VideoConv.Pipeline.Tests.Specs;

public class StatsTests
{
    [Fact]
    public void Percentile_AnySamples_WithinOneBucketOfExact()
    {
        Gen.Double[0.01, 5000].Array[1, 500].Sample(samples =>
        {
            var h = new LatencyHistogram();
            foreach (var s in samples) h.Record(s);
            var sorted = samples.Order().ToArray();
            foreach (var q in new[] { 0.5, 0.99 })
            {
                double exact = sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1)];
                double got = h.Percentile(q);
                Assert.InRange(got, exact / 1.06, exact * 1.06);
            }
        }, iter: 200);
    }

    [Fact]
    public void Percentile_NoSamples_IsZero() => Assert.Equal(0, new LatencyHistogram().Percentile(0.99));

    [Fact]
    public async Task Write_AfterRun_HasTheFieldsTheCliReports()
    {
        using var dir = new TempDir();
        var spec = new PipelineSpec(new PatternSourceSpec(64, 48, 30, 10), [], [new DiscardSinkSpec()]);
        var stats = await new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None);
        string path = dir.File("stats.json");

        StatsJson.Write(stats, path);

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        Assert.Equal(10, root.GetProperty("frames_in").GetInt64());
        Assert.Equal(10, root.GetProperty("frames_out").GetInt64());
        Assert.Equal(0, root.GetProperty("dropped").GetInt64());
        Assert.True(root.GetProperty("fps").GetDouble() > 0);
        Assert.True(root.GetProperty("latency_ms").GetProperty("p99").GetDouble() >= root.GetProperty("latency_ms").GetProperty("p50").GetDouble());
        Assert.Equal(10, root.GetProperty("total_frames").GetInt64());
        var stages = root.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["source", "filter", "sink discard"], stages);
    }

    [Fact]
    public async Task Progress_DuringRun_IsCalledWithSnapshots()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<PipelineStats>();
        var spec = new PipelineSpec(new PatternSourceSpec(64, 48, 30, 20) { Realtime = true }, [], [new DiscardSinkSpec()]);
        var stats = await new VideoPipeline(spec, new PipelineOptions { Progress = seen.Enqueue }).RunAsync(CancellationToken.None);
        Assert.True(seen.Count >= 2, $"progress called {seen.Count} times");   // periodic ones plus the final one
        Assert.Equal(20, seen.Last().FramesOut);
        Assert.Equal(20, stats.FramesOut);
    }

    [Fact]
    public void Snapshot_BeforeRun_IsZeroWithEveryStageNamed()
    {
        var spec = new PipelineSpec(new PatternSourceSpec(), [], [new FileSinkSpec("x.mkv"), new DisplaySinkSpec("w")]);
        var stats = new VideoPipeline(spec, new PipelineOptions()).Snapshot();
        Assert.Equal(0, stats.FramesIn);
        Assert.Equal(["source", "filter", "sink file x.mkv", "sink display w"], stats.Stages.Select(s => s.Name));
    }
}
