using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using VideoConv.Pipeline.Specs;
using VideoConv.Pipeline.Tests.Support;
using Xunit.Abstractions;

namespace VideoConv.Pipeline.Tests.Reliability;

/// <summary>
/// A live feed that stalls, dies or freezes, made honestly: a real ffmpeg process streams MPEG-TS over UDP
/// at wall-clock speed (<c>-re</c>) into a <c>url:</c> source; the test pauses it (SIGSTOP), resumes it
/// (SIGCONT) or kills it. Each step waits on the pipeline's own warnings and frames, never on a sleep.
/// </summary>
[Collection(nameof(MeasurementCollection))]
public sealed class LiveStallTests(ITestOutputHelper output) : IDisposable
{
    private readonly BlockingCollection<string> _warnings = new();
    private readonly List<string> _seen = new();
    private readonly SemaphoreSlim _frames = new(0);
    private readonly ConcurrentBag<VideoConv.Core.Imaging.ImageFormat> _formats = new();
    private Process? _producer;

    public void Dispose()
    {
        if (_producer is { HasExited: false } p)
        {
            Signal("CONT");
            p.Kill();
            p.WaitForExit();
        }
        _producer?.Dispose();
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    // MPEG-2 with a key frame every 10 frames: a reconnected reader picks the stream up within a third of a second.
    private string StartProducer(string lavfiInput) => StartProducer(lavfiInput, ["-c:v", "mpeg2video", "-g", "10", "-q:v", "5"], out _);

    private string StartProducer(string lavfiInput, string[] codec, out BlockingCollection<long> framesSent)
    {
        int port = FreeUdpPort();
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-nostdin", "-hide_banner", "-loglevel", "error", "-progress", "pipe:1", "-re", "-f", "lavfi", "-i", lavfiInput,
                     .. codec, "-f", "mpegts", $"udp://127.0.0.1:{port}?pkt_size=1316"])
            psi.ArgumentList.Add(a);
        _producer = Process.Start(psi)!;
        var sent = framesSent = new BlockingCollection<long>();
        _producer.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("frame=", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6), out long n)) sent.Add(n);
        };
        _producer.BeginOutputReadLine();
        _ = _producer.StandardError.ReadToEndAsync();
        return $"udp://127.0.0.1:{port}";
    }

    [RequiresToolsFact("ffmpeg", "ffprobe")]
    public async Task UrlSource_JoiningALiveH264StreamBetweenKeyframes_WaitsForAKeyframe()
    {
        // One key frame every 4 s (x264, zero latency, as a live encoder sends): the reader joins ~1 s after the first,
        // so the first second it sees has no key frame — the frame size is unknown until the next one arrives.
        string url = StartProducer("testsrc2=size=320x240:rate=30", ["-c:v", "libx264", "-tune", "zerolatency", "-g", "120", "-keyint_min", "120", "-sc_threshold", "0"], out var sent);
        while (sent.Take(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token) < 30) { }
        var (pipeline, sink) = Build(url, Quick with { ConnectTimeout = TimeSpan.FromSeconds(30) });   // two key frame intervals and a loaded machine
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        WaitForFrames(30, run);
        stop.Cancel();
        var stats = await run;

        Assert.True(stats.FramesOut >= 30);
        Assert.All(_formats, f => Assert.Equal(new VideoConv.Core.Imaging.ImageFormat(320, 240, 3), f));
        while (_warnings.TryTake(out var w)) _seen.Add(w);
        Assert.DoesNotContain(_seen, w => w.Contains("empty", StringComparison.Ordinal) || w.Contains("0x0", StringComparison.Ordinal));
    }

    private void Signal(string name)
    {
        using var kill = Process.Start("kill", [$"-{name}", _producer!.Id.ToString()])!;
        kill.WaitForExit();
    }

    private (VideoPipeline Pipeline, RecordingSink Sink) Build(string url, LiveSourcePolicy policy)
    {
        var sink = new RecordingSink("sink recording") { OnWrite = f => { _formats.Add(f.Format); _frames.Release(); } };
        var spec = new PipelineSpec(new UrlSourceSpec(url), [], [new DiscardSinkSpec()]);
        var options = new PipelineOptions { LiveSources = policy, Warning = w => { output.WriteLine($"warning: {w}"); _warnings.Add(w); } };
        return (new VideoPipeline(spec, options, new PipelineSeams { Sink = (_, _) => sink }), sink);
    }

    private void WaitForFrames(int count, Task run)
    {
        for (int i = 0; i < count; i++)
        {
            if (!_frames.Wait(TimeSpan.FromSeconds(30)))
                throw new TimeoutException($"only {i} of {count} frames arrived (run {run.Status}{(run.Exception is { } e ? ": " + e.InnerException?.Message : "")}); warnings: {string.Join(" | ", _seen)}");
        }
    }

    private string WaitForWarning(string fragment)
    {
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (DateTime.UtcNow < deadline)
        {
            if (_warnings.TryTake(out var w, TimeSpan.FromMilliseconds(200)))
            {
                _seen.Add(w);
                if (w.Contains(fragment, StringComparison.Ordinal)) return w;
            }
        }
        throw new TimeoutException($"no warning with '{fragment}'; seen: {string.Join(" | ", _seen)}");
    }

    private static readonly LiveSourcePolicy Quick = new()
    {
        StallTimeout = TimeSpan.FromSeconds(1),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        FirstBackoff = TimeSpan.FromMilliseconds(200),
        MaxReconnects = 5,
        FrozenAfter = TimeSpan.FromSeconds(2),
    };

    [RequiresToolsFact("ffmpeg", "ffprobe", "kill")]
    public async Task UrlSource_WriterPausedMidStream_StallIsDetected_ReconnectsWhenItResumes_AndFramesContinue()
    {
        string url = StartProducer("testsrc2=size=160x120:rate=30");
        var (pipeline, sink) = Build(url, Quick);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        WaitForFrames(20, run);
        Signal("STOP");
        var stall = WaitForWarning("no frame for 1 s; reconnecting (attempt 1 of 5)");
        Signal("CONT");
        var back = WaitForWarning("reconnected after");
        int before = sink.Sequences.Count;
        while (_frames.CurrentCount > 0) _frames.Wait(0);
        WaitForFrames(20, run);
        stop.Cancel();
        var stats = await run;

        output.WriteLine($"{stats.FramesOut} frames; {before} before the reconnect was reported");
        Assert.Contains(url, stall);
        Assert.Contains(url, back);
        Assert.True(stats.Stopped);
        Assert.True(sink.Completed);
        Assert.True(sink.Sequences.Count >= before + 20);
        Assert.DoesNotContain(_seen, w => w.Contains("frozen", StringComparison.Ordinal));
    }

    [RequiresToolsFact("ffmpeg", "ffprobe")]
    public async Task UrlSource_WriterKilledMidStream_ReconnectsThenFails_KeepingEveryFrameRead()
    {
        string url = StartProducer("testsrc2=size=160x120:rate=30");
        var (pipeline, sink) = Build(url, Quick with { ConnectTimeout = TimeSpan.FromSeconds(6), MaxReconnects = 2 });
        var run = pipeline.RunAsync(CancellationToken.None);

        WaitForFrames(20, run);
        _producer!.Kill();
        var ex = await Assert.ThrowsAsync<PipelineInputBrokeException>(() => run);

        output.WriteLine(ex.Message);
        Assert.Equal("source", ex.Stage);
        Assert.Contains($"url '{url}' was lost after", ex.Message);
        Assert.Contains("2 reconnection attempts failed", ex.Message);
        Assert.True(sink.Completed, "the frames before the loss must be finalized, not aborted");
        Assert.True(sink.Sequences.Count >= 20);
        while (_warnings.TryTake(out var w)) _seen.Add(w);
        Assert.Contains(_seen, w => w.Contains("attempt 1 of 2", StringComparison.Ordinal));
        Assert.Contains(_seen, w => w.Contains("attempt 2 of 2", StringComparison.Ordinal));
    }

    [RequiresToolsFact("ffmpeg", "ffprobe")]
    public async Task UrlSource_IdenticalFrames_AreReportedAsAFrozenFeed_WithoutStopping()
    {
        string url = StartProducer("color=c=gray:size=160x120:rate=30");
        var (pipeline, sink) = Build(url, Quick);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        var frozen = WaitForWarning("frozen feed");
        int atWarning = sink.Sequences.Count;
        WaitForFrames(atWarning + 10, run);   // still delivering after the warning
        stop.Cancel();
        var stats = await run;

        Assert.Contains(url, frozen);
        Assert.True(stats.Stopped);
        Assert.True(sink.Completed);
        Assert.True(stats.FramesOut > atWarning);
    }
}
