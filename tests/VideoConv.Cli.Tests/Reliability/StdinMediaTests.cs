using System.Diagnostics;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Reliability;

/// <summary>Containers on standard input through a real <c>cat</c>: what a pipe can carry, and one clear line for what it cannot.</summary>
public sealed class StdinMediaTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    // cat FILE | videoconv run CONFIG -i - -o OUT ; the shell only wires the pipe, each program gets its arguments as given.
    private (int ExitCode, string StdErr) Pipe(string input, string output)
    {
        var config = _dir.Write("copy.yaml", "source:\n  pattern: {}\nchain: []\nsinks:\n  - discard: {}\n");
        var psi = new ProcessStartInfo("bash", ["-c", "cat \"$1\" | dotnet \"$2\" run \"$3\" -i - -o \"$4\"; exit ${PIPESTATUS[1]}", "pipe", input, VideoconvProcess.DllPath, config, output])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DISPLAY"] = null;
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(120)), "the pipe did not finish");
        return (p.ExitCode, err.Result);
    }

    [RequiresFfmpegLibrariesFact]
    public void Mp4WithItsIndexAtTheEnd_OnStdin_OneLineSayingWhyAndWhatToDo_AsFfmpegAlsoFails()
    {
        string clip = SystemFfmpeg.Encode(_dir.Combine("tail.mp4"), 3, "320x240", "-c:v", "libx264", "-preset", "veryfast"); // moov written last
        var psi = new ProcessStartInfo("bash", ["-c", "cat \"$1\" | ffmpeg -nostdin -v error -i - -f null -; exit ${PIPESTATUS[1]}", "ffmpeg", clip]) { RedirectStandardError = true };
        using (var ffmpeg = Process.Start(psi)!) { _ = ffmpeg.StandardError.ReadToEnd(); ffmpeg.WaitForExit(); Assert.NotEqual(0, ffmpeg.ExitCode); }

        var (code, err) = Pipe(clip, _dir.Combine("out.mkv"));

        Assert.Equal(1, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("index (moov) is at its end", line);
        Assert.Contains("-movflags +faststart", line);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(_dir.Combine("out.mkv")));

        // The same clip with its index first goes through the pipe.
        string faststart = _dir.Combine("fast.mp4");
        using (var remux = Process.Start("ffmpeg", ["-nostdin", "-v", "error", "-i", clip, "-c", "copy", "-movflags", "+faststart", faststart])) remux.WaitForExit();
        var (fastCode, fastErr) = Pipe(faststart, _dir.Combine("out.mkv"));
        Assert.True(fastCode == 0, fastErr);
        Assert.Equal(SystemFfmpeg.CountFrames(clip), SystemFfmpeg.CountFrames(_dir.Combine("out.mkv")));
    }
}
