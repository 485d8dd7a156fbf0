using System.Diagnostics;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;
using Xunit.Abstractions;

namespace VideoConv.Pipeline.Tests.Media;

/// <summary>A real-time live source: ffmpeg writes 720p30 MPEG-TS into a FIFO at wall-clock speed.</summary>
public class LiveFifoTests(ITestOutputHelper output)
{
    [RequiresToolsFact("ffmpeg", "mkfifo")]
    public async Task RunAsync_LiveFifoAt30FpsWithSobel_KeepsUpWithFewDrops()
    {
        using var dir = new TempDir();
        string fifo = dir.File("live.ts");
        Assert.Equal(0, TestMedia.Run("mkfifo", fifo).ExitCode);
        const int produced = 150;   // 5 s at 30 fps
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-y", "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
                     "-frames:v", $"{produced}", "-c:v", "mpeg4", "-q:v", "5", "-f", "mpegts", fifo })
            psi.ArgumentList.Add(a);
        using var ffmpeg = Process.Start(psi)!;
        var ffmpegErrors = ffmpeg.StandardError.ReadToEndAsync();
        var spec = new PipelineSpec(new FileSourceSpec(fifo) { Live = true }, [TestMedia.Sobel], [new DiscardSinkSpec()]);

        var stats = await new VideoPipeline(spec, new PipelineOptions()).RunAsync(CancellationToken.None);
        await ffmpeg.WaitForExitAsync();

        output.WriteLine(StatsJson.Serialize(stats));
        Assert.True(ffmpeg.ExitCode == 0, await ffmpegErrors);
        // A FIFO is lossless (ffmpeg waits when it is full), so the source sees every frame produced.
        Assert.Equal(produced, stats.FramesIn);
        Assert.Equal(stats.FramesIn, stats.FramesOut + stats.Dropped);   // each frame delivered or counted as dropped
        Assert.True(stats.LatencyP50Ms > 0 && stats.LatencyP99Ms >= stats.LatencyP50Ms);

        // Drops depend on the CPU this run actually got (the machine is shared, the build may be Debug).
        // The 1 % bound is the done-criterion for a pipeline with headroom: when the filter's measured
        // service time left it 40 % slack against the 33 ms frame interval, at most 1 % may be dropped.
        var filter = stats.Stages.Single(s => s.Name == "filter");
        double msPerFrame = filter.Frames == 0 ? double.PositiveInfinity : filter.BusyMs / filter.Frames;
        output.WriteLine($"filter service time {msPerFrame:F1} ms/frame; dropped {stats.Dropped} of {stats.FramesIn} ({100.0 * stats.Dropped / stats.FramesIn:F1} %); latency p50 {stats.LatencyP50Ms:F1} ms p99 {stats.LatencyP99Ms:F1} ms");
        if (msPerFrame <= 20)
            Assert.True(stats.Dropped <= stats.FramesIn / 100, $"dropped {stats.Dropped} of {stats.FramesIn} with {msPerFrame:F1} ms/frame of filtering");
        else
            output.WriteLine($"NOT ASSERTED: drops <= 1 % — this run's filter needed {msPerFrame:F1} ms/frame (> 20 ms), too little CPU for 720p30 sobel here");
    }
}
