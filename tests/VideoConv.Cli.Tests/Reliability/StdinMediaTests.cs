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
        var psi = new ProcessStartInfo("bash", ["-c", $"cat \"$1\" | {VideoconvProcess.ShellWords} run \"$2\" -i - -o \"$3\"; exit ${{PIPESTATUS[1]}}", "pipe", input, config, output])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DISPLAY"] = null;
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(120)), "the pipe did not finish");
        return (p.ExitCode, err.Result);
    }

    // ffmpeg -i FILE -map 0:a -c copy -f md5 -: equal when the audio packets are bit-identical.
    private static string AudioMd5(string path)
    {
        var psi = new ProcessStartInfo("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:a", "-c", "copy", "-f", "md5", "-"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string md5 = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0 && md5.StartsWith("MD5=", StringComparison.Ordinal), $"no audio in {path}");
        return md5;
    }

    [RequiresFfmpegLibrariesFact]
    public void MatroskaWithAudio_OnStdin_KeepsTheAudio_CopiedBitExactOrReencoded()
    {
        string clip = _dir.Combine("av.mkv");
        var make = Process.Start("ffmpeg", ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "2", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", "-shortest", clip]);
        make.WaitForExit();
        Assert.Equal(0, make.ExitCode);

        var (code, err) = Pipe(clip, _dir.Combine("out.mp4"));
        Assert.True(code == 0, err);
        Assert.Equal(AudioMd5(clip), AudioMd5(_dir.Combine("out.mp4")));   // AAC into MP4: copied packet for packet
        Assert.Equal(SystemFfmpeg.CountFrames(clip), SystemFfmpeg.CountFrames(_dir.Combine("out.mp4")));

        (code, err) = Pipe(clip, _dir.Combine("out.webm"));
        Assert.True(code == 0, err);
        var probe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0", _dir.Combine("out.webm")]) { RedirectStandardOutput = true })!;
        Assert.Equal("opus", probe.StandardOutput.ReadToEnd().Trim());   // AAC into WebM: re-encoded
        probe.WaitForExit();
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
