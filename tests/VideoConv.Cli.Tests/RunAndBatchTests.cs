using System.Diagnostics;
using System.Text.Json;
using OpenCvSharp;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests;

/// <summary>
/// <c>run</c> and <c>batch</c> end to end. Tests marked <c>Requires=Pipeline</c> need the pipeline
/// implementation (VideoPipeline.RunAsync); filter them out with <c>--filter Requires!=Pipeline</c> before it is merged.
/// </summary>
public sealed class RunAndBatchTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private VideoconvProcess.Result Run(params string[] args) => VideoconvProcess.Run(_dir.Path, args);

    private const string SmallPattern = "source:\n  pattern: {width: 64, height: 48, fps: 30, frames: 5}\n";

    /// <summary>A small MJPG video made with OpenCV: deterministic frames, no device.</summary>
    private string MakeVideo(string name, int frames = 12)
    {
        var path = _dir.Combine(name);
        using var writer = new VideoWriter(path, FourCC.MJPG, 30, new Size(64, 48));
        Assert.True(writer.IsOpened(), "OpenCV cannot write MJPG here");
        using var frame = new Mat(48, 64, MatType.CV_8UC3);
        for (int i = 0; i < frames; i++)
        {
            frame.SetTo(Scalar.All(0));
            Cv2.Rectangle(frame, new Rect(i * 4 % 56, 10, 8, 20), Scalar.White, -1);
            writer.Write(frame);
        }
        return path;
    }

    [Fact]
    public void Run_MissingSource_IsExit2BeforeAnyFrame()
    {
        _dir.Write("c.yaml", "source:\n  file: nothing.mp4\nsinks:\n  - discard: {}\n");
        var r = Run("run", "c.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("c.yaml:2:9: error: source file", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
    }

    [Fact]
    public void Run_ExistingOutputWithoutOverwrite_IsExit2()
    {
        _dir.Write("out.mkv", "old");
        _dir.Write("c.yaml", SmallPattern + "sinks:\n  - file: out.mkv\n");
        var r = Run("run", "c.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("c.yaml:4:11: error: output", r.StdErr);
        Assert.Contains("--overwrite", r.StdErr);
    }

    [Fact]
    public void Run_InputOverrideThatDoesNotExist_NamesTheOption()
    {
        _dir.Write("c.yaml", SmallPattern + "sinks:\n  - discard: {}\n");
        var r = Run("run", "c.yaml", "--input", "missing.avi");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--input: error: source file", r.StdErr);
    }

    [Fact]
    [Trait("Requires", "Pipeline")]
    public void Run_PatternToImages_WritesEveryFrame_AndStatsJson()
    {
        _dir.Write("c.yaml", SmallPattern + "chain:\n  - filter: gaussian\n    size: 3\n  - sobel\nsinks:\n  - images: frames/%03d.png\n");
        var r = Run("run", "c.yaml", "--stats-json", "stats.json");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(5, Directory.GetFiles(_dir.Combine("frames"), "*.png").Length);
        using var json = JsonDocument.Parse(File.ReadAllText(_dir.Combine("stats.json")));
        Assert.Equal(5, json.RootElement.GetProperty("frames_out").GetInt64());
        Assert.True(json.RootElement.GetProperty("latency_ms").TryGetProperty("p99", out _));
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("stages").ValueKind);
    }

    [Fact]
    [Trait("Requires", "Pipeline")]
    public void Run_EmptyChainAndOutputOverride_WritesAVideo()
    {
        _dir.Write("c.yaml", SmallPattern + "chain: []\nsinks:\n  - display: never shown\n");
        var r = Run("run", "c.yaml", "--output", "out.avi");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var capture = new VideoCapture(_dir.Combine("out.avi"));
        Assert.True(capture.IsOpened());
        Assert.Equal(64, capture.FrameWidth);
    }

    [Fact]
    [Trait("Requires", "Pipeline")]
    public void Run_DisplayWithoutDisplayServer_FallsBackToAFile()
    {
        _dir.Write("show.yaml", SmallPattern + "chain: [sobel]\nsinks:\n  - display: edges\n");
        var r = Run("run", "show.yaml");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("show-out.mp4", r.StdErr);
        Assert.True(File.Exists(_dir.Combine("show-out.mp4")));
    }

    [Theory]
    [Trait("Requires", "Pipeline")]
    [InlineData("DISPLAY"), InlineData("WAYLAND_DISPLAY")]
    public void Run_DisplayVariableNamingNoServer_FallsBackLikeAnUnsetOne(string variable)
    {
        // A display number with no X socket (and a Wayland name with no socket): set, but nothing answers.
        int n = Enumerable.Range(90, 100).First(i => !File.Exists($"/tmp/.X11-unix/X{i}"));
        _dir.Write("show.yaml", SmallPattern + "chain: [sobel]\nsinks:\n  - display: edges\n");
        var env = new Dictionary<string, string?> { [variable] = variable == "DISPLAY" ? $":{n}" : $"videoconv-test-{n}", ["XDG_RUNTIME_DIR"] = _dir.Path };
        var r = VideoconvProcess.Run(_dir.Path, env, "run", "show.yaml");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("no display (", r.StdErr);
        Assert.True(File.Exists(_dir.Combine("show-out.mp4")));
        var again = VideoconvProcess.Run(_dir.Path, env, "validate", "show.yaml");
        Assert.True(again.ExitCode == 2, again.ToString());   // the stated fallback exists now: replaced only with --overwrite
        Assert.Contains("show-out.mp4", again.StdErr);
    }

    [Fact]
    [Trait("Requires", "Pipeline")]
    public void Run_Demo_FinishesAndWritesItsFallbackFile()
    {
        var r = Run("run", Path.Combine(Repository.Configs, "demo.yaml"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(_dir.Combine("demo-out.mp4")));
    }

    [Fact]
    [Trait("Requires", "Pipeline")]
    public void Run_Watch_ReloadsTheChain_KeepsItOnABrokenEdit_AndSigintFinalizes()
    {
        // A paced pattern long enough to edit the config while it runs.
        var config = _dir.Write("live.yaml", "source:\n  pattern: {width: 64, height: 48, fps: 30, frames: 100000}\n  realtime: true\nchain: [sharpen]\nsinks:\n  - file: live.mkv\n");
        var psi = VideoconvProcess.StartInfo(_dir.Path, "run", "live.yaml", "--watch");
        using var process = Process.Start(psi)!;
        var lines = new System.Collections.Concurrent.BlockingCollection<string>();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Add(e.Data); };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            string WaitFor(string fragment)
            {
                var deadline = DateTime.UtcNow.AddSeconds(20);
                var seen = new List<string>();
                while (DateTime.UtcNow < deadline)
                {
                    if (lines.TryTake(out var line, TimeSpan.FromMilliseconds(200)))
                    {
                        seen.Add(line);
                        if (line.Contains(fragment)) return line;
                    }
                    else if (process.HasExited)
                    {
                        process.WaitForExit(); // flushes the asynchronous stderr reader
                        while (lines.TryTake(out var rest))
                        {
                            seen.Add(rest);
                            if (rest.Contains(fragment)) return rest;
                        }
                        throw new InvalidOperationException($"videoconv exited ({process.ExitCode}) before '{fragment}':\n{string.Join('\n', seen)}");
                    }
                }
                throw new TimeoutException($"no stderr line with '{fragment}':\n{string.Join('\n', seen)}");
            }
            WaitFor("watching");
            string broken = "source:\n  pattern: {width: 64, height: 48, fps: 30, frames: 100000}\n  realtime: true\nchain: [{kernel: [[1, 2], [3]]}]\nsinks:\n  - file: live.mkv\n";
            File.WriteAllText(config, broken);
            var hit = WaitFor("keeping the running chain");
            Assert.Contains("live.yaml:4:", hit);
            File.WriteAllText(config, broken.Replace("[{kernel: [[1, 2], [3]]}]", "[sobel]"));
            Assert.Contains("reloaded the chain", WaitFor("reloaded the chain"));
        }
        finally
        {
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString()]);
            kill.WaitForExit();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
        }
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}");
        _ = stdout;
        using var capture = new VideoCapture(_dir.Combine("live.mkv"));
        Assert.True(capture.IsOpened(), "the output was not finalized after SIGINT");
    }

    [Fact]
    [Trait("Requires", "Pipeline")]
    public void Batch_SeveralFilesAndACorruptOne_WritesTheGood_NamesTheBad_Exit1()
    {
        var inputs = new[] { MakeVideo("a.avi"), MakeVideo("b.avi"), MakeVideo("c.avi", 20) };
        File.WriteAllBytes(_dir.Combine("corrupt.avi"), Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        _dir.Write("job.yaml", SmallPattern + "chain: [sharpen]\nsinks:\n  - file: ignored.mkv\n    codec: FFV1\n  - display: skipped in a batch\n");
        var r = Run("batch", "job.yaml", "--out", "out", "a.avi", "b.avi", "c.avi", "corrupt.avi");
        Assert.True(r.ExitCode == 1, r.ToString());
        foreach (var name in new[] { "a", "b", "c" })
        {
            using var capture = new VideoCapture(_dir.Combine("out", name + ".mkv"));
            Assert.True(capture.IsOpened(), name);
            Assert.Equal(64, capture.FrameWidth);
        }
        Assert.False(File.Exists(_dir.Combine("out", "corrupt.mkv")), "a failed input must leave no output");
        Assert.Contains("corrupt.avi", r.StdOut);
        Assert.Contains("failed", r.StdOut);
        Assert.Contains("3 of 4", r.StdErr);
        _ = inputs;
    }

    [Fact]
    [Trait("Requires", "Pipeline")]
    public void Batch_FolderInput_AllGood_Exit0()
    {
        Directory.CreateDirectory(_dir.Combine("clips"));
        MakeVideo("clips/one.avi");
        MakeVideo("clips/two.avi");
        _dir.Write("job.yaml", SmallPattern + "chain: [box]\nsinks:\n  - file: x.avi\n    codec: MJPG\n");
        var r = Run("batch", "job.yaml", "--out", "out", "clips", "--jobs", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(_dir.Combine("out", "one.avi")));
        Assert.True(File.Exists(_dir.Combine("out", "two.avi")));
    }

    [Fact]
    [Trait("Requires", "Pipeline")]
    public void Batch_FolderWithNonVideoFiles_SkipsThemWithANote_AndNamesEachDistinctInput()
    {
        Directory.CreateDirectory(_dir.Combine("a"));
        Directory.CreateDirectory(_dir.Combine("b"));
        MakeVideo("a/av.avi");
        MakeVideo("b/av.avi");
        _dir.Write("a/notes.txt", "not a video");
        _dir.Write("job.yaml", SmallPattern + "threads: 1\nchain: [box]\nsinks:\n  - file: x.mkv\n");
        var r = Run("batch", "job.yaml", "--out", "out", "a", "b", "--threads", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("skipped 1 file(s) that are not videos: a/notes.txt", r.StdErr);
        Assert.True(File.Exists(_dir.Combine("out", "av.mkv")));
        Assert.True(File.Exists(_dir.Combine("out", "av-2.mkv")));
        // Each input and each output is named apart in the summary (not "av.avi" twice).
        foreach (var name in new[] { "a/av.avi", "b/av.avi", "out/av.mkv", "out/av-2.mkv" }) Assert.Contains(name, r.StdOut);
        Assert.DoesNotContain("%", r.StdOut);   // no progress on stdout
    }

    [Fact]
    [Trait("Requires", "Pipeline")]
    public void Run_Quiet_PrintsNothingOnSuccess_AndOnlyTheErrorOnFailure()
    {
        _dir.Write("q.yaml", SmallPattern + "chain: [sharpen]\nsinks:\n  - file: q.mkv\n");
        var ok = Run("run", "q.yaml", "-q", "--progress");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal("", ok.StdErr + ok.StdOut);
        var again = Run("run", "q.yaml", "--quiet");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", Assert.Single(again.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void Batch_MissingInput_IsReported_AndLeavesNothing()
    {
        _dir.Write("job.yaml", SmallPattern + "chain: []\nsinks:\n  - file: x.mkv\n");
        var r = Run("batch", "job.yaml", "--out", "out", "missing.avi");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("missing.avi", r.StdOut);
        Assert.Contains("does not exist", r.StdOut);
        Assert.Empty(Directory.GetFiles(_dir.Combine("out")));
    }

    [Fact]
    public void Batch_WithoutOut_IsBadUsage()
    {
        _dir.Write("job.yaml", SmallPattern + "sinks:\n  - file: x.mkv\n");
        var r = Run("batch", "job.yaml", "a.avi");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--out DIR is required", r.StdErr);
    }

    [Fact]
    public void Batch_DisplayOnlyConfig_IsBadConfig()
    {
        _dir.Write("job.yaml", SmallPattern + "sinks:\n  - display: x\n");
        var r = Run("batch", "job.yaml", "--out", "out", "a.avi");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no file or images sink", r.StdErr);
    }
}
