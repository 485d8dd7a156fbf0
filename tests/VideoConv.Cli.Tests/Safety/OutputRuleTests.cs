using System.Security.Cryptography;
using VideoConv.Cli.Tests.Reliability;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Safety;

/// <summary>
/// Issue 10, cases 4, 5 and 8, driven through the built binary: every output of every verb (video, images,
/// stats JSON, the image verb's result) is never an input, never replaces a FIFO or device, and replaces an
/// existing file only with --overwrite. Each test checks the exit code, the one-line message and the disk.
/// </summary>
public sealed class OutputRuleTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private string Clip(string name = "clip.mp4") => SystemFfmpeg.Encode(_dir.Combine(name), 0.5, "64x48", "-c:v", "mpeg4");

    private string Config(string sink = "out.mkv") => _dir.Write("job.yaml", $"source:\n  pattern: {{width: 64, height: 48, fps: 30, frames: 5}}\nsinks:\n  - file: {sink}\n");

    private static void AssertRefused(VideoconvProcess.Result r, params string[] fragments)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        foreach (var f in fragments) Assert.Contains(f, r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
    }

    [RequiresFfmpegFact]
    public void StatsJson_OnTheInputVideo_IsRefusedAndTheVideoKept()
    {
        string clip = Clip(), before = Hash(clip);
        var r = VideoconvProcess.Run(_dir.Path, "run", Config(), "-i", "clip.mp4", "--stats-json", "clip.mp4", "--overwrite");
        AssertRefused(r, "--stats-json", "is the input");
        Assert.Equal(before, Hash(clip));
        Assert.False(File.Exists(_dir.Combine("out.mkv")));
    }

    [Fact]
    public void StatsJson_OnTheConfig_IsRefusedAndTheConfigKept()
    {
        string config = Config(), before = Hash(config);
        var r = VideoconvProcess.Run(_dir.Path, "run", config, "--stats-json", "./job.yaml", "--overwrite");
        AssertRefused(r, "is the input");
        Assert.Equal(before, Hash(config));
    }

    [Fact]
    public void StatsJson_OnTheOutput_IsRefused()
    {
        var r = VideoconvProcess.Run(_dir.Path, "run", Config(), "--stats-json", "out.mkv", "--overwrite");
        AssertRefused(r, "also an output");
        Assert.False(File.Exists(_dir.Combine("out.mkv")));
    }

    [Fact]
    public void StatsJson_Existing_NeedsOverwrite_ThenIsReplacedWholeWithJson()
    {
        string stats = _dir.Write("stats.json", "keep me");
        var r = VideoconvProcess.Run(_dir.Path, "run", Config(), "--stats-json", "stats.json");
        AssertRefused(r, "already exists", "--overwrite");
        Assert.Equal("keep me", File.ReadAllText(stats));

        r = VideoconvProcess.Run(_dir.Path, "run", Config(), "--stats-json", "stats.json", "--overwrite");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(stats));
        Assert.Equal(5, json.RootElement.GetProperty("frames_out").GetInt64());
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.partial*"));
    }

    [RequiresFfmpegFact]
    public void Run_OutputIsTheInput_IsRefusedEvenWithOverwrite_InEverySpelling()
    {
        string clip = Clip("same.mp4"), before = Hash(clip);
        File.CreateSymbolicLink(_dir.Combine("link.mp4"), clip);
        File.CreateSymbolicLink(_dir.Combine("dirlink"), _dir.Path);
        using (var ln = System.Diagnostics.Process.Start("ln", [clip, _dir.Combine("hard.mp4")])!) ln.WaitForExit();
        foreach (var output in new[] { "same.mp4", "./same.mp4", "link.mp4", "hard.mp4", "dirlink/same.mp4" })
        {
            var r = VideoconvProcess.Run(_dir.Path, "run", Config(), "-i", "same.mp4", "-o", output, "--overwrite");
            AssertRefused(r, "is the input", "even with");
            Assert.Equal(before, Hash(clip));
        }
    }

    [RequiresFfmpegFact]
    public void Batch_OutputIsTheInput_IsRefusedAndTheInputKept()
    {
        string clip = Clip("clip.mp4"), before = Hash(clip);
        var config = _dir.Write("batch.yaml", "source:\n  pattern: {}\nsinks:\n  - file: x.mp4\n");
        var r = VideoconvProcess.Run(_dir.Path, "batch", config, "--out", ".", "clip.mp4", "--overwrite");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("is the input", r.StdErr + r.StdOut);
        Assert.Equal(before, Hash(clip));
    }

    [Fact]
    public void Image_OutputIsTheInput_IsRefusedAndTheInputKept()
    {
        string input = _dir.Write("in.txt", "1 2 3\n4 5 6\n7 8 9\n"), before = Hash(input);
        var r = VideoconvProcess.Run(_dir.Path, "image", "in.txt", "./in.txt", "--filter", "sobel", "--overwrite");
        AssertRefused(r, "is the input");
        Assert.Equal(before, Hash(input));
    }

    [Fact]
    public void Image_ExistingOutput_NeedsOverwrite()
    {
        _dir.Write("in.txt", "1 2 3\n4 5 6\n7 8 9\n");
        string existing = _dir.Write("out.txt", "keep");
        var r = VideoconvProcess.Run(_dir.Path, "image", "in.txt", "out.txt", "--filter", "sobel");
        AssertRefused(r, "already exists", "--overwrite");
        Assert.Equal("keep", File.ReadAllText(existing));
        r = VideoconvProcess.Run(_dir.Path, "image", "in.txt", "out.txt", "--filter", "sobel", "--overwrite");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(3, File.ReadAllLines(existing).Length);
    }

    [Fact]
    public void Overwrite_OntoAFifo_IsRefusedAndTheFifoKept()
    {
        string fifo = _dir.Combine("out.mkv");
        using (var mk = System.Diagnostics.Process.Start("mkfifo", [fifo])!) mk.WaitForExit();
        var r = VideoconvProcess.Run(_dir.Path, "run", Config(), "--overwrite");
        AssertRefused(r, "FIFO");
        Assert.Equal(VideoConv.Pipeline.Files.FileNodeKind.Fifo, VideoConv.Pipeline.Files.FileNodes.KindOf(fifo));
    }

    [Fact]
    public void StatsJson_OntoADevice_IsRefused()
    {
        var r = VideoconvProcess.Run(_dir.Path, "run", Config(), "--stats-json", "/dev/null", "--overwrite");
        AssertRefused(r, "character device");
        Assert.False(File.Exists(_dir.Combine("out.mkv")));
    }
}
