using System.Diagnostics;
using VideoConv.Pipeline.Frames;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;
using Xunit.Abstractions;

namespace VideoConv.Pipeline.Tests.Reliability;

/// <summary>
/// Resources stay bounded as the run grows: native Mats (counted by <see cref="Frame.LiveMats"/>) during a
/// long run, and — live, at 720p30 — GC heap, working set and capture-to-sink latency over time.
/// </summary>
[Collection(nameof(MeasurementCollection))]
public class MemoryBoundsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunAsync_ThousandsOfFrames_LiveNativeMatsStayBoundedByThePools_AndReturnToZero()
    {
        long before = Frame.LiveMats, peak = before;
        var sampler = new RecordingSink("sink sampler") { OnWrite = _ => peak = Math.Max(peak, Frame.LiveMats) };
        var spec = new PipelineSpec(new PatternSourceSpec(64, 48, 30, 3000), [TestMedia.Sharpen], [new DiscardSinkSpec(), new DiscardSinkSpec()]);
        var pipeline = new VideoPipeline(spec, new PipelineOptions { QueueCapacity = 3 }, new PipelineSeams { Sink = (_, i) => i == 0 ? sampler : null });

        var stats = await pipeline.RunAsync(CancellationToken.None);

        output.WriteLine($"{stats.FramesOut} frames: peak {peak - before} live native Mats, {pipeline.FramesAllocated} frames allocated by the pools");
        Assert.Equal(3000, stats.FramesOut);
        // One Mat header per pooled frame, so the peak is bounded by what the pools made, not by the run length.
        Assert.InRange(peak - before, 1, pipeline.FramesAllocated);
        Assert.InRange(pipeline.FramesAllocated, 2, 16);
        Assert.Equal(before, Frame.LiveMats);
    }

    /// <summary>Live 720p30 soak, shortened for the default suite (the full 10 minutes is <see cref="Soak_Live720p30For10Minutes_MemoryAndLatencyFlat"/>).</summary>
    [Fact]
    public Task Soak_Live720p30For24Seconds_MemoryAndLatencyFlat() => Soak(TimeSpan.FromSeconds(24), TimeSpan.FromSeconds(6));

    [RequiresEnvironmentFact("VIDEOCONV_SOAK")]
    [Trait("Category", "Soak")]
    public Task Soak_Live720p30For10Minutes_MemoryAndLatencyFlat() => Soak(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30));

    /// <summary>One sample: time into the run, GC heap, working set, and p99 of the latencies since the previous sample.</summary>
    private sealed record Sample(double Seconds, long Frames, long Dropped, long GcHeap, long WorkingSet, double WindowP99Ms);

    private async Task Soak(TimeSpan duration, TimeSpan warmUp)
    {
        const double fps = 30;
        var latencies = new List<double>(1024);
        var samples = new List<Sample>();
        // Live heap (after a full collection): taken at the end of warm-up and then four times; the per-second
        // samples without collection show the saw-tooth of garbage, which a full GC clears (measured: +14 MiB
        // over 400 s back to the start), so growth is judged on these.
        var live = new List<(double Seconds, long Bytes, long PooledFrames)>();
        VideoPipeline? pipeline = null;
        double liveEvery = (duration - warmUp).TotalSeconds / 4 - 1;
        var clock = Stopwatch.StartNew();
        double lastSample = 0;
        var probe = new RecordingSink("sink latency probe")
        {
            // Capture to this sink's write, per frame; kept as a window so growth over time would show.
            OnWrite = f => { lock (latencies) latencies.Add(Stopwatch.GetElapsedTime(f.CaptureTimestamp).TotalMilliseconds); },
        };
        var source = new PatternSourceSpec(1280, 720, fps, (int)(duration.TotalSeconds * fps)) { Live = true, Realtime = true };
        var spec = new PipelineSpec(source, [TestMedia.Sharpen], [new DiscardSinkSpec()]);
        var options = new PipelineOptions
        {
            Progress = s =>
            {
                double t = clock.Elapsed.TotalSeconds;
                if (t - lastSample < 1) return;
                lastSample = t;
                double p99;
                lock (latencies)
                {
                    latencies.Sort();
                    p99 = latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))];
                    latencies.Clear();
                }
                lock (samples) samples.Add(new Sample(t, s.FramesOut, s.Dropped, GC.GetTotalMemory(false), Environment.WorkingSet, p99));
                if (t >= warmUp.TotalSeconds && (live.Count == 0 || t - live[^1].Seconds >= liveEvery))
                    lock (samples) live.Add((t, GC.GetTotalMemory(forceFullCollection: true), pipeline?.FramesAllocated ?? 0));
            },
        };
        pipeline = new VideoPipeline(spec, options, new PipelineSeams { Sink = (_, _) => probe });

        var stats = await pipeline.RunAsync(CancellationToken.None);

        List<Sample> all;
        lock (samples) all = [.. samples];
        const double MiB = 1 << 20;
        output.WriteLine($"live 1280x720 @ {fps} fps, sharpen, {duration.TotalSeconds:0} s: {stats.FramesOut} frames, {stats.Dropped} dropped, latency p50 {stats.LatencyP50Ms:0.0} ms p99 {stats.LatencyP99Ms:0.0} ms");
        output.WriteLine("   t(s)  frames  dropped  gc heap(MiB)  working set(MiB)  p99 window(ms)");
        int every = Math.Max(1, all.Count / 40);
        for (int i = 0; i < all.Count; i += every)
        {
            var s = all[i];
            output.WriteLine($"{s.Seconds,7:0.0} {s.Frames,7} {s.Dropped,8} {s.GcHeap / MiB,13:0.0} {s.WorkingSet / MiB,17:0.0} {s.WindowP99Ms,15:0.0}");
        }

        List<(double Seconds, long Bytes, long PooledFrames)> liveHeap;
        lock (samples) liveHeap = [.. live];
        output.WriteLine("live heap after full GC: " + string.Join(", ", liveHeap.Select(l => $"{l.Seconds:0} s {l.Bytes / MiB:0.0} MiB ({l.PooledFrames} pooled frames)")));
        var steady = all.Where(s => s.Seconds >= warmUp.TotalSeconds).ToList();
        Assert.True(steady.Count >= 5, $"only {steady.Count} samples after warm-up");
        Assert.True(liveHeap.Count >= 3, $"only {liveHeap.Count} live-heap samples");
        var baseline = steady[0];
        // A stall makes the pools grow to their bound (queue capacities; checked below), a step of whole frames that
        // then stays: what counts as growth is the heap beyond those frames' pixels.
        long frameBytes = 1280L * 720 * 3;
        long heapGrowth = liveHeap.Max(l => l.Bytes - (l.PooledFrames - liveHeap[0].PooledFrames) * frameBytes) - liveHeap[0].Bytes;
        long setGrowth = steady.Max(s => s.WorkingSet) - baseline.WorkingSet;
        double worstP99 = steady.Max(s => s.WindowP99Ms);
        output.WriteLine($"after warm-up: live heap grew at most {heapGrowth / MiB:0.0} MiB, working set {setGrowth / MiB:0.0} MiB, worst window p99 {worstP99:0.0} ms");
        // A leak of one 720p frame (2.6 MiB) per second would pass these bounds only for a few seconds.
        Assert.True(heapGrowth < 8 * MiB, $"live GC heap grew {heapGrowth / MiB:0.0} MiB after warm-up, beyond the pools' frames");
        Assert.InRange(pipeline.FramesAllocated, 2, 16);   // the pools themselves stay bounded
        Assert.True(setGrowth < 48 * MiB, $"working set grew {setGrowth / MiB:0.0} MiB after warm-up");
        // Live queues drop the oldest frame, so latency is bounded by a few frame intervals of work; 1 s is
        // far above that, and only fails when latency grows with the run.
        Assert.True(worstP99 < 1000, $"a window's latency p99 reached {worstP99:0.0} ms");
        Assert.Equal(0, pipeline.FramesOutstanding);
    }
}
