using System.Text.RegularExpressions;
using System.Diagnostics;
using VideoConv.Cli.Tests.Reliability;
using VideoConv.Cli.Tests.TestSupport;
using VideoConv.Pipeline.Sinks;

namespace VideoConv.Cli.Tests.Safety;

/// <summary>
/// Issue 10, cases 6 and 7: Ctrl+C typed in a real terminal (tmux) reaches the whole foreground process group,
/// yet the ffmpeg encoder child survives it and the output is finalized; a run killed with SIGKILL leaves a
/// stale partial file that the next run to the same destination removes, while a live writer's is kept.
/// </summary>
public sealed class InterruptedOutputTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static bool HasTmux => SystemFfmpeg.Find("tmux") is not null;

    // tmux on a socket of this test's own, its output not captured: the server it starts keeps whatever the
    // client's stdout and stderr were, so a pipe to read them would never reach its end.
    private static int Tmux(string socket, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo("tmux", ["-L", socket, .. args]) { UseShellExecute = false, RedirectStandardInput = true })!;
        if (!p.WaitForExit(TimeSpan.FromSeconds(90))) { p.Kill(); throw new TimeoutException($"tmux {string.Join(' ', args)}"); }
        return p.ExitCode;
    }

    /// <summary>Reads <paramref name="stderr"/> (blocking, bounded) until a progress line reports at least <paramref name="frames"/> frames written.</summary>
    private static void ReadUntilProgress(TextReader stderr, long frames, List<string> seen)
    {
        var reached = Task.Run(() =>
        {
            while (stderr.ReadLine() is { } line)
            {
                seen.Add(line);
                var m = Regex.Match(line, @"progress:.*?\s(\d+) frames\s");
                if (m.Success && long.Parse(m.Groups[1].Value) >= frames) return true;
            }
            return false;
        });
        if (!reached.Wait(TimeSpan.FromSeconds(90))) throw new TimeoutException($"no progress line with {frames} frames:\n{string.Join('\n', seen)}");
        if (!reached.Result) throw new InvalidOperationException($"videoconv ended before writing {frames} frames:\n{string.Join('\n', seen)}");
    }

    private string LongPatternConfig(string sink) => _dir.Write("live.yaml",
        $"source:\n  pattern: {{width: 320, height: 240, fps: 30, frames: 3000}}\n  realtime: true\nsinks:\n  - {sink}\n");

    private string[] Partials() => Directory.GetFiles(_dir.Path, ".out.*partial*");

    [RequiresFfmpegFact]
    public void CtrlC_InATerminal_FinalizesTheFfmpegCommandsOutput()
    {
        if (!HasTmux) throw new Xunit.Sdk.XunitException("tmux is missing: scripts/install-deps installs it");
        string config = LongPatternConfig("file: out.mkv\n    encoder: ffmpeg\n    codec: FFV1");
        string session = "vc" + Guid.NewGuid().ToString("N")[..8];
        string rc = _dir.Combine("rc"), errFifo = _dir.Combine("err.fifo");
        using (var mk = Process.Start("mkfifo", [errFifo])!) mk.WaitForExit();
        // The pane's shell runs videoconv in the foreground; C-c then signals its whole process group, as a terminal does.
        // Without the in-process libraries encoder: ffmpeg is the ffmpeg command, a child process in the terminal's way.
        // The pane stays open after the run (sleep) so the server is still there for wait-for, whenever it asks; kill-server ends it.
        string command = $"cd '{_dir.Path}' && env -u DISPLAY -u WAYLAND_DISPLAY VIDEOCONV_NO_LIBAV=1 {VideoconvProcess.ShellWords} run live.yaml --progress 2> err.fifo; echo $? > '{rc}'; tmux -L {session} wait-for -S {session}-done; exec sleep 600";
        Assert.Equal(0, Tmux(session, "new-session", "-d", "-s", session, "-x", "200", "-y", "40", command));
        var seen = new List<string>();
        try
        {
            // videoconv's stderr comes through a FIFO: its progress lines say when the encoder has frames.
            var opened = Task.Run(() => new StreamReader(errFifo));
            Assert.True(opened.Wait(TimeSpan.FromSeconds(60)), "videoconv never opened its stderr");
            using var stderr = opened.Result;
            ReadUntilProgress(stderr, 30, seen);
            Assert.Equal(0, Tmux(session, "send-keys", "-t", session, "C-c"));
            var rest = stderr.ReadToEndAsync();
            Assert.True(rest.Wait(TimeSpan.FromSeconds(60)), "videoconv did not stop after Ctrl+C");
            seen.Add(rest.Result);
            Assert.Equal(0, Tmux(session, "wait-for", $"{session}-done"));
        }
        finally
        {
            Tmux(session, "kill-server");
        }
        string err = string.Join('\n', seen);
        Assert.True(File.ReadAllText(rc).Trim() == "130", err);
        Assert.True(File.Exists(_dir.Combine("out.mkv")), err);
        Assert.True(SystemFfmpeg.CountFrames(_dir.Combine("out.mkv")) > 0);
        Assert.Empty(Partials());
    }

    [RequiresFfmpegFact]
    public void KillNine_LeavesAStalePartial_ThatTheNextRunRemoves()
    {
        string config = LongPatternConfig("file: out.mkv");
        var psi = VideoconvProcess.StartInfo(_dir.Path, "run", config, "--progress");
        using (var victim = Process.Start(psi)!)
        {
            _ = victim.StandardOutput.ReadToEndAsync();
            ReadUntilProgress(victim.StandardError, 5, []);   // frames written: the sink's partial file exists
            _ = victim.StandardError.ReadToEndAsync();
            victim.Kill();   // SIGKILL: nothing of ours runs
            victim.WaitForExit();
        }
        string stale = Assert.Single(Partials());
        Assert.False(File.Exists(_dir.Combine("out.mkv")));

        var quick = _dir.Write("quick.yaml", "source:\n  pattern: {width: 64, height: 48, fps: 30, frames: 5}\nsinks:\n  - file: out.mkv\n");
        var r = VideoconvProcess.Run(_dir.Path, "run", quick);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(File.Exists(stale));
        Assert.Empty(Partials());
        Assert.Equal(5, SystemFfmpeg.CountFrames(_dir.Combine("out.mkv")));
    }

    [Fact]
    public async Task RemoveStale_KeepsAPartialWhoseWriterIsAlive()
    {
        string destination = _dir.Combine("out.mkv");
        string partial = _dir.Write(".out.otherhost-7-abc.partial.mkv", "in progress");
        // flock(1) holds the same lock a live VideoConv writer holds (flock LOCK_EX), from another process.
        // It says "locked" once it holds the lock, then execs sleep, which keeps it.
        var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--no-fork", partial, "sh", "-c", "echo locked; exec sleep 120"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal(0, PartialFiles.RemoveStale(destination));
            Assert.True(File.Exists(partial));
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
        Assert.Equal(1, PartialFiles.RemoveStale(destination));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void RemoveStale_KeepsAnUnlockedPartialOfALiveProcessOnThisMachine_ThenRemovesItWhenThatProcessIsGone()
    {
        // A writer drops its lock just before it renames its partial into place (Commit). Three shards writing the same
        // plan file once met that moment: one removed another's partial and the other's rename failed. On this machine
        // the writer's process tells a live writer from a dead one where the lock cannot.
        string destination = _dir.Combine("out.mkv");
        var writer = Process.Start(new ProcessStartInfo("sleep", ["120"]))!;
        string partial = _dir.Write($".out.{PartialFiles.ThisHost}-{writer.Id}-0123abcd.partial.mkv", "renaming");
        try
        {
            Assert.Equal(0, PartialFiles.RemoveStale(destination));
            Assert.True(File.Exists(partial));
        }
        finally
        {
            writer.Kill();
            writer.WaitForExit();
        }
        Assert.Equal(1, PartialFiles.RemoveStale(destination));
        Assert.False(File.Exists(partial));
    }
}
