using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using VideoConv.Cli.Tests.TestSupport;
using Xunit.Abstractions;

namespace VideoConv.Cli.Tests.Reliability;

/// <summary>
/// Ctrl+C and SIGTERM on the built binary, on a real H.264 input paced at its frame rate: the run stops
/// promptly with exit 130 and the output holds the frames processed so far, checked by decoding it with
/// ffprobe. (RunAndBatchTests covers one SIGINT on a generated pattern with <c>--watch</c>.)
/// </summary>
public sealed class InterruptTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A running videoconv with its stderr lines queued.</summary>
    private sealed class Child : IDisposable
    {
        private readonly BlockingCollection<string> _lines = new();
        private readonly List<string> _seen = new();
        public Process Process { get; }

        public Child(string workingDirectory, params string[] args)
        {
            var psi = VideoconvProcess.StartInfo(workingDirectory, args);
            Process = Process.Start(psi)!;
            Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Add(e.Data); };
            Process.BeginErrorReadLine();
            _ = Process.StandardOutput.ReadToEndAsync();
        }

        public string StdErr => string.Join('\n', _seen);

        /// <summary>Waits for a progress line reporting at least <paramref name="frames"/> frames written; returns that count.</summary>
        public long WaitForFrames(long frames)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (_lines.TryTake(out var line, TimeSpan.FromMilliseconds(200)))
                {
                    _seen.Add(line);
                    var m = Regex.Match(line, @"progress:.*?\s(\d+) frames\s");
                    if (m.Success && long.Parse(m.Groups[1].Value) >= frames) return long.Parse(m.Groups[1].Value);
                }
                else if (Process.HasExited)
                {
                    Process.WaitForExit();
                    while (_lines.TryTake(out var rest)) _seen.Add(rest);
                    throw new InvalidOperationException($"videoconv exited ({Process.ExitCode}) before writing {frames} frames:\n{StdErr}");
                }
            }
            throw new TimeoutException($"no progress line with {frames} frames:\n{StdErr}");
        }

        public void Signal(string name)
        {
            using var kill = Process.Start("kill", [$"-{name}", Process.Id.ToString()])!;
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }

        /// <summary>Waits for exit (killing the child after <paramref name="limit"/>); returns how long it took.</summary>
        public TimeSpan WaitForExit(TimeSpan limit)
        {
            var watch = Stopwatch.StartNew();
            if (!Process.WaitForExit(limit))
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
                throw new TimeoutException($"videoconv did not stop within {limit.TotalSeconds} s:\n{StdErr}");
            }
            Process.WaitForExit();   // flushes the asynchronous stderr reader
            while (_lines.TryTake(out var rest)) _seen.Add(rest);
            return watch.Elapsed;
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    private Child StartOnRealClip(string outputName)
    {
        // 20 s of 640x360 H.264, paced at 30 fps: the run is mid-stream for many seconds when signalled.
        SystemFfmpeg.Encode(_dir.Combine("clip.mp4"), 20, "640x360", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p");
        _dir.Write("job.yaml", $"source:\n  file: clip.mp4\n  realtime: true\nchain: [sharpen]\nsinks:\n  - file: {outputName}\n");
        return new Child(_dir.Path, "run", "job.yaml", "--progress");
    }

    [RequiresFfmpegFact]
    public void Sigint_OnRealH264_StopsWithin5s_Exit130_OutputDecodesWithTheFramesSoFar() =>
        StopsAndFinalizes("INT", "out.mp4");

    [RequiresFfmpegFact]
    public void Sigterm_OnRealH264_StopsWithin5s_Exit130_OutputDecodesWithTheFramesSoFar() =>
        StopsAndFinalizes("TERM", "out.mkv");

    private void StopsAndFinalizes(string signal, string outputName)
    {
        using var child = StartOnRealClip(outputName);
        long written = child.WaitForFrames(30);
        child.Signal(signal);
        var stopTime = child.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine($"SIG{signal}: {written} frames written when signalled; exited {child.Process.ExitCode} after {stopTime.TotalSeconds:0.00} s");

        Assert.True(child.Process.ExitCode == 130, $"exit {child.Process.ExitCode}\n{child.StdErr}");
        Assert.True(stopTime < TimeSpan.FromSeconds(5), $"took {stopTime.TotalSeconds:0.00} s to stop (the promise is 5 s)");
        Assert.Contains("outputs were finalized", child.StdErr);
        Assert.DoesNotContain("   at ", child.StdErr);
        long decoded = SystemFfmpeg.CountFrames(_dir.Combine(outputName));
        Assert.InRange(decoded, written, 600 - 1);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.partial*"));
    }

    [RequiresFfmpegFact]
    public void SecondSigint_QuitsAtOnce_Exit130_LeavesNoHalfWrittenFile()
    {
        using var child = StartOnRealClip("out.mkv");
        child.WaitForFrames(30);
        child.Signal("INT");
        child.Signal("INT");
        child.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.True(child.Process.ExitCode == 130, $"exit {child.Process.ExitCode}\n{child.StdErr}");
        Assert.DoesNotContain("   at ", child.StdErr);
        // Either the first signal's finalize won the race and the output is complete, or the second
        // signal cut it short and nothing is at the destination (the partial file is hidden beside it).
        var destination = _dir.Combine("out.mkv");
        if (File.Exists(destination)) Assert.True(SystemFfmpeg.CountFrames(destination) > 0);
        output.WriteLine($"destination {(File.Exists(destination) ? "finalized" : "absent")}");
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.partial*"));   // quitting at once still cleans up
    }
}
