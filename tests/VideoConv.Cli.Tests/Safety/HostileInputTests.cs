using System.Diagnostics;
using VideoConv.Cli.Tests.Reliability;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Safety;

/// <summary>
/// Issue 10, cases 1–3, 13 and 15 through the built binary: values that try to become options of ffmpeg or
/// ffprobe, a file system that fills up, devices and endless pipes as config or matrix files.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly Dictionary<string, string?> NoLibAv = new() { ["VIDEOCONV_NO_LIBAV"] = "1" };

    private static readonly byte[] PngEnd = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];   // the IEND chunk

    private static string[] FilesUnder(string dir) =>
        [.. Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order()];

    [RequiresFfmpegFact]
    public void SinkPath_WithQuotes_ForTheFfmpegCommand_IsOneFileName_NotArguments()
    {
        Directory.CreateDirectory(_dir.Combine("q"));
        string name = "q/x.mkv\" -y \"pwned.mkv\" \"y.mkv";
        var config = _dir.Write("job.yaml",
            "source:\n  pattern: {width: 64, height: 48, fps: 30, frames: 5}\nsinks:\n  - file: 'q/x.mkv\" -y \"pwned.mkv\" \"y.mkv'\n    encoder: ffmpeg\n    codec: FFV1\n");
        // Without the in-process libraries (as on a machine with another FFmpeg), encoder: ffmpeg is the ffmpeg command.
        var r = VideoconvProcess.Run(_dir.Path, NoLibAv, "run", config);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(["job.yaml", name], FilesUnder(_dir.Path));
        Assert.Equal(5, SystemFfmpeg.CountFrames(_dir.Combine(name)));
    }

    [RequiresFfmpegFact]
    public void Url_StartingWithADash_IsRefused_AndNoToolRuns()
    {
        var config = _dir.Write("job.yaml", "source:\n  url: \"-report\"\nsinks:\n  - discard: {}\n");
        var r = VideoconvProcess.Run(_dir.Path, "run", config);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("job.yaml:2:", r.StdErr);
        Assert.Contains("scheme://", r.StdErr);
        Assert.Equal(["job.yaml"], FilesUnder(_dir.Path));

        r = VideoconvProcess.Run(_dir.Path, "run", config, "--input", "-report");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal(["job.yaml"], FilesUnder(_dir.Path));
    }

    [RequiresSmallFileSystemFact]
    public void DiskFull_EveryFileWriter_FailsTheRun_NamesTheCause_AndLeavesNothing()
    {
        using var small = new SmallFileSystem(3);
        // 300 frames of 320x240 are ~20 MB losslessly: far more than the 3 MiB file system holds.
        foreach (var (sink, name, env) in new[]
                 {
                     ("file: {0}/out.mkv\n    encoder: opencv\n    codec: FFV1", "out.mkv", null),
                     ("file: {0}/out.mkv\n    encoder: ffmpeg\n    codec: FFV1", "out.mkv", NoLibAv),   // the ffmpeg command
                     ("file: {0}/out.mkv\n    codec: ffv1", "out.mkv", null),                        // the in-process libraries
                     ("file: {0}/out.avi\n    codec: mjpeg", "out.avi", null),
                     ("images: {0}/%05d.png", "00001.png", null),
                 })
        {
            var config = _dir.Write("full.yaml",
                "source:\n  pattern: {width: 320, height: 240, fps: 30, frames: 300}\nsinks:\n  - " + string.Format(sink, small.Path) + "\n");
            var r = VideoconvProcess.Run(_dir.Path, env, "run", config, "--stats-json", "stats.json", "--overwrite");
            Assert.True(r.ExitCode == 1, $"{sink}: {r}");
            Assert.True(r.StdErr.Contains("no space left on device", StringComparison.Ordinal), $"{sink}: {r}"); // the whole message when it fails
            Assert.DoesNotContain("   at ", r.StdErr);
            if (name.EndsWith(".png", StringComparison.Ordinal))
                foreach (var png in Directory.GetFiles(small.Path, "*.png"))   // frames before the full disk: each one whole
                    Assert.True(File.ReadAllBytes(png)[^8..].SequenceEqual(PngEnd), $"{png} is torn");
            else Assert.False(File.Exists(Path.Combine(small.Path, name)), $"{sink}: a partial output reached the destination");
            Assert.Empty(Directory.GetFiles(small.Path, ".*partial*"));
            Assert.False(File.Exists(_dir.Combine("stats.json")), "statistics of a failed run were written");
            foreach (var f in Directory.GetFiles(small.Path)) File.Delete(f);
        }
    }

    [RequiresSmallFileSystemFact]
    public void DiskFull_StatsJson_FailsTheRun_AndKeepsTheOldFile()
    {
        using var small = new SmallFileSystem(1);
        string stats = Path.Combine(small.Path, "stats.json");
        File.WriteAllText(stats, "old");
        small.Fill(leaveBytes: 0);
        var config = _dir.Write("job.yaml", "source:\n  pattern: {width: 64, height: 48, fps: 30, frames: 5}\nsinks:\n  - discard: {}\n");
        var r = VideoconvProcess.Run(_dir.Path, "run", config, "--stats-json", stats, "--overwrite");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("no space left on device", r.StdErr);
        Assert.Equal("old", File.ReadAllText(stats));
    }

    [Fact]
    public void OddSize_ThroughOpenCvsWriter_IsRefusedBeforeStarting_NotCropped()
    {
        var config = _dir.Write("odd.yaml", "source:\n  pattern: {width: 637, height: 357, fps: 30, frames: 3}\nsinks:\n  - file: out.mkv\n    encoder: opencv\n    codec: FFV1\n");
        foreach (var verb in new[] { "validate", "run" })
        {
            var r = VideoconvProcess.Run(_dir.Path, verb, config);
            Assert.True(r.ExitCode == 2, r.ToString());
            Assert.Contains("odd.yaml:4:", r.StdErr);
            Assert.Contains("637x357", r.StdErr);
            Assert.False(File.Exists(_dir.Combine("out.mkv")));
        }
    }

    [Fact]
    public void Validate_DevZero_IsRefusedAtOnce()
    {
        var r = VideoconvProcess.Run(_dir.Path, "validate", "/dev/zero");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("/dev/zero:1:1: error:", r.StdErr);
        Assert.Contains("character device", r.StdErr);
    }

    [Fact]
    public void FilterFile_DevUrandom_IsRefusedAtOnce()
    {
        var config = _dir.Write("job.yaml", "source:\n  pattern: {frames: 1}\nchain:\n  - filter: /dev/urandom\nsinks:\n  - discard: {}\n");
        var r = VideoconvProcess.Run(_dir.Path, "validate", config);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("character device", r.StdErr);
    }

    [Fact]
    public void Config_FromAnEndlessPipe_StopsAtTheByteLimit()
    {
        string fifo = _dir.Combine("endless.yaml");
        using (var mk = Process.Start("mkfifo", [fifo])!) mk.WaitForExit();
        // `yes` writes "a: 1" lines for ever; the reader must stop after 4 MiB, not when the pipe ends.
        using var writer = Process.Start(new ProcessStartInfo("sh", ["-c", "exec yes 'a: 1' > \"$0\"", fifo]) { RedirectStandardError = true })!;
        try
        {
            var r = VideoconvProcess.Run(_dir.Path, "validate", fifo);
            Assert.True(r.ExitCode == 2, r.ToString());
            Assert.Contains("over the 4 MiB limit", r.StdErr);
        }
        finally
        {
            if (!writer.HasExited) writer.Kill();
        }
    }

    [Fact]
    public void Image_HugeTextMatrix_IsRefusedByBytesRead()
    {
        string matrix = _dir.Combine("big.txt");
        using (var f = File.Create(matrix))
        {
            var line = System.Text.Encoding.ASCII.GetBytes(string.Join(' ', Enumerable.Repeat("255", 4000)) + "\n");
            for (long written = 0; written <= 70L << 20; written += line.Length) f.Write(line);
        }
        var r = VideoconvProcess.Run(_dir.Path, "image", "big.txt", "out.txt", "--filter", "sobel");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("over the 64 MiB limit", r.StdErr);
        Assert.False(File.Exists(_dir.Combine("out.txt")));
    }

    [Fact]
    public void Source_DevZero_IsNamedAsADevice_NotAnEmptyFile()
    {
        var config = _dir.Write("job.yaml", "source:\n  file: /dev/zero\nsinks:\n  - discard: {}\n");
        var r = VideoconvProcess.Run(_dir.Path, "run", config);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("job.yaml:2:", r.StdErr);
        Assert.Contains("character device", r.StdErr);
        Assert.DoesNotContain("empty", r.StdErr);
    }
}
