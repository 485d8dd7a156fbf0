using System.Diagnostics;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Reliability;

/// <summary>Issue 11 point 6 through real pipes: <c>cat clip.mkv | videoconv run … -i - -o - --format matroska | ffprobe -</c>.</summary>
public sealed class PipeTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [RequiresFfmpegFact]
    public void StdinToStdout_ThroughCatAndFfprobe_CarriesEveryFrame_AndStdoutHoldsOnlyTheContainer()
    {
        SystemFfmpeg.Encode(_dir.Combine("clip.mkv"), 1, "160x120", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        var config = _dir.Write("edges.yaml", "source:\n  pattern: {}\nchain:\n  - filter: sobel\nsinks:\n  - discard: {}\n");
        // The shell only wires the pipe; every program gets its arguments as given.
        string script = $"cat \"$1\" | {VideoconvProcess.ShellWords} run \"$2\" -i - -o - --format matroska 2>\"$3\" | ffprobe -v error -count_frames " +
                        "-show_entries stream=codec_name,nb_read_frames -of csv=p=0 -; exit ${PIPESTATUS[1]}";
        var psi = new ProcessStartInfo("bash", ["-c", script, "pipe", _dir.Combine("clip.mkv"), config, _dir.Combine("err.txt")])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DISPLAY"] = null;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string probed = p.StandardOutput.ReadToEnd().Trim();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(120)), "the pipe did not finish");
        string log = File.ReadAllText(_dir.Combine("err.txt"));
        Assert.True(p.ExitCode == 0, $"videoconv exit {p.ExitCode}: {log} {err.Result}");
        Assert.Equal($"h264,{SystemFfmpeg.CountFrames(_dir.Combine("clip.mkv"))}", probed);
        Assert.Contains("frames in", log);   // the summary went to stderr, not into the container
    }
}
